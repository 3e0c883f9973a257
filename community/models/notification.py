"""Email notifications: who asked for mail (a subscriber is one address), what they asked for
(subscriptions), what happened (outbox events, written with the change), the lines waiting for
each person (notices) and the emails themselves (outbox messages)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from community.models.base import Base, utcnow

HARD_BOUNCE_LIMIT = 3  # hard bounces after which an address gets nothing more


class SubscriptionKind(StrEnum):
    REPLIES = "replies"  # direct replies to one comment
    COMMENTS = "comments"  # every new public comment on one post
    POSTS = "posts"  # every newly published post on the site
    MUTED = "muted"  # a post author who wants no mail about this post


class EventKind(StrEnum):
    COMMENT_PUBLIC = "comment-public"  # a comment became public (posted, or approved later)
    COMMENT_HELD = "comment-held"  # a comment waits for a moderator
    POST_PUBLISHED = "post-published"


class MessageStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class Subscriber(Base):
    """One email address that may receive mail: a guest's, or an account's (user_id set)."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    email_key: Mapped[str] = mapped_column(sa.String(254), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Double opt-in: nothing but the confirmation email goes out before confirmed_at.
    confirmed_at: Mapped[datetime | None]
    confirmation_sent_at: Mapped[datetime | None]
    daily_digest: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # An account's settings: mail about comments on its own posts, moderators' "N comments await
    # moderation", and which boxes of the comment form start ticked for it.
    own_posts: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    moderation: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    default_replies: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    default_comments: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    hard_bounces: Mapped[int] = mapped_column(default=0, server_default="0")
    last_bounce: Mapped[str | None] = mapped_column(sa.String(500))
    # Set by the third hard bounce, or by "unsubscribe from everything": no mail at all after it.
    stopped_at: Mapped[datetime | None]

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.stopped_at is None


class Subscription(Base):
    """One thing a subscriber asked to hear about. `target` is the comment's or post's id (0 for
    the whole site), so one unique key covers every kind."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        sa.UniqueConstraint("subscriber_id", "kind", "target"),
        sa.CheckConstraint(sa.text("kind IN ('replies', 'comments', 'posts', 'muted')"), name="kind_known"),
        sa.Index("ix_subscriptions_kind_target", "kind", "target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(sa.ForeignKey("subscribers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    target: Mapped[int] = mapped_column(default=0, server_default="0")
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxEvent(Base):
    """Something mail may follow, written in the transaction that made it happen; the worker expands
    it into notices. One per (kind, target), so a comment approved twice is announced once."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        sa.UniqueConstraint("kind", "target"),
        sa.Index("ix_outbox_events_done_at_id", "done_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    target: Mapped[int]
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]


class Notice(Base):
    """One line of a future email to one subscriber. Unique per (subscriber, topic): nobody hears of
    one comment twice, however many ways they subscribed."""

    __tablename__ = "notices"
    __table_args__ = (
        sa.UniqueConstraint("subscriber_id", "topic"),
        sa.Index("ix_notices_message_id_subscriber_id", "message_id", "subscriber_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(sa.ForeignKey("subscribers.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(sa.String(40))  # "comment:12", "post:3", "held:12"
    reason: Mapped[str] = mapped_column(sa.String(20))  # reply, comment, own-post, approved, post, held
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbox_messages.id", ondelete="SET NULL"))


class OutboxMessage(Base):
    """One email, composed in full (headers and both parts) before it is sent, so a retry sends the
    same bytes with the same Message-ID."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.CheckConstraint(sa.text("status IN ('queued', 'sent', 'failed')"), name="status_known"),
        sa.Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
        sa.Index("ix_outbox_messages_subscriber_id_post_id", "subscriber_id", "post_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subscribers.id", ondelete="SET NULL"))
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(20))  # confirm, notices, digest, moderation
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    raw: Mapped[str] = mapped_column(sa.Text)  # the whole RFC 5322 message
    status: Mapped[str] = mapped_column(sa.String(16), default=MessageStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
