"""Moderation: the rules' settings, readers' reports, and the append-only log of every action."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.models.base import Base, utcnow
from community.models.user import User


class ModerationSettings(Base):
    """The rules admins edit at /moderation/settings: one row; until it exists, the defaults come
    from the configuration (see community.services.settings.current_settings)."""

    __tablename__ = "moderation_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    hold_all_comments: Mapped[bool]
    hold_first_comment: Mapped[bool]
    max_links: Mapped[int]
    flood_seconds: Mapped[int]
    close_after_days: Mapped[int]  # 0: never
    moderation_words: Mapped[str] = mapped_column(sa.Text, default="")
    disallowed_words: Mapped[str] = mapped_column(sa.Text, default="")
    blocked_emails: Mapped[str] = mapped_column(sa.Text, default="")
    blocked_addresses: Mapped[str] = mapped_column(sa.Text, default="")
    # The spam filter (community.spam): link domains that make a comment spam, phrases a pasted
    # chatbot answer leaves (held), the learned score's two thresholds, how many decisions of each
    # kind it needs before it may send anything to spam, and the fewest seconds a person takes.
    blocked_domains: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    chatbot_phrases: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    spam_threshold: Mapped[float] = mapped_column(default=0.9, server_default="0.9")
    spam_hold_threshold: Mapped[float] = mapped_column(default=0.5, server_default="0.5")
    spam_min_decisions: Mapped[int] = mapped_column(default=50, server_default="50")
    min_fill_seconds: Mapped[int] = mapped_column(default=3, server_default="3")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReportReason(StrEnum):
    SPAM = "spam"
    HARASSMENT = "harassment"
    OFF_TOPIC = "off-topic"
    OTHER = "other"


class Report(Base):
    """A reader's report of a comment; one per reader and comment."""

    __tablename__ = "reports"
    __table_args__ = (
        sa.UniqueConstraint("comment_id", "reporter_id"),
        sa.CheckConstraint(
            sa.text("reason IN ('spam', 'harassment', 'off-topic', 'other')"), name="reason_known"
        ),
        sa.Index("ix_reports_comment_open", "comment_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.String(20))
    details: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(sa.String(20))  # "dismissed" or "acted"

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id], lazy="joined")


class LogEntry(Base):
    """One moderation action, written in the transaction of the action itself; the app never edits it.

    comment_id is a plain column, not a foreign key: the entry outlives a comment deleted for good.
    """

    __tablename__ = "moderation_log"
    __table_args__ = (
        sa.Index("ix_moderation_log_created", "created_at"),
        sa.Index("ix_moderation_log_moderator", "moderator_id", "created_at"),
        sa.Index("ix_moderation_log_account", "account_id", "created_at"),
        sa.Index("ix_moderation_log_action", "action", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    moderator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))  # None: the system
    action: Mapped[str] = mapped_column(sa.String(30))
    comment_id: Mapped[int | None] = mapped_column(index=True)
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    status_before: Mapped[str | None] = mapped_column(sa.String(60))
    status_after: Mapped[str | None] = mapped_column(sa.String(60))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    excerpt: Mapped[str] = mapped_column(sa.String(200), default="")
    # In full, what an edit or a settings change replaced and what it put in place: a comment's
    # words (the original is otherwise lost), or the rules' values, one "name: value" a line.
    text_before: Mapped[str | None] = mapped_column(sa.Text)
    text_after: Mapped[str | None] = mapped_column(sa.Text)
    # An undo is a new entry pointing at the one it reverses; entries themselves never change.
    undoes_id: Mapped[int | None] = mapped_column(sa.ForeignKey("moderation_log.id"), unique=True)

    moderator: Mapped[User | None] = relationship(foreign_keys=[moderator_id], lazy="joined")
    account: Mapped[User | None] = relationship(foreign_keys=[account_id], lazy="joined")
