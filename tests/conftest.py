"""Fixtures: a migrated database per session (SQLite, or TEST_DATABASE_URL), emptied before each test,
an app, a client that keeps CSRF on, and one user of each role."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from community import create_app
from community.extensions import db
from community.models import Role, User
from community.services.accounts import create_account

PASSWORD = "correct horse battery"
# Cheap Argon2 parameters: the tests create many accounts; production keeps the library's defaults.
FAST_HASHING = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


@contextmanager
def scratch_postgres_database(url: str, prefix: str = "community_test") -> Iterator[str]:
    """A new, empty database beside the one `url` names, dropped afterwards, so that runs of the
    suite (a developer's, a helper's, CI's) never share tables."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_config(database_url: str, **overrides: object) -> dict[str, object]:
    config: dict[str, object] = {
        "TESTING": True,
        "SECRET_KEY": "test secret key, not for production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PASSWORD_HASH_PARAMS": FAST_HASHING,
        # The discussion tests post many comments quickly from new accounts; the moderation tests
        # switch these rules back on where they test them.
        "HOLD_FIRST_COMMENT": False,
        "FLOOD_SECONDS": 0,
        # The suite logs in and comments far more often than people do; tests/test_rate_limits.py
        # switches the limits back on.
        "RATELIMIT_ENABLED": False,
        # Tests post comments without drawing the form first; tests/test_spam_*.py switch it on.
        "SPAM_FORM_CHECKS": False,
    }
    if is_postgres(database_url):
        # A commit need not wait for the disk (a crash of the database server would lose the last
        # commits, which a test never needs): the suite commits thousands of times.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True,
                                               "connect_args": {"options": "-c synchronous_commit=off"}}
    if "REDIS_URL" not in overrides:  # each test's app counts afresh (tests/test_ratelimit_file.py tries the file)
        config["RATELIMIT_STORAGE_URI"] = "memory://"
    config.update(overrides)
    return config


test_config.__test__ = False  # a helper, not a test


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        with scratch_postgres_database(url) as scratch_url:
            yield scratch_url
        return
    yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def migrated_database(database_url: str) -> str:
    """The schema built the way production builds it: by running the migrations."""
    app = create_app(test_config(database_url))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return database_url


def empty_all_tables() -> None:
    """Every table emptied and every id counting from 1 again. DELETE rather than PostgreSQL's
    TRUNCATE: a test leaves a few rows in a few tables, and TRUNCATE makes new files for every
    table it names (about a quarter of a second a test, most of the PostgreSQL pass's extra time)."""
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
        if connection.dialect.name == "postgresql":
            used = connection.execute(sa.text(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences"
                " WHERE last_value IS NOT NULL")).scalars().all()
            for sequence in used:
                connection.execute(sa.text(f"ALTER SEQUENCE {sequence} RESTART"))


@pytest.fixture
def app_settings() -> dict[str, object]:
    """Settings a test module gives its app, over test_config's (override this fixture there)."""
    return {}


@pytest.fixture
def app(migrated_database: str, app_settings: dict[str, object]) -> Iterator[Flask]:
    app = create_app(test_config(migrated_database, **app_settings))
    with app.app_context():
        empty_all_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The session's CSRF token, read from a page as a browser would."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(client: FlaskClient, path: str, data: dict[str, object] | None = None, **kwargs):
    """POST a form with a valid CSRF token, as the page's own form would."""
    fields = {"csrf_token": csrf_token(client)}
    fields.update(data or {})
    return client.post(path, data=fields, **kwargs)


@dataclass
class Accounts:
    reader: User
    other_reader: User
    author: User
    other_author: User
    moderator: User
    admin: User


@pytest.fixture
def users(app: Flask) -> Accounts:
    with app.app_context():
        made = Accounts(
            reader=create_account("reader", "reader@example.org", PASSWORD, Role.READER),
            other_reader=create_account("Ana", "ana@example.org", PASSWORD, Role.READER),
            author=create_account("author", "author@example.org", PASSWORD, Role.AUTHOR),
            other_author=create_account("other_author", "other@example.org", PASSWORD, Role.AUTHOR),
            moderator=create_account("moderator", "mod@example.org", PASSWORD, Role.MODERATOR),
            admin=create_account("admin", "admin@example.org", PASSWORD, Role.ADMIN),
        )
        db.session.commit()
        for user in vars(made).values():
            db.session.refresh(user)
        db.session.expunge_all()
        return made


class AuthActions:
    """Log in and out through the real forms."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, login: str = "reader", password: str = PASSWORD, **extra: object):
        response = post_form(self.client, "/auth/login", {"login": login, "password": password, **extra})
        assert response.status_code == 302, f"could not log in as {login}"
        return response

    def logout(self):
        return post_form(self.client, "/auth/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def form_sent_after(monkeypatch):
    """The spam filter's form clock held still: every comment form is drawn at one fixed second,
    and `move(n)` makes the forms sent n seconds after it (60 until moved), so no test races the
    machine (community.spam.form_token)."""
    import time
    from datetime import datetime, timezone

    from itsdangerous.timed import TimestampSigner

    from community.spam import form_token

    drawn = int(time.time())
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: drawn)

    def move(seconds: float) -> None:
        monkeypatch.setattr(form_token, "utcnow", lambda: datetime.fromtimestamp(drawn + seconds, timezone.utc))
    move(60)
    return move
