"""The lossless export: export, import into an empty database, export again: the same bytes, on
this suite's database, and from SQLite into PostgreSQL when TEST_DATABASE_URL names one."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa

from community import create_app
from community.extensions import db
from community.models import Comment
from community.models import Post
from community.models.base import utcnow
from community.notifications.subscriptions import confirm, existing_subscriber, follow_post
from community.services.comments import Guest, delete_own_comment
from community.services.moderation import Action, moderate_comment, save_settings, suspend
from community.services.reports import report_comment
from tests.conftest import empty_all_tables, is_postgres, test_config
from tests.factories import like_comment, like_post, make_comment, make_post, user_named
from tests.test_authorization_matrix import snapshot
from tests.test_import_wordpress import EXPORT as WORDPRESS_EXPORT


def build_site(app, runner) -> None:
    """A site with something in every table: posts, threads, every status, a tombstone, likes,
    reports, the log, settings, a suspension, and an imported blog with its old links."""
    assert runner.invoke(args=["import-wordpress", str(WORDPRESS_EXPORT)]).exit_code == 0
    slug = make_post(app, title="Ünïcode & “quotes”", body="# Heading\n\nWords with <b>tags</b> and a [link](https://e.org).")
    make_post(app, title="Still a draft", publish=False)
    top = make_comment(app, slug, "First, with **bold**.")
    reply = make_comment(app, slug, "A reply.", author="Ana", parent_id=top)
    make_comment(app, slug, "Guest words.", author=None, guest=Guest("Wren", "wren@example.net", "https://wren.example"))
    gone = make_comment(app, slug, "Regretted.", author="reader")
    make_comment(app, slug, "Keeps the tombstone.", author="Ana", parent_id=gone)
    like_post(app, slug, "reader")
    like_comment(app, reply, "reader")
    with app.app_context():
        delete_own_comment(user_named("reader"), db.session.get(Comment, gone))
        report_comment(user_named("reader"), db.session.get(Comment, reply), "off-topic", "Wandering.")
        moderate_comment(user_named("moderator"), db.session.get(Comment, top), Action.SPAM, "Looks odd")
        save_settings(user_named("admin"), {"max_links": 5, "moderation_words": "casino\nlottery"})
        suspend(user_named("admin"), user_named("Ana"), utcnow() + timedelta(days=2), "Cooling off.")
        follow_post(db.session.scalar(sa.select(Post).filter_by(slug=slug)), user_named("author"))
        confirm(existing_subscriber(user_named("author")))
        db.session.commit()
    make_comment(app, slug, "Words for the follower.", author="moderator")
    # The worker turns that comment into a notice and a message, written here as an .eml file.
    with tempfile.TemporaryDirectory() as instance:
        app.instance_path = instance
        result = runner.invoke(args=["mail-worker", "--once"])
        assert result.exit_code == 0, result.output


def export(runner, path: Path, *options: str) -> bytes:
    result = runner.invoke(args=["export", str(path), *options])
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def load(runner, path: Path) -> None:
    result = runner.invoke(args=["import-export", str(path)])
    assert result.exit_code == 0, result.output


def test_export_import_export_gives_the_same_file(app, users, runner, tmp_path):
    build_site(app, runner)
    first = export(runner, tmp_path / "first.jsonl")
    rows = snapshot(app)
    with app.app_context():
        empty_all_tables()
    load(runner, tmp_path / "first.jsonl")
    assert export(runner, tmp_path / "second.jsonl") == first
    again = snapshot(app)
    assert {table: len(found) for table, found in again.items()} == {table: len(found) for table, found in rows.items()}


def test_export_holds_every_table_without_password_hashes(app, users, runner, tmp_path):
    build_site(app, runner)
    lines = export(runner, tmp_path / "site.jsonl").decode().splitlines()
    header = json.loads(lines[0])
    tables = {json.loads(line)["table"] for line in lines[1:]}
    assert set(header["tables"]) <= tables | {"alembic_version"}
    assert {"users", "posts", "comments", "post_likes", "comment_likes", "reports", "moderation_log",
            "moderation_settings", "old_links"} <= tables
    assert "argon2" not in "\n".join(lines) and "password_hash" not in "\n".join(lines[1:])
    posts = [json.loads(line)["row"] for line in lines if '"table": "posts"' in line]
    assert all(post["body_markdown"] and post["body_html"] for post in posts)


def test_with_secrets_keeps_passwords_working(app, users, runner, tmp_path, auth):
    export(runner, tmp_path / "site.jsonl", "--with-secrets")
    assert "argon2" in (tmp_path / "site.jsonl").read_text()
    with app.app_context():
        empty_all_tables()
    load(runner, tmp_path / "site.jsonl")
    auth.login("reader")


def test_without_secrets_accounts_log_in_after_a_reset(app, users, runner, tmp_path):
    from community.services.accounts import authenticate
    from tests.conftest import PASSWORD

    export(runner, tmp_path / "site.jsonl")
    with app.app_context():
        empty_all_tables()
    load(runner, tmp_path / "site.jsonl")
    with app.app_context():
        assert user_named("reader") is not None
        assert authenticate("reader", PASSWORD) is None


def test_import_refuses_a_site_that_is_not_empty(app, users, runner, tmp_path):
    export(runner, tmp_path / "site.jsonl")
    before = snapshot(app)
    result = runner.invoke(args=["import-export", str(tmp_path / "site.jsonl")])
    assert result.exit_code == 1
    assert "The database is not empty" in result.output
    assert snapshot(app) == before


@pytest.mark.parametrize("content, message", [
    ("not json\n", "not a Community export"),
    ('{"format": "community-export", "version": 99}\n', "version this site reads"),
])
def test_import_refuses_other_files(app, runner, tmp_path, content, message):
    path = tmp_path / "other.jsonl"
    path.write_text(content)
    result = runner.invoke(args=["import-export", str(path)])
    assert result.exit_code == 1 and message in result.output


def test_a_broken_line_writes_nothing(app, users, runner, tmp_path):
    lines = export(runner, tmp_path / "site.jsonl").decode().splitlines()
    lines.insert(3, '{"table": "no_such_table", "row": {}}')
    (tmp_path / "broken.jsonl").write_text("\n".join(lines) + "\n")
    with app.app_context():
        empty_all_tables()
    result = runner.invoke(args=["import-export", str(tmp_path / "broken.jsonl")])
    assert result.exit_code == 1 and "Line 4 cannot be read" in result.output
    assert all(not rows for rows in snapshot(app).values())


@pytest.mark.skipif(not is_postgres(os.environ.get("TEST_DATABASE_URL", "")),
                    reason="needs PostgreSQL (TEST_DATABASE_URL) to move a SQLite site into")
def test_a_sqlite_site_moves_to_postgresql_unchanged(app, users, runner, tmp_path):
    sqlite_app = create_app(test_config(f"sqlite:///{tmp_path / 'small-site.sqlite3'}"))
    with sqlite_app.app_context():
        flask_migrate.upgrade()
    sqlite_runner = sqlite_app.test_cli_runner()
    from community.services.accounts import create_account
    from community.models import Role
    from tests.conftest import PASSWORD

    with sqlite_app.app_context():
        for name, role in (("author", Role.AUTHOR), ("reader", Role.READER), ("Ana", Role.READER),
                           ("moderator", Role.MODERATOR), ("admin", Role.ADMIN)):
            create_account(name, f"{name.lower()}@example.org", PASSWORD, role)
        db.session.commit()
    build_site(sqlite_app, sqlite_runner)
    from_sqlite = export(sqlite_runner, tmp_path / "from-sqlite.jsonl")
    with sqlite_app.app_context():
        db.engine.dispose()
    with app.app_context():
        empty_all_tables()
    load(runner, tmp_path / "from-sqlite.jsonl")  # into this suite's PostgreSQL database
    assert export(runner, tmp_path / "from-postgres.jsonl") == from_sqlite
