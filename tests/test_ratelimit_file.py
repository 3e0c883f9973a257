"""Without Redis the rate limits live in an SQLite file that every gunicorn worker of the machine
shares, so the limits the README states hold with any number of workers."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from community.ratelimit_file import SCHEME
from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[1]


def test_two_stores_on_one_file_share_one_budget(tmp_path):
    """Two workers are two processes, each with its own storage object and connection."""
    uri = f"{SCHEME}://{tmp_path / 'limits.sqlite3'}"
    first, second = MovingWindowRateLimiter(storage_from_string(uri)), MovingWindowRateLimiter(storage_from_string(uri))
    limit = parse("3 per minute")
    assert first.hit(limit, "login", "bob") and second.hit(limit, "login", "bob") and first.hit(limit, "login", "bob")
    assert not second.hit(limit, "login", "bob") and not first.hit(limit, "login", "bob")
    assert second.hit(limit, "login", "ana")  # another key's budget is its own
    reset_at, remaining = second.get_window_stats(limit, "login", "bob")
    assert remaining == 0 and time.time() < reset_at <= time.time() + 61
    second.clear(limit, "login", "bob")
    assert first.hit(limit, "login", "bob")


def test_the_default_store_without_redis_is_the_file(app):
    from community import create_app
    from tests.conftest import test_config

    config = test_config(app.config["SQLALCHEMY_DATABASE_URI"])
    del config["RATELIMIT_STORAGE_URI"]
    made = create_app(config)
    assert made.config["RATELIMIT_STORAGE_URI"] == f"{SCHEME}://{Path(made.instance_path) / 'ratelimits.sqlite3'}"


def wrong_login(port: int) -> int:
    """A new connection (a new browser), so gunicorn may hand it to any worker."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/auth/login")
    page = connection.getresponse()
    body = page.read().decode()
    cookie = page.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf-token" content="([^"]+)"', body).group(1)
    form = urlencode({"csrf_token": token, "login": "bob", "password": "not the password"})
    connection.request("POST", "/auth/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer.status


def test_gunicorn_workers_share_the_login_budget(app, tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "shared limits test",
           "RATELIMIT_STORAGE_URI": f"{SCHEME}://{tmp_path / 'limits.sqlite3'}", "RATELIMIT_LOGIN_IP": "4 per minute",
           "RATELIMIT_LOGIN_ACCOUNT": "100 per minute", "RATELIMIT_ENABLED": "true"}
    env.pop("REDIS_URL", None)
    log = tmp_path / "gunicorn.log"
    command = ["timeout", "--kill-after=5", "180", sys.executable, "-m", "gunicorn", "--workers", "3",
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=5).request("GET", "/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, log.read_text()
                time.sleep(0.2)
        statuses = [wrong_login(port) for _ in range(8)]
    finally:
        process.terminate()
        process.wait(timeout=30)
    # 4 a minute from this address, whichever of the 3 workers answered each.
    assert statuses == [422] * 4 + [429] * 4, (statuses, log.read_text()[-3000:])
