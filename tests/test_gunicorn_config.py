"""gunicorn.conf.py, which the README's production command reads: forwarded headers are believed
only when TRUSTED_PROXIES says a proxy is in front."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[1]


def serve(database_url: str, log: Path, **environment: str) -> tuple[subprocess.Popen, int]:
    """gunicorn as the README runs it (from the checkout, so it reads gunicorn.conf.py), one worker."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "gunicorn config test",
           # Rate limits counted afresh for this server, shared by its workers (not the checkout's instance/).
           "RATELIMIT_STORAGE_URI": f"community-sqlite://{log.parent / f'ratelimits-{port}.sqlite3'}", **environment}
    env.pop("FORWARDED_ALLOW_IPS", None)
    command = ["timeout", "--kill-after=5", "120", sys.executable, "-m", "gunicorn", "--workers", "1",
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()}")
        try:
            answer(port, {})
            return process, port
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"gunicorn did not answer: {log.read_text()}")


def answer(port: int, headers: dict[str, str]) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/auth/login", headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.mark.parametrize("trusted_proxies, believed", [("0", False), ("", False), ("1", True)])
def test_forwarded_proto_is_believed_only_behind_a_trusted_proxy(app, tmp_path, trusted_proxies, believed):
    process, port = serve(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "gunicorn.log",
                          TRUSTED_PROXIES=trusted_proxies)
    try:
        response = answer(port, {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl"})
    finally:
        process.terminate()
        process.wait(timeout=30)
    # HSTS is sent only on responses the app believes were served over HTTPS.
    assert response.status == 200
    assert (response.getheader("Strict-Transport-Security") is not None) == believed
