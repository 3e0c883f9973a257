"""The spam filter's memory: how often each token appeared in spam and in good comments, the
number of each it learned from, and short fingerprints of recent comments for duplicates."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from community.models.base import Base, utcnow


class SpamToken(Base):
    """One word, bigram or link domain, counted once per comment learned (as SpamBayes counts)."""

    __tablename__ = "spam_tokens"

    # Named "feature", not "token": the lossless export leaves out columns named like secrets.
    feature: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    spam_count: Mapped[int] = mapped_column(default=0)
    ham_count: Mapped[int] = mapped_column(default=0)


class SpamTotals(Base):
    """One row: how many spam and good comments the filter has learned from."""

    __tablename__ = "spam_totals"

    id: Mapped[int] = mapped_column(primary_key=True)
    spam_count: Mapped[int] = mapped_column(default=0)
    ham_count: Mapped[int] = mapped_column(default=0)
    reset_at: Mapped[datetime | None]


class CommentFingerprint(Base):
    """A 64-bit hash that says something about a recent comment: its normalised text (kind 0), one
    band of its MinHash signature (kinds 1..N), or its form's one-time nonce (kind -1).
    Rows older than the longest window are pruned; the comment may be gone before its rows."""

    __tablename__ = "comment_fingerprints"
    __table_args__ = (sa.Index("ix_comment_fingerprints_value", "value", "created_at"),
                      sa.Index("ix_comment_fingerprints_created", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    kind: Mapped[int] = mapped_column(sa.SmallInteger)
    value: Mapped[int] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
