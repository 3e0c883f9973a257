"""`make serve`: gunicorn on HOST/PORT with the settings of `make run`, workers from the CPUs unless
WORKERS says, compressed answers; and it refuses to start, saying why, without a production setting."""

from __future__ import annotations

import gzip
import http.client
import os
import runpy
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not (ROOT / ".venv/bin/gunicorn").exists(), reason="make serve uses .venv")


def gunicorn_settings(monkeypatch, **environment: str) -> dict:
    for name in ("WEB_CONCURRENCY", "TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_workers_follow_the_cpus_unless_chosen(monkeypatch):
    assert gunicorn_settings(monkeypatch)["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3")["workers"] == 3
    assert gunicorn_settings(monkeypatch)["preload_app"] is True


def make_serve(tmp_path: Path, **environment: str) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items()
           if key not in ("SECRET_KEY", "SITE_URL", "MAIL_SERVER", "REDIS_URL", "TRUSTED_PROXIES", "WEB_CONCURRENCY")}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}", **environment})
    return subprocess.Popen(["timeout", "--kill-after=5", "120", "make", "--no-print-directory", "serve"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def test_make_serve_serves_the_site_with_gunicorn(tmp_path):
    port = free_port()
    server = make_serve(tmp_path, HOST="127.0.0.1", PORT=str(port), WORKERS="2", SECRET_KEY="make serve test")
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, server.stdout.read().decode()
            try:
                response, body = get(port, "/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, "make serve did not answer"
                time.sleep(0.3)
        assert (response.status, body) == (200, b"ok\n")
        assert response.getheader("Server").startswith("gunicorn")
        page, body = get(port, "/", {"Accept-Encoding": "gzip"})
        assert page.status == 200 and page.getheader("Content-Encoding") == "gzip"
        assert b"</html>" in gzip.decompress(body)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


@pytest.mark.parametrize(("environment", "named"), [
    ({"SITE_URL": "https://community.example"}, "SECRET_KEY"),
    ({"SECRET_KEY": "k", "MAIL_SERVER": "smtp.example.org"}, "SITE_URL"),
])
def test_make_serve_refuses_to_start_without_a_production_setting(tmp_path, environment, named):
    server = make_serve(tmp_path, PORT=str(free_port()), **environment)
    output = server.communicate(timeout=110)[0].decode()
    assert server.returncode != 0
    assert "Community cannot start" in output and named in output
    assert "Traceback" not in output
