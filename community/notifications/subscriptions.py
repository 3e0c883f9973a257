"""Who asked for what: subscribing from the comment form or "Follow this discussion", the double
opt-in that must come first, and unsubscribing. Plain functions that flush and never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from community.extensions import db
from community.models import (
    Comment, Notice, OutboxMessage, Post, Subscriber, Subscription, SubscriptionKind, User,
)
from community.models.base import utcnow
from community.models.notification import MessageStatus
from community.services import DomainError
from community.notifications.messages import confirmation_message
from community.notifications.scopes import (  # noqa: F401  (ALL, describe_scope, post_scope: the views' and compose's names)
    ALL, MODERATION, NEW_POSTS, describe_scope, post_scope, scope_id,
)
from community.services.comments import check_guest_email

CONFIRMATION_EVERY = timedelta(hours=24)  # at most one confirmation email per address per day
UNCONFIRMED_EXPIRE = timedelta(days=7)
CHECK_INBOX = ("Check your inbox to confirm your subscription: we sent a link to your address, "
               "and nothing else is sent there until it is followed.")
SITE = 0  # the target of a subscription to every new post


@dataclass(frozen=True)
class Choices:
    """The boxes ticked under a comment."""

    replies: bool = False
    comments: bool = False
    posts: bool = False

    def __bool__(self) -> bool:
        return self.replies or self.comments or self.posts


def _insert(model):
    return (pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert)(model)


def _subscriber(email: str, user: User | None) -> Subscriber:
    """The one subscriber row of an address, made if missing (INSERT … ON CONFLICT DO NOTHING, so
    two requests at once agree); an account's address is tied to the account."""
    key = email.lower()
    db.session.execute(_insert(Subscriber).values(email=email, email_key=key, created_at=utcnow())
                       .on_conflict_do_nothing(index_elements=["email_key"]))
    subscriber = db.session.scalar(sa.select(Subscriber).where(Subscriber.email_key == key))
    if user is not None and subscriber.user_id is None:
        subscriber.user_id = user.id
    return subscriber


def subscriber_of(user: User) -> Subscriber:
    """An account's subscriber row (its settings live there), made if missing."""
    subscriber = existing_subscriber(user)
    if subscriber is None:
        return _subscriber(user.email, user)
    if subscriber.user_id is None:
        subscriber.user_id = user.id  # the address was a guest's before the account was made
    return subscriber


def existing_subscriber(user: User) -> Subscriber | None:
    return db.session.scalar(sa.select(Subscriber).where(
        sa.or_(Subscriber.user_id == user.id, Subscriber.email_key == user.email.lower())))


def unsaved_subscriber(user: User) -> Subscriber:
    """What an account's settings are before it has a row (shown on GET, which writes nothing)."""
    return Subscriber(email=user.email, email_key=user.email.lower(), user_id=user.id, daily_digest=False,
                      own_posts=True, moderation=True, default_replies=False, default_comments=False,
                      hard_bounces=0)


def _add(subscriber: Subscriber, kind: SubscriptionKind, target: int, post_id: int | None = None,
         comment_id: int | None = None) -> None:
    db.session.execute(
        _insert(Subscription)
        .values(subscriber_id=subscriber.id, kind=kind, target=target, post_id=post_id, comment_id=comment_id,
                created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["subscriber_id", "kind", "target"])
    )


def subscribe_after_comment(comment: Comment, choices: Choices) -> bool:
    """What the boxes under a new comment asked for: an account's settings tick them on the form
    (community.discussion), so a box left unticked means "not for this comment". True when the
    address must be confirmed first: the page says "Check your inbox …"."""
    if not choices:
        return False
    subscriber = subscriber_of(comment.author) if comment.author is not None else _subscriber(comment.guest_email, None)
    if choices.replies:
        _add(subscriber, SubscriptionKind.REPLIES, comment.id, comment.post_id, comment.id)
    if choices.comments:
        _add(subscriber, SubscriptionKind.COMMENTS, comment.post_id, comment.post_id)
        _unmute(subscriber, comment.post_id)
    if choices.posts:
        _add(subscriber, SubscriptionKind.POSTS, SITE)
    db.session.flush()
    return ask_for_confirmation(subscriber)


def follow_post(post: Post, user: User | None, email: str | None = None) -> bool:
    """"Follow this discussion" without commenting; True when a confirmation email is needed."""
    if not post.is_published:
        raise DomainError("Only published posts can be followed.", status=404)
    subscriber = subscriber_of(user) if user is not None else _subscriber(check_guest_email(email), None)
    _add(subscriber, SubscriptionKind.COMMENTS, post.id, post.id)
    _unmute(subscriber, post.id)
    db.session.flush()
    return ask_for_confirmation(subscriber)


def _unmute(subscriber: Subscriber, post_id: int) -> None:
    db.session.execute(sa.delete(Subscription).where(
        Subscription.subscriber_id == subscriber.id, Subscription.kind == SubscriptionKind.MUTED,
        Subscription.target == post_id))


