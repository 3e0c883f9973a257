"""Everything the site holds about one account, or about the guest comments under one email
address, as plain JSON-ready data. Tables other parts of the site add later that point at an
account (subscriptions, say) are included as they are, so nothing is left out by omission."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import url_for

from community.extensions import db
from community.models import Comment, CommentLike, Post, PostLike, Report, User
from community.models.base import utcnow
from community.transfer.jsonl import plain_value, is_secret

HANDLED_TABLES = {"users", "posts", "comments", "post_likes", "comment_likes", "reports", "moderation_log"}


def references_to_users() -> list[tuple[sa.Table, sa.Column]]:
    """Every (table, column) pointing at users.id outside the tables this package handles by name."""
    found = []
    for table in db.metadata.sorted_tables:
        if table.name in HANDLED_TABLES:
            continue
        for key in table.foreign_keys:
            if key.column.table.name == "users" and key.column.name == "id":
                found.append((table, key.parent))
    return found


def _row(table: sa.Table, row: sa.Row) -> dict[str, Any]:
    return {column.name: plain_value(value) for column, value in zip(table.columns, row, strict=True)
            if not is_secret(table, column)}


def _comment(comment: Comment, post: Post) -> dict[str, Any]:
    return {
        "id": comment.id, "post": {"id": post.id, "title": post.title, "url": url_for("posts.detail", slug=post.slug, _external=True)},
        "parent_id": comment.parent_id, "status": comment.status, "created_at": plain_value(comment.created_at),
        "edited_at": plain_value(comment.edited_at), "deleted_at": plain_value(comment.deleted_at),
        "name": comment.guest_name, "email": comment.guest_email, "website": comment.guest_website,
        "ip_address": comment.ip_address, "body_markdown": comment.body_markdown, "body_html": comment.body_html,
        "like_count": comment.like_count,
    }


def _comments(where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
    rows = db.session.execute(sa.select(Comment, Post).join(Post, Post.id == Comment.post_id).where(where).order_by(Comment.id))
    return [_comment(comment, post) for comment, post in rows]


def account_data(user: User) -> dict[str, Any]:
    users = User.__table__
    account = _row(users, db.session.execute(sa.select(users).where(users.c.id == user.id)).one())
    other: dict[str, list[dict[str, Any]]] = {}
    for table, column in references_to_users():
        rows = db.session.execute(sa.select(table).where(column == user.id)).all()
        if rows:
            other.setdefault(table.name, []).extend(_row(table, row) for row in rows)
    return {
        "exported_at": plain_value(utcnow()),
        "account": account,
        "posts": [{"id": post.id, "title": post.title, "slug": post.slug, "status": post.status,
                   "created_at": plain_value(post.created_at)}
                  for post in db.session.scalars(sa.select(Post).where(Post.author_id == user.id).order_by(Post.id))],
        "comments": _comments(Comment.author_id == user.id),
        "likes": {
            "posts": [{"post_id": like.post_id, "created_at": plain_value(like.created_at)}
                      for like in db.session.scalars(sa.select(PostLike).where(PostLike.user_id == user.id))],
            "comments": [{"comment_id": like.comment_id, "created_at": plain_value(like.created_at)}
                         for like in db.session.scalars(sa.select(CommentLike).where(CommentLike.user_id == user.id))],
        },
        "reports_made": [{"comment_id": report.comment_id, "reason": report.reason, "details": report.details,
                          "created_at": plain_value(report.created_at), "resolved_at": plain_value(report.resolved_at),
                          "resolution": report.resolution}
                         for report in db.session.scalars(sa.select(Report).where(Report.reporter_id == user.id))],
        # Subscriptions and anything else that points at the account, table by table.
        "other": other,
    }


def guest_data(email: str) -> dict[str, Any]:
    return {"exported_at": plain_value(utcnow()), "email": email, "comments": _comments(guest_comments_of(email))}


def guest_comments_of(email: str) -> sa.ColumnElement[bool]:
    return sa.and_(Comment.author_id.is_(None), Comment.guest_email == email.strip().lower())
