"""The outbox's door: the one call the services make when a comment or a post changes status. It
writes an event in the caller's transaction (never sends anything), so no change is lost and no
mail leaves for a change that was rolled back. Imports models only, so any service may call it."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from community.extensions import db
from community.models import Comment, CommentStatus, EventKind, OutboxEvent, Post


def _record(kind: EventKind, target: int, post_id: int | None, comment_id: int | None = None) -> None:
    """One event per (kind, target), ever: INSERT … ON CONFLICT DO NOTHING."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(OutboxEvent)
        .values(kind=kind, target=target, post_id=post_id, comment_id=comment_id)
        .on_conflict_do_nothing(index_elements=["kind", "target"])
    )


def comment_status_changed(comment: Comment) -> None:
    """Call after a comment is written or its status moves: public comments are announced (once),
    held ones tell the moderators; spam, trash and deleted comments announce nothing."""
    if comment.is_deleted:
        return
    if comment.status == CommentStatus.APPROVED:
        _record(EventKind.COMMENT_PUBLIC, comment.id, comment.post_id, comment.id)
    elif comment.status == CommentStatus.PENDING:
        _record(EventKind.COMMENT_HELD, comment.id, comment.post_id, comment.id)


def post_published(post: Post) -> None:
    """Call when a post becomes published: its followers hear of it, once, however often it is
    withdrawn and published again."""
    if post.is_published:
        _record(EventKind.POST_PUBLISHED, post.id, post.id)