def ask_for_confirmation(subscriber: Subscriber) -> bool:
    """Queue the confirmation email unless the address is confirmed or one went out within a day;
    True while the address is unconfirmed (so the page asks to check the inbox)."""
    if subscriber.confirmed_at is not None:
        if subscriber.stopped_at is not None and subscriber.hard_bounces == 0:
            subscriber.stopped_at = None  # unsubscribed from everything before; asking again restarts
        return False
    now = utcnow()
    if subscriber.confirmation_sent_at is None or now - subscriber.confirmation_sent_at >= CONFIRMATION_EVERY:
        subscriber.confirmation_sent_at = now
        db.session.add(confirmation_message(subscriber, UNCONFIRMED_EXPIRE.days))
        db.session.flush()
    return True


def confirm(subscriber: Subscriber) -> None:
    """The link in the confirmation email was followed: the address may receive mail."""
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = utcnow()
    db.session.flush()


# --- stopping ------------------------------------------------------------------------------------

def unsubscribe(subscriber: Subscriber, scope: str) -> None:
    """Stop what the link names; lines already waiting for the next email go too. Idempotent."""
    waiting = sa.delete(Notice).where(Notice.subscriber_id == subscriber.id, Notice.message_id.is_(None))
    if scope == NEW_POSTS:
        _remove(subscriber, Subscription.kind == SubscriptionKind.POSTS)
        db.session.execute(waiting.where(Notice.reason == "post"))
    elif scope == MODERATION:
        subscriber.moderation = False
        db.session.execute(waiting.where(Notice.reason == "held"))
    elif scope.startswith("post:"):
        post_id = scope_id(scope)
        _remove(subscriber, sa.and_(Subscription.post_id == post_id, Subscription.kind != SubscriptionKind.MUTED))
        if subscriber.user_id is not None and db.session.scalar(
                sa.select(Post.id).where(Post.id == post_id, Post.author_id == subscriber.user_id)):
            _add(subscriber, SubscriptionKind.MUTED, post_id, post_id)  # the author's own post stops too
        db.session.execute(waiting.where(Notice.post_id == post_id, Notice.reason != "held"))
    else:
        _remove(subscriber, sa.true())
        subscriber.stopped_at = subscriber.stopped_at or utcnow()
        db.session.execute(waiting)
    db.session.flush()


def remove_subscription(subscriber: Subscriber, subscription_id: int) -> None:
    """One row of the manage page; another subscriber's row is never touched."""
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None or subscription.subscriber_id != subscriber.id:
        raise DomainError("That subscription is already gone.", status=404)
    if subscription.post_id is not None and subscription.kind != SubscriptionKind.MUTED:
        unsubscribe(subscriber, post_scope(subscription.post_id))
    else:
        db.session.delete(subscription)
        db.session.flush()


def _remove(subscriber: Subscriber, condition) -> None:
    db.session.execute(sa.delete(Subscription).where(Subscription.subscriber_id == subscriber.id, condition))


def save_settings(subscriber: Subscriber, *, daily_digest: bool, own_posts: bool | None = None,
                  moderation: bool | None = None, default_replies: bool | None = None,
                  default_comments: bool | None = None) -> None:
    subscriber.daily_digest = daily_digest
    for name, value in (("own_posts", own_posts), ("moderation", moderation),
                        ("default_replies", default_replies), ("default_comments", default_comments)):
        if value is not None:
            setattr(subscriber, name, value)
    db.session.flush()


def subscriptions_of(subscriber: Subscriber) -> list[tuple[Subscription, Post | None]]:
    """A subscriber's subscriptions with their posts, for the manage page, in one query (the
    post's author is not loaded: its inner join would drop the rows without a post)."""
    rows = db.session.execute(
        sa.select(Subscription, Post).outerjoin(Post, Post.id == Subscription.post_id)
        .options(sa.orm.lazyload(Post.author))
        .where(Subscription.subscriber_id == subscriber.id).order_by(Subscription.id)
    ).all()
    return [(subscription, post) for subscription, post in rows]


def expire_unconfirmed() -> int:
    """Requests not confirmed within 7 days go: a guest's address entirely, an account's
    subscriptions. Returns how many addresses went."""
    cutoff = utcnow() - UNCONFIRMED_EXPIRE
    stale = sa.select(Subscriber.id).where(Subscriber.confirmed_at.is_(None), Subscriber.created_at < cutoff)
    db.session.execute(sa.delete(Subscription).where(Subscription.subscriber_id.in_(stale),
                                                     Subscription.created_at < cutoff))
    gone = db.session.execute(sa.delete(Subscriber).where(
        Subscriber.id.in_(stale.where(Subscriber.user_id.is_(None))),
        ~sa.exists().where(OutboxMessage.subscriber_id == Subscriber.id,
                           OutboxMessage.status == MessageStatus.QUEUED)))
    db.session.flush()
    return gone.rowcount or 0


def bounce_limit() -> int:
    return int(current_app.config.get("NOTIFY_BOUNCE_LIMIT", 3))
