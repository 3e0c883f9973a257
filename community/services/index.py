"""The index's pages of published posts, by keyset: a page is found from the (published date, id)
of the post it starts after, so no page counts or skips the posts before it (no COUNT, no OFFSET
over a long list), and its cost does not grow with the site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from community.extensions import db
from community.models import Post, PostStatus
from community.routing import MAX_ID, parse_id

_STAMP = "%Y%m%dT%H%M%S.%fZ"


@dataclass(frozen=True)
class Cursor:
    """A post's place in the index, newest first: its published date, then its id."""

    published_at: datetime
    id: int

    def __str__(self) -> str:
        return f"{self.published_at.astimezone(timezone.utc).strftime(_STAMP)}-{self.id}"

    @classmethod
    def of(cls, post: Post) -> Cursor:
        return cls(post.published_at, post.id)

    @classmethod
    def parse(cls, raw: str | None) -> Cursor | None:
        """The cursor a link wrote ("20261128T173000.000000Z-42"), or None for anything else."""
        if not raw or not raw.isascii():
            return None
        stamp, _, raw_id = raw.rpartition("-")
        post_id = parse_id(raw_id, MAX_ID)
        try:
            published_at = datetime.strptime(stamp, _STAMP).replace(tzinfo=timezone.utc)
        except ValueError:
            return None
        return cls(published_at, post_id) if post_id else None


@dataclass(frozen=True)
class IndexPage:
    """One page of the index and the cursors of its neighbours (None where there is none)."""

    posts: list[Post]
    older: Cursor | None
    newer: Cursor | None

    @property
    def is_first(self) -> bool:
        return self.newer is None


def _published() -> sa.Select:
    return sa.select(Post).where(Post.status == PostStatus.PUBLISHED)


def _place():
    return sa.tuple_(Post.published_at, Post.id)


def index_page(per_page: int, older_than: Cursor | None = None, newer_than: Cursor | None = None) -> IndexPage:
    """The `per_page` posts after `older_than` (or before `newer_than`; the newest with neither),
    one row more in the same query telling whether the list goes on."""
    if newer_than is not None:
        rows = db.session.scalars(
            _published()
            .where(Post.published_at >= newer_than.published_at,
                   _place() > (newer_than.published_at, newer_than.id))
            .order_by(Post.published_at, Post.id)
            .limit(per_page + 1)
        ).all()
        if len(rows) <= per_page:  # the newest posts: the first page, whole
            return index_page(per_page)
        posts = list(reversed(rows[:per_page]))
        return IndexPage(posts, older=Cursor.of(posts[-1]), newer=Cursor.of(posts[0]))
    query = _published().order_by(Post.published_at.desc(), Post.id.desc()).limit(per_page + 1)
    if older_than is not None:
        query = query.where(Post.published_at <= older_than.published_at,
                            _place() < (older_than.published_at, older_than.id))
    return _newest_first(db.session.scalars(query).all(), per_page, has_newer=older_than is not None)


def _newest_first(rows: list[Post], per_page: int, has_newer: bool) -> IndexPage:
    """A page from up to `per_page` + 1 rows, newest first; the extra one says there are older."""
    posts = rows[:per_page]
    return IndexPage(
        posts,
        older=Cursor.of(posts[-1]) if len(rows) > per_page else None,
        newer=Cursor.of(posts[0]) if has_newer and posts else None,
    )


def numbered_page(per_page: int, number: int) -> IndexPage | None:
    """Page `number` of links written before the keyset ones (?page=N), by offset; None past the end."""
    rows = db.session.scalars(
        _published().order_by(Post.published_at.desc(), Post.id.desc())
        .offset((number - 1) * per_page).limit(per_page + 1)
    ).all()
    if not rows and number > 1:
        return None
    return _newest_first(rows, per_page, has_newer=number > 1)


# --- a post's neighbours: the essays published just before and just after it ----------------------

@dataclass(frozen=True)
class Neighbour:
    slug: str
    title: str


@dataclass(frozen=True)
class Neighbours:
    previous: Neighbour | None
    next: Neighbour | None


def _neighbour(published_at, of, earlier: bool, other: type[Post]) -> sa.Select:
    """The published post just before (or after) the place `of`, (published_at, id) as values or
    as columns of the post a query reads, as a select of `other` (an alias of Post) for the caller
    to choose its columns: one index range, one row."""
    place = sa.tuple_(other.published_at, other.id)
    query = sa.select(other.id).where(other.status == PostStatus.PUBLISHED)
    if earlier:
        query = query.where(other.published_at <= published_at, place < of)
        return query.order_by(other.published_at.desc(), other.id.desc()).limit(1)
    query = query.where(other.published_at >= published_at, place > of)
    return query.order_by(other.published_at, other.id).limit(1)


def neighbours(post: Post) -> Neighbours:
    """The essays published just before and after `post`, in one query (a draft has none)."""
    if not post.is_published or post.published_at is None:
        return Neighbours(None, None)
    other = aliased(Post)
    ids = [_neighbour(post.published_at, (post.published_at, post.id), earlier, other).scalar_subquery() for earlier in (True, False)]
    rows = db.session.execute(
        sa.select(Post.id, Post.slug, Post.title, Post.published_at).where(Post.id.in_(ids))).all()
    place = (post.published_at, post.id)
    previous = next((Neighbour(row.slug, row.title) for row in rows if (row.published_at, row.id) < place), None)
    following = next((Neighbour(row.slug, row.title) for row in rows if (row.published_at, row.id) > place), None)
    return Neighbours(previous, following)


def neighbour_versions() -> tuple[sa.ScalarSelect, sa.ScalarSelect]:
    """For the page cache's one query (discussion.cache), correlated to the post it reads: each
    neighbour's id and discussion_version ("12.3"), so a page names the neighbours it links to and
    a new, unpublished or retitled neighbour makes it another page."""
    other = aliased(Post)
    key = sa.cast(other.id, sa.String) + sa.literal(".") + sa.cast(other.discussion_version, sa.String)
    return tuple(_neighbour(Post.published_at, sa.tuple_(Post.published_at, Post.id), earlier, other).with_only_columns(key).scalar_subquery()
                 for earlier in (True, False))
