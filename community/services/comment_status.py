"""A comment's standing, one floor under the services that write comments and moderate them: its
status, the post's counters that follow it in the same transaction, tombstones and deletion."""

from __future__ import annotations

import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, CommentStatus, Post
from community.models.base import utcnow
from community.notifications import events as notifications
from community.services.posts import discussion_changed
from community.spam.training import learn_from_status_change


def change_comment_count(post_id: int, delta: int) -> None:
    """Moves the stored count in SQL, so concurrent writers never lose an update; the page changed."""
    db.session.execute(
        sa.update(Post)
        .where(Post.id == post_id)
        .values(comment_count=Post.comment_count + delta, discussion_version=Post.discussion_version + 1)
    )


def change_status(comment: Comment, new_status: CommentStatus) -> None:
    """The one place a status changes: the post's count follows in SQL, in this transaction, the
    spam filter learns from the decision and followers hear of a comment made public."""
    was_counted = comment.is_public
    learn_from_status_change(comment, new_status)
    comment.status = new_status
    delta = int(comment.is_public) - int(was_counted)
    if delta:
        change_comment_count(comment.post_id, delta)
    else:
        discussion_changed(comment.post_id)
    notifications.comment_status_changed(comment)


def has_replies(comment: Comment) -> bool:
    return db.session.scalar(sa.select(Comment.id).where(Comment.parent_id == comment.id).limit(1)) is not None


def delete_or_leave_tombstone(comment: Comment) -> bool:
    """Remove a comment, or, while replies (other people's words) hang under it, keep it as "This
    comment was deleted." so the thread holds, as WordPress and Lobsters do. True when a tombstone
    stays (an earlier tombstone stays as it was)."""
    if has_replies(comment):
        if not comment.is_deleted:
            make_tombstone(comment)
        return True
    parent_id = comment.parent_id
    delete_comment_rows(comment)
    remove_bare_tombstones(parent_id)
    return False


def make_tombstone(comment: Comment) -> None:
    """The comment's words go; "This comment was deleted." stays where it was, holding its replies."""
    if comment.is_public:
        change_comment_count(comment.post_id, -1)
    else:
        discussion_changed(comment.post_id)
    comment.deleted_at = utcnow()
    comment.body_markdown = ""
    comment.body_html = ""


def remove_bare_tombstones(comment_id: int | None) -> None:
    """A tombstone whose last reply went has nothing left to hold: remove it, and so on upwards."""
    while comment_id is not None:
        tombstone = db.session.get(Comment, comment_id)
        if tombstone is None or not tombstone.is_deleted or has_replies(tombstone):
            return
        comment_id = tombstone.parent_id
        delete_comment_rows(tombstone)


def delete_comment_rows(comment: Comment) -> None:
    """Remove a comment and the replies under it; the count drops by the counted ones among them."""
    subtree = sa.and_(
        Comment.root_id == comment.root_id,
        sa.or_(Comment.id == comment.id, Comment.path.like(f"{comment.path}/%")),
    )
    counted = db.session.scalar(
        sa.select(sa.func.count()).where(subtree, Comment.is_public)
    )
    if counted:
        change_comment_count(comment.post_id, -counted)
    discussion_changed(comment.post_id)
    # Deepest first, so no row outlives its parent, whatever the foreign keys cascade.
    ids = db.session.scalars(sa.select(Comment.id).where(subtree).order_by(Comment.depth.desc())).all()
    for comment_id in ids:
        db.session.execute(sa.delete(Comment).where(Comment.id == comment_id))
