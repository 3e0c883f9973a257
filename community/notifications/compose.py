"""Batching: the notices waiting for a person become emails. One email per person per post per
NOTIFY_BATCH_MINUTES lists every comment since the last; moderators get one "N comments await
moderation" per period; a daily-digest subscriber gets everything in one email a day."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from community.extensions import db
from community.mail import MessageShape
from community.models import Comment, Notice, OutboxMessage, Post, Subscriber, User
from community.models.base import utcnow
from community.notifications import subscriptions as rules
from community.notifications.messages import Item, comment_item, notification_message, notification_shape, post_item

SUBSCRIBERS_PER_ROUND = 500


def _group(notice: Notice, subscriber: Subscriber) -> tuple[str, int | None]:
    """Which email a notice goes into: the digest, the moderation summary, a new post, or the post's."""
    if notice.reason == "held":
        return "moderation", None
    if subscriber.daily_digest:
        return "digest", None
    return ("post" if notice.reason == "post" else "notices"), notice.post_id


def _last_sent(subscriber_ids: list[int], since) -> set[tuple[int, str, int | None]]:
    """(subscriber, kind, post) of the emails composed since `since`: those groups wait."""
    rows = db.session.execute(
        sa.select(OutboxMessage.subscriber_id, OutboxMessage.kind, OutboxMessage.post_id)
        .where(OutboxMessage.subscriber_id.in_(subscriber_ids), OutboxMessage.created_at >= since)
        .distinct()
    ).all()
    return {(row[0], row[1], row[2]) for row in rows}


def _subject(kind: str, items: list[tuple[Notice, Item]], post: Post | None) -> str:
    site = current_app.config["SITE_NAME"]
    if kind == "moderation":
        count = len(items)
        return f"{count} comment{'s' if count != 1 else ''} await{'s' if count == 1 else ''} moderation at {site}"
    if kind == "digest":
        return f"Your daily digest from {site}: {len(items)} new"
    if len(items) == 1:
        return items[0][1].headline
    return f"{len(items)} new comments on “{post.title}”" if post else f"{len(items)} new at {site}"


def _scope(kind: str, post_id: int | None) -> str:
    if kind == "moderation":
        return rules.MODERATION
    if kind == "post":
        return rules.NEW_POSTS
    if kind == "notices" and post_id is not None:
        return rules.post_scope(post_id)
    return rules.ALL


def compose_due(after: int = 0) -> tuple[int, int | None]:
    """Compose the emails that are due for the next few hundred subscribers with waiting notices
    (those numbered above `after`); returns how many emails, and where to go on from (None at the
    end). The caller commits after each call, and goes on, so people whose next email must still
    wait never hold up the others."""
    now = utcnow()
    batch = timedelta(minutes=current_app.config.get("NOTIFY_BATCH_MINUTES", 10))
    digest_after = timedelta(hours=current_app.config.get("NOTIFY_DIGEST_HOURS", 24))
    waiting = db.session.scalars(
        sa.select(Notice.subscriber_id).where(Notice.message_id.is_(None), Notice.subscriber_id > after)
        .group_by(Notice.subscriber_id).order_by(Notice.subscriber_id).limit(SUBSCRIBERS_PER_ROUND)).all()
    if not waiting:
        return 0, None
    # A subscriber's notices are composed by one worker at a time (SKIP LOCKED on PostgreSQL).
    subscribers = db.session.scalars(
        sa.select(Subscriber).where(Subscriber.id.in_(waiting)).with_for_update(skip_locked=True)).all()
    if not subscribers:
        return 0, waiting[-1]
    by_id = {subscriber.id: subscriber for subscriber in subscribers}
    rows = db.session.execute(
        sa.select(Notice, Comment, Post)
        .outerjoin(Comment, Comment.id == Notice.comment_id).outerjoin(Post, Post.id == Notice.post_id)
        .where(Notice.message_id.is_(None), Notice.subscriber_id.in_(by_id))
        .order_by(Notice.subscriber_id, Notice.id)
    ).all()
    # Accounts' current addresses (messages.address_of) in one query, not one per subscriber.
    accounts = [subscriber.user_id for subscriber in subscribers if subscriber.user_id is not None]
    db.session.scalars(sa.select(User).where(User.id.in_(accounts))).all()
    recent = _last_sent(list(by_id), now - batch)
    recent_digests = _last_sent(list(by_id), now - digest_after)
    groups: dict[tuple[int, str, int | None], list[tuple[Notice, Item]]] = defaultdict(list)
    oldest: dict[tuple[int, str, int | None], object] = {}
    for notice, comment, post in rows:
        subscriber = by_id[notice.subscriber_id]
        if not subscriber.is_active or post is None or (comment is None and notice.reason != "post"):
            db.session.delete(notice)
            continue
        if comment is not None and notice.reason != "held" and not comment.is_public:
            db.session.delete(notice)  # hidden or deleted meanwhile: nobody reads of it now
            continue
        item = post_item(post) if notice.reason == "post" else comment_item(notice.reason, comment, post)
        key = (subscriber.id, *_group(notice, subscriber))
        groups[key].append((notice, item))
        oldest.setdefault(key, notice.created_at)
    shapes: dict[tuple, MessageShape] = {}  # one composing per distinct email, whoever gets it
    composed: list[tuple[OutboxMessage, list[int]]] = []
    for key, items in groups.items():
        subscriber_id, kind, post_id = key
        if kind == "digest":
            if key in recent_digests or now - oldest[key] < digest_after:
                continue
        elif key in recent:
            continue
        post = db.session.get(Post, post_id) if post_id else None
        listed = [item for _notice, item in items]
        subject, scope = _subject(kind, items, post), _scope(kind, post_id)
        shape_key = (subject, scope, tuple(listed))
        if shape_key not in shapes:
            shapes[shape_key] = notification_shape(listed, subject, scope)
        message = notification_message(by_id[subscriber_id], kind, listed, subject, scope, post_id,
                                       shape=shapes[shape_key])
        composed.append((message, [notice.id for notice, _item in items]))
    db.session.add_all(message for message, _ids in composed)
    db.session.flush()  # one INSERT … RETURNING for them all
    if composed:
        notices = Notice.__table__
        db.session.execute(
            sa.update(notices).where(notices.c.id == sa.bindparam("notice")).values(message_id=sa.bindparam("message")),
            [{"notice": notice_id, "message": message.id} for message, ids in composed for notice_id in ids])
    return len(composed), waiting[-1]
