"""GET /healthz: ok while the database (and Redis, when configured) answers, 503 naming what does
not; no session cookie, no caching, never rate limited."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from community import create_app
from tests.conftest import test_config
from tests.test_page_cache import redis_is_up, redis_url


def test_healthz_answers_ok_while_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_healthz_sets_no_cookie_for_a_signed_in_browser(client, users, auth):
    auth.login("reader")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(sa.engine.Engine, "connect", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "unavailable: database\n"
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_is_503_when_the_configured_redis_does_not_answer(migrated_database):
    # A port nothing listens on: refused at once.
    app = create_app(test_config(migrated_database, REDIS_URL="redis://127.0.0.1:1/0", RATELIMIT_STORAGE_URI="memory://"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "unavailable: redis\n"


@pytest.mark.skipif(not redis_is_up() and os.environ.get("CI") != "true", reason="Redis is not running on 127.0.0.1:6379")
def test_healthz_checks_the_configured_redis(migrated_database):
    app = create_app(test_config(migrated_database, REDIS_URL=redis_url(), RATELIMIT_STORAGE_URI="memory://"))
    response = app.test_client().get("/healthz")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok\n")


@pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": True}])
def test_healthz_is_never_rate_limited(client, app_settings):
    assert {client.get("/healthz").status_code for _ in range(100)} == {200}
