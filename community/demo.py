"""The demo site: accounts, two essays and their discussions, from demo_content.toml."""

from __future__ import annotations

import secrets
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from community.extensions import db
from community.models import CommentStatus, Post, Role, User
from community.models.base import utcnow
from community.services.accounts import create_account
from community.services.comments import Guest, add_comment
from community.services.moderation import Action, moderate_comment
from community.services.likes import set_comment_like, set_post_like
from community.services.posts import create_post

CONTENT_FILE = Path(__file__).with_name("demo_content.toml")


def load_content() -> dict[str, Any]:
    with CONTENT_FILE.open("rb") as handle:
        return tomllib.load(handle)


def load_demo() -> str:
    """Create the demo content in one transaction, unless it is already there."""
    content = load_content()
    admin_name = next(u["username"] for u in content["users"] if u["role"] == Role.ADMIN)
    if db.session.scalar(sa.select(User.id).where(User.username_key == admin_name.lower())):
        return "The demo content is already loaded; nothing changed."

    admin_password = secrets.token_urlsafe(12)
    others_password = secrets.token_urlsafe(9)
    users: dict[str, User] = {}
    for spec in content["users"]:
        password = admin_password if spec["role"] == Role.ADMIN else others_password
        users[spec["username"]] = create_account(spec["username"], spec["email"], password, Role(spec["role"]))

    now = utcnow()
    for essay in content["essays"]:
        post = create_post(users[essay["author"]], essay["title"], essay["body"], publish=True)
        post.published_at = post.created_at = now - timedelta(days=essay["published_days_ago"])
        load_discussion(post, essay, users)
    hold_for_review(post, content.get("held_comments", []))
    db.session.commit()

    return "Demo content loaded. Log in as any of these accounts (passwords shown only now):\n" + account_table(
        [(name, user.role, admin_password if user.role == Role.ADMIN else others_password) for name, user in users.items()]
    )


def account_table(rows: list[tuple[str, str, str]]) -> str:
    """Account, role and password in aligned columns, for the terminal."""
    rows = [("account", "role", "password"), *rows]
    widths = [max(len(row[column]) for row in rows) for column in range(2)]
    return "\n".join(f"  {name:<{widths[0]}}  {role:<{widths[1]}}  {password}" for name, role, password in rows)


def load_discussion(post: Post, essay: dict[str, Any], users: dict[str, User]) -> None:
    """The essay's likes and its comments, each at its own time after the essay, through the same
    services a reader's actions go through, so every count is kept as in real use."""
    for username in essay.get("liked_by", []):
        set_post_like(users[username], post, True)
    comment_ids: dict[str, int] = {}
    moderator = next(user for user in users.values() if user.is_moderator)
    for spec in essay.get("comments", []):
        author = users.get(spec["author"]) if "author" in spec else None
        guest = None if author else Guest(spec["guest_name"], spec["guest_email"], spec.get("guest_website"))
        parent_id = comment_ids[spec["reply_to"]] if "reply_to" in spec else None
        comment = add_comment(post, spec["body"], author=author, guest=guest, parent_id=parent_id)
        comment.created_at = post.published_at + timedelta(minutes=spec["minutes_after"])
        if comment.status == CommentStatus.PENDING:  # a first comment, held; the moderator let it in
            moderate_comment(moderator, comment, Action.APPROVE)
        comment_ids[spec["key"]] = comment.id
        for username in spec.get("liked_by", []):
            set_comment_like(users[username], comment, True)
    db.session.flush()


def hold_for_review(post: Post, held: list[dict[str, str]]) -> None:
    """A few guest comments the rules hold, so the moderation queue has work to show."""
    for spec in held:
        add_comment(post, spec["body"], guest=Guest(spec["guest_name"], spec["guest_email"]), ip_address=spec.get("ip"))
