"""Essays: the Markdown an author wrote, the HTML made from it once, and the counters kept on the row."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship


from community.models.base import Base, utcnow
from community.models.user import User


class PostStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        sa.CheckConstraint(sa.text("status IN ('draft', 'published')"), name="status_known"),
        # The index page: published posts, newest first.
        sa.Index("ix_posts_status_published_at", "status", "published_at"),
        sa.UniqueConstraint("source", "source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    body_markdown: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    excerpt: Mapped[str] = mapped_column(sa.String(400))
    status: Mapped[str] = mapped_column(sa.String(16), default=PostStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]
    comment_count: Mapped[int] = mapped_column(default=0, server_default="0")
    like_count: Mapped[int] = mapped_column(default=0, server_default="0")
    comments_closed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Moves with every change a reader of the post page could see (comments, likes, moderation,
    # the essay itself); cached pages are keyed by it, so no app server ever serves a stale one.
    discussion_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Moves with a like of one of its comments instead: a cached page stays drawn, and only its
    # like counts are read again (discussion.cache), so a busy Like button does not redraw it.
    likes_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Where an imported post came from ("wordpress:https://blog.example") and its id there, so a
    # second import of the same export finds it (community/transfer); NULL for posts written here.
    source: Mapped[str | None] = mapped_column(sa.String(200))
    source_id: Mapped[str | None] = mapped_column(sa.String(64))

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    @property
    def is_published(self) -> bool:
        return self.status == PostStatus.PUBLISHED

    def __repr__(self) -> str:
        return f"<Post {self.slug}>"
