"""The counters kept on rows, checked against COUNT(*): `flask --app wsgi recount` mends any drift."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, CommentLike, Post, PostLike


@dataclass(frozen=True)
class Drift:
    table: str
    row_id: int
    column: str
    stored: int
    counted: int


def _true_counts() -> list[tuple[type, str, sa.ScalarSelect]]:
    """For each counter, the correlated COUNT(*) it must equal."""
    return [
        (
            Post,
            "comment_count",
            sa.select(sa.func.count(Comment.id))
            .where(Comment.post_id == Post.id, Comment.is_public)
            .scalar_subquery(),
        ),
        (Post, "like_count", sa.select(sa.func.count()).where(PostLike.post_id == Post.id).scalar_subquery()),
        (
            Comment,
            "like_count",
            sa.select(sa.func.count()).where(CommentLike.comment_id == Comment.id).scalar_subquery(),
        ),
    ]


def find_drift() -> list[Drift]:
    """Every stored counter that differs from the rows it counts."""
    drift: list[Drift] = []
    for model, column, true_count in _true_counts():
        stored = getattr(model, column)
        rows = db.session.execute(sa.select(model.id, stored, true_count).where(stored != true_count))
        drift += [Drift(model.__tablename__, row_id, column, was, real) for row_id, was, real in rows]
    return drift


def recount() -> int:
    """Set every counter to its COUNT(*); returns how many were wrong."""
    wrong = len(find_drift())
    for model, column, true_count in _true_counts():
        db.session.execute(sa.update(model).values({column: true_count}))
    return wrong
