"""Accounts: who someone is and what their role lets them do."""

from __future__ import annotations

from datetime import datetime, timezone
from enum import StrEnum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, validates


from community.models.base import Base, utcnow


SUSPENDED_FOR_GOOD = datetime(9999, 12, 31, tzinfo=timezone.utc)


class Role(StrEnum):
    READER = "reader"
    AUTHOR = "author"
    MODERATOR = "moderator"
    ADMIN = "admin"


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            sa.text("role IN ('reader', 'author', 'moderator', 'admin')"), name="role_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(30))
    # Lower-cased copies carry the uniqueness, so "Ana" and "ana" are one account on every database.
    username_key: Mapped[str] = mapped_column(sa.String(30), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    email_key: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16), default=Role.READER, server_default=Role.READER)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A suspension ends at suspended_until; "for good" is stored as SUSPENDED_FOR_GOOD.
    suspended_until: Mapped[datetime | None]
    suspension_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # Carried in every session and remember-me cookie; moving it ends them all (services.sessions).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Their people page (community/people): the name shown beside their words (the username when
    # unset) and a short bio, Markdown stored with its HTML made once, as comments are.
    display_name: Mapped[str | None] = mapped_column(sa.String(60))
    # The display name as readers see it (services.matching.comparable), kept by _keep_name_key:
    # a guest may not comment under it.
    display_name_key: Mapped[str | None] = mapped_column(sa.String(240), index=True)
    bio_markdown: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    bio_html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    @validates("display_name")
    def _keep_name_key(self, _field: str, name: str | None) -> str | None:
        from community.services.matching import comparable  # pure text rules, no models

        self.display_name_key = comparable(name).strip()[:240] if name else None
        return name

    def get_id(self) -> str:
        """What Flask-Login stores in the session and the remember-me cookie: "id:session_version"."""
        return f"{self.id}:{self.session_version}"

    @property
    def shown_name(self) -> str:
        """The name beside their words: the display name they chose, else their username."""
        return self.display_name or self.username

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > utcnow()

    @property
    def suspended_for_good(self) -> bool:
        return self.suspended_until is not None and self.suspended_until >= SUSPENDED_FOR_GOOD

    @property
    def avatar_seed(self) -> str:
        """What the account's avatar is drawn from (see community.avatars)."""
        return f"user:{self.username_key}"

    @property
    def can_write_posts(self) -> bool:
        """Authors and admins, unless suspended: a suspension stops every write, whatever the role."""
        return self.role in (Role.AUTHOR, Role.ADMIN) and not self.is_suspended

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)

    def __repr__(self) -> str:
        return f"<User {self.username} ({self.role})>"
