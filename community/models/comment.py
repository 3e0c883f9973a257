"""Comments: a thread is a tree kept as parent, root, depth and a sortable path, so one ordered
query returns a page of whole threads in display order."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.models.base import Base, utcnow
from community.models.user import User

if TYPE_CHECKING:
    from community.models.post import Post

PATH_DIGITS = 10  # each level of the path is the comment's id, zero-padded so text order is id order


class CommentStatus(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    SPAM = "spam"
    TRASH = "trash"


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        sa.CheckConstraint(
            sa.text("status IN ('approved', 'pending', 'spam', 'trash')"), name="status_known"
        ),
        sa.CheckConstraint(
            sa.text("author_id IS NOT NULL OR (guest_name IS NOT NULL AND guest_email IS NOT NULL)"),
            name="has_author",
        ),
        # A page of threads: the threads of a post that hold a visible comment, oldest first.
        sa.Index("ix_comments_post_status_root", "post_id", "status", "root_id"),
        # The moderation queue's tabs, newest first.
        sa.Index("ix_comments_status_created", "status", "created_at"),
        # Flood control and "has an approved comment before", for guests by email or address.
        sa.Index("ix_comments_guest_email", "guest_email"),
        sa.Index("ix_comments_ip_created", "ip_address", "created_at"),
        # Their replies, in display order.
        sa.Index("ix_comments_root_path", "root_id", "path"),
        sa.UniqueConstraint("source", "source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    # root_id and path need the row's own id, so they are set right after the insert, in the
    # same transaction; they are never NULL once committed.
    root_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    depth: Mapped[int] = mapped_column(sa.SmallInteger)
    path: Mapped[str] = mapped_column(sa.String(120), default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    guest_name: Mapped[str | None] = mapped_column(sa.String(60))
    guest_email: Mapped[str | None] = mapped_column(sa.String(254))
    guest_website: Mapped[str | None] = mapped_column(sa.String(200))
    # A random key the guest's browser keeps in a signed cookie (comments.guest_browser): their
    # avatar is drawn from it, and only a comment approved under it vouches for their next one.
    guest_key: Mapped[str | None] = mapped_column(sa.String(32))
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    body_markdown: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default=CommentStatus.APPROVED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    edited_by_moderator: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # A comment its author deleted while it had replies stays as a tombstone so the thread holds.
    deleted_at: Mapped[datetime | None]
    like_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Which moderation rule held or spammed it ("first-comment", "too-many-links", ...).
    held_by_rule: Mapped[str | None] = mapped_column(sa.String(40))
    open_report_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # An imported comment's origin and its id there, as on Post; NULL for comments written here.
    source: Mapped[str | None] = mapped_column(sa.String(200))
    source_id: Mapped[str | None] = mapped_column(sa.String(64))
    # The spam filter's view when it arrived (community.spam): its learned score, and the signals
    # and words behind its verdict as JSON; and what the filter learned from it ("spam", "ham").
    spam_score: Mapped[float | None]
    spam_signals: Mapped[str | None] = mapped_column(sa.Text)
    spam_learned_as: Mapped[str | None] = mapped_column(sa.String(4))

    author: Mapped[User | None] = relationship(lazy="joined")
    post: Mapped["Post"] = relationship(lazy="select")  # joined explicitly where a page needs it

    @property
    def display_name(self) -> str:
        return self.author.shown_name if self.author is not None else (self.guest_name or "Anonymous")

    @property
    def is_guest(self) -> bool:
        return self.author_id is None

    @property
    def avatar_seed(self) -> str:
        """What the avatar is drawn from: the account's name, or the guest's browser key, which
        nobody else can type (an email could be guessed, and the avatar would confirm it); a
        guest comment from before browser keys gets one avatar of its own."""
        if self.author is not None:
            return self.author.avatar_seed
        return f"guest:{self.guest_key}" if self.guest_key else f"guest-comment:{self.id}"

    @property
    def is_visible(self) -> bool:
        """Shown to everyone: approved (a deleted one shows as a tombstone)."""
        return self.status == CommentStatus.APPROVED

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @hybrid_property
    def is_public(self) -> bool:
        """Public and whole: approved and not deleted. It is what "N thoughts" counts, and what
        may be answered, liked or reported; in a query, the same condition in SQL."""
        return self.is_visible and not self.is_deleted

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.status == CommentStatus.APPROVED, cls.deleted_at.is_(None))

    @property
    def author_email(self) -> str | None:
        """Shown only to moderators."""
        return self.author.email if self.author is not None else self.guest_email

    def __repr__(self) -> str:
        return f"<Comment {self.id} on post {self.post_id} depth {self.depth}>"


def path_segment(comment_id: int) -> str:
    return f"{comment_id:0{PATH_DIGITS}d}"
