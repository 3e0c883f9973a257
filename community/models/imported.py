"""What an import leaves behind besides posts and comments: the addresses the posts had on the
old blog, so links to them keep working (community/transfer/old_links.py answers them)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from community.models.base import Base


class OldLink(Base):
    """One old address ("/2019/03/04/on-tides/", "/on-tides/", "/?p=42") of an imported post."""

    __tablename__ = "old_links"

    path: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
