"""`GET /healthz`: 200 `ok` when the database answers (and Redis, when REDIS_URL is set), else 503
naming what does not. Cheap enough to be called every second: one `SELECT 1` on a pooled
connection and one PING; no account is loaded, no session cookie is set, and it is never rate
limited (no limit of the site applies to a GET)."""

from __future__ import annotations

from collections.abc import Callable

import redis
import sqlalchemy as sa
from flask import Blueprint, Response, current_app

from community.extensions import db

bp = Blueprint("health", __name__)

# A monitor waits this long at most for Redis; an answer later than that is an outage anyway.
REDIS_TIMEOUT_SECONDS = 2.0


def database_answers() -> bool:
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        current_app.logger.warning("healthz: the database does not answer", exc_info=True)
        return False
    return True


def _redis_client() -> redis.Redis:
    """One client (and its connection pool) per app, made at the first check."""
    client = current_app.extensions.get("healthz_redis")
    if client is None:
        client = current_app.extensions["healthz_redis"] = redis.Redis.from_url(
            current_app.config["REDIS_URL"],
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
    return client


def redis_answers() -> bool:
    try:
        return bool(_redis_client().ping())
    except redis.RedisError:
        current_app.logger.warning("healthz: Redis does not answer", exc_info=True)
        return False


def checks() -> dict[str, Callable[[], bool]]:
    """What this server needs to serve: the database, and Redis when the site is configured with it."""
    needed: dict[str, Callable[[], bool]] = {"database": database_answers}
    if current_app.config.get("REDIS_URL"):
        needed["redis"] = redis_answers
    return needed


@bp.get("/healthz")
def healthz() -> Response:
    failing = [name for name, check in checks().items() if not check()]
    body, status = ("ok\n", 200) if not failing else (f"unavailable: {', '.join(failing)}\n", 503)
    response = Response(body, status=status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response
