"""Who gets what: the worker turns each outbox event into notices, one per person and topic. The
never-rules live here: not to the comment's own author, not for a comment that is not public
(now), not twice for one comment, not to an unconfirmed or stopped address."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from community.extensions import db
from community.models import (
    Comment, CommentStatus, EventKind, LogEntry, Notice, OutboxEvent, Post, Role, Subscriber, Subscription,
    SubscriptionKind, User,
)
from community.models.base import utcnow

BATCH_OF_EVENTS = 100


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _active():
    return sa.and_(Subscriber.confirmed_at.is_not(None), Subscriber.stopped_at.is_(None))


def _notify(recipients: sa.Select, topic: str, reason: str, post_id: int | None, comment_id: int | None) -> None:
    """INSERT … SELECT the recipients' notices; ON CONFLICT DO NOTHING keeps one per person and topic
    (the first reason wins: a reply before a new comment on a followed post)."""
    rows = recipients.add_columns(
        sa.literal(topic), sa.literal(reason), sa.literal(post_id, sa.Integer), sa.literal(comment_id, sa.Integer),
        sa.literal(utcnow(), Notice.__table__.c.created_at.type),
    )
    insert = (pg_insert if _is_postgres() else sqlite_insert)(Notice).from_select(
        ["subscriber_id", "topic", "reason", "post_id", "comment_id", "created_at"], rows)
    db.session.execute(insert.on_conflict_do_nothing(index_elements=["subscriber_id", "topic"]))


def _subscribed(kind: SubscriptionKind, target: int) -> sa.Select:
    return (sa.select(Subscriber.id).join(Subscription, Subscription.subscriber_id == Subscriber.id)
            .where(Subscription.kind == kind, Subscription.target == target, _active()))


def _not_author_of(comment: Comment):
    """Never to the comment's own author, whether an account or a guest's address."""
    if comment.author_id is not None:
        return sa.or_(Subscriber.user_id.is_(None), Subscriber.user_id != comment.author_id)
    return Subscriber.email_key != (comment.guest_email or "").lower()


def _comment_public(comment: Comment, post: Post) -> None:
    if not comment.is_public or not post.is_published:
        return  # moved to spam or trash since, or its post withdrawn: nobody hears of it
    topic, mine = f"comment:{comment.id}", _not_author_of(comment)
    if comment.parent_id is not None:
        parent = db.session.get(Comment, comment.parent_id)
        if parent is not None:
            _notify(_subscribed(SubscriptionKind.REPLIES, parent.id).where(mine), topic, "reply", post.id, comment.id)
    muted = sa.exists().where(Subscription.subscriber_id == Subscriber.id,
                              Subscription.kind == SubscriptionKind.MUTED, Subscription.target == post.id)
    author = sa.select(Subscriber.id).where(Subscriber.user_id == post.author_id, Subscriber.own_posts.is_(True),
                                            _active(), ~muted, mine)
    _notify(author, topic, "own-post", post.id, comment.id)
    _notify(_subscribed(SubscriptionKind.COMMENTS, post.id).where(mine), topic, "comment", post.id, comment.id)
    approved_later = db.session.scalar(sa.select(LogEntry.id).where(
        LogEntry.comment_id == comment.id, LogEntry.status_after == CommentStatus.APPROVED).limit(1))
    if approved_later:
        # Its author hears that it is public, if they asked for any mail about this post.
        asked = sa.exists().where(Subscription.subscriber_id == Subscriber.id, Subscription.post_id == post.id,
                                  Subscription.kind != SubscriptionKind.MUTED)
        own = (Subscriber.user_id == comment.author_id if comment.author_id is not None
               else Subscriber.email_key == (comment.guest_email or "").lower())
        _notify(sa.select(Subscriber.id).where(own, asked, _active()), topic, "approved", post.id, comment.id)


def _comment_held(comment: Comment, post: Post) -> None:
    if comment.status != CommentStatus.PENDING or comment.is_deleted:
        return
    moderators = (sa.select(Subscriber.id).join(User, User.id == Subscriber.user_id)
                  .where(User.role.in_((Role.MODERATOR, Role.ADMIN)), Subscriber.moderation.is_(True), _active(),
                         sa.or_(User.suspended_until.is_(None), User.suspended_until < utcnow()),
                         _not_author_of(comment)))
    _notify(moderators, f"held:{comment.id}", "held", post.id, comment.id)


def _post_published(post: Post) -> None:
    if not post.is_published:
        return
    followers = _subscribed(SubscriptionKind.POSTS, 0).where(
        sa.or_(Subscriber.user_id.is_(None), Subscriber.user_id != post.author_id))
    _notify(followers, f"post:{post.id}", "post", post.id, None)


def expand_events(limit: int = BATCH_OF_EVENTS) -> int:
    """Expand waiting events into notices, in one transaction per batch (the caller commits). On
    PostgreSQL several workers take different events (FOR UPDATE SKIP LOCKED)."""
    query = (sa.select(OutboxEvent).where(OutboxEvent.done_at.is_(None)).order_by(OutboxEvent.id).limit(limit)
             .with_for_update(skip_locked=True))
    events = db.session.scalars(query).all()
    for event in events:
        post = db.session.get(Post, event.post_id) if event.post_id else None
        comment = db.session.get(Comment, event.comment_id) if event.comment_id else None
        if post is not None:
            if event.kind == EventKind.COMMENT_PUBLIC and comment is not None:
                _comment_public(comment, post)
            elif event.kind == EventKind.COMMENT_HELD and comment is not None:
                _comment_held(comment, post)
            elif event.kind == EventKind.POST_PUBLISHED:
                _post_published(post)
        event.done_at = utcnow()
    db.session.flush()
    return len(events)
