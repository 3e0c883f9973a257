"""Whole post pages, cached for signed-out readers and for signed-in readers of each role, then
filled per request with the reader's own slots: their CSRF token and name, the Likes they pressed
and the controls of their comments, from one small query (services.discussion.reader_state).

A cached page is keyed by the post's discussion_version, which every visible change moves in its
own transaction, so no app server ever serves a stale page, whether the cache is in-process or
in Redis. Pages that only one person sees (moderators, the post's editors, someone with a held
comment or a flash message, a ?replytocom form) are drawn fresh."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, url_for
from werkzeug.wrappers import Response

from community.discussion.reader import Reader
from community.discussion.slots import COUNT, LIKE, NOTIFY, OWN, MarkedSlots, SharedPage
from community.extensions import cache, db
from community.models import Comment, Post, PostStatus
from community.discussion.page import render_post_page
from community.services.discussion import ReaderState, reader_state
from community.services.index import neighbour_versions
from community.services.thread_order import DEFAULT_ORDER, MOST_LIKED
from community.services.posts import can_edit
from community.services.rules import discussion_closed
from community.services.settings import close_after_days_or_default, saved_close_after_days

# Part of every key: a page stored by an older release (another shape) is never read as one of these.
PAGE_FORMAT = 4


@dataclass(frozen=True)
class PostSnapshot:
    """The few columns of a post a cached page needs, read with the rule that closes discussions."""

    id: int
    slug: str
    discussion_version: int
    likes_version: int
    status: str
    author_id: int
    comments_closed: bool
    published_at: datetime | None
    neighbours: str  # the previous and next essays the page links to, as services.index.neighbour_versions says
    close_after_days: int

    @property
    def is_published(self) -> bool:
        return self.status == PostStatus.PUBLISHED


_SNAPSHOT = sa.select(
    Post.id, Post.slug, Post.discussion_version, Post.likes_version, Post.status, Post.author_id, Post.comments_closed, Post.published_at,
    *neighbour_versions(),
    saved_close_after_days(),
).where(Post.slug == sa.bindparam("slug"))


def post_snapshot(connection: sa.Connection, slug: str) -> PostSnapshot | None:
    """One small query instead of the whole post and the rules."""
    row = connection.execute(_SNAPSHOT, {"slug": slug}).first()
    if row is None:
        return None
    *columns, previous, following, days = row
    return PostSnapshot(*columns, neighbours=f"{previous or '-'}:{following or '-'}",
                        close_after_days=close_after_days_or_default(days))


def shared_variant(reader: Reader, post: Post | PostSnapshot, replying: bool = False) -> str | None:
    """Which shared page this reader may use, or None to draw a page of their own."""
    if replying or reader.has_messages or reader.held_comment_ids:
        return None
    if not reader.is_authenticated:
        return "guest"
    if reader.is_moderator or reader.is_suspended or can_edit(reader, post):
        return None
    return f"reader-{reader.role}"


def stand_in(reader: Reader) -> Reader:
    """Who the shared page of this reader's variant is drawn for."""
    return Reader.any_of_role(reader.role) if reader.is_authenticated else Reader.guest()


class LocalPages:
    """The pages this process drew or fetched lately, least recently used first out, within a
    byte budget. Keys name a post's version, so a copy here is never stale."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self.size = 0
        self.pages: OrderedDict[str, SharedPage] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> SharedPage | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: str, page: SharedPage) -> None:
        with self.lock:
            if key in self.pages:
                return
            self.pages[key] = page
            self.size += page.size
            while self.size > self.budget and len(self.pages) > 1:
                self.size -= self.pages.popitem(last=False)[1].size


def local_pages() -> LocalPages:
    pages = current_app.extensions.get("local_pages")
    if pages is None:
        pages = current_app.extensions["local_pages"] = LocalPages(current_app.config["PAGE_CACHE_MB"] * 1024 * 1024)
    return pages


def shared_page(key: str, draw: Callable[[], SharedPage | None]) -> SharedPage | None:
    """The page under `key`: from this process, else from the shared cache (Redis, when
    configured), else drawn now and kept in both."""
    local = local_pages()
    page = local.get(key)
    if page is None:
        stored = cache.get(key)
        page = SharedPage.from_stored(stored) if stored is not None else draw()
        if page is None:
            return None
        if stored is None:
            cache.set(key, page.stored())
        local.put(key, page)
    return page


def cached_post_page(slug: str, reader: Reader, page: int = 1, replytocom: str | None = None,
                     order: str = DEFAULT_ORDER) -> bytes | Response | None:
    """The page for `reader` from the shared copy (drawn once), or None when this request needs a
    page of its own (a draft, an editor, a held comment of theirs, ...)."""
    if not current_app.config["PAGE_CACHE"]:
        return None
    # Core, not the ORM session: these two small reads are most of what a cached page costs.
    with db.engine.connect() as connection:
        snapshot = post_snapshot(connection, slug)
        if snapshot is None or not snapshot.is_published:
            return None
        variant = shared_variant(reader, snapshot, bool(replytocom))
        if variant is None:
            return None
        state = reader_state(connection, snapshot, reader) if reader.is_authenticated else None
    if state is not None and state.has_held_comment:
        return None
    is_open = not discussion_closed(snapshot, snapshot.close_after_days)
    # Each order is a page of its own; the most liked also moves with the likes (its threads' places do).
    version = f"{snapshot.discussion_version}.{snapshot.likes_version}" if order == MOST_LIKED else snapshot.discussion_version
    key = f"post-page:{snapshot.id}:v{version}:p{page}:o{order}:{variant}:open{int(is_open)}:n{snapshot.neighbours}:f{PAGE_FORMAT}"

    def draw() -> SharedPage | None:
        slots = MarkedSlots(stand_in(reader))
        # Drawn for a request that holds only what the key names (the path and the page), so
        # nothing of the request that happened to fill the cache (its query string, host,
        # headers, cookies) reaches the copy every later reader gets.
        path = url_for("posts.detail", slug=snapshot.slug)
        query = {"cpage": page if page > 1 else None, "corder": None if order == DEFAULT_ORDER else order}
        with current_app.test_request_context(path, query_string={k: v for k, v in query.items() if v is not None}):
            drawn = SharedPage.cut(render_post_page(db.session.get(Post, snapshot.id), slots.reader, page, slots=slots,
                                                    order=order), slots)
        g.pop("csrf_token", None)  # g outlives that request: a token made for it is nobody's
        g.pop("comment_form_token", None)  # nor is the comment form's (community.spam.form_token)
        return drawn

    shared = shared_page(key, draw)
    if shared is None:
        return None
    return counted(shared, key, snapshot).answer(reader, reader_marks(state))


_COUNTS = (sa.select(Comment.id, Comment.like_count)
           .where(Comment.post_id == sa.bindparam("post_id"), Comment.id.in_(sa.bindparam("ids", expanding=True))))


def counted(page: SharedPage, key: str, snapshot: PostSnapshot) -> SharedPage:
    """The page with its comments' like counts as of the post's likes_version: a like of a
    comment moves only that version, so the page is not drawn again, its counts are read again
    (one query, once per version in each process)."""
    targets = page.counted_targets()
    if not targets:
        return page
    local = local_pages()
    counted_key = f"{key}:likes{snapshot.likes_version}"
    recounted = local.get(counted_key)
    if recounted is None:
        with db.engine.connect() as connection:
            counts = dict(connection.execute(_COUNTS, {"post_id": snapshot.id, "ids": targets}).all())
        recounted = page.recounted(counts)
        local.put(counted_key, recounted)
    return recounted


def reader_marks(state: ReaderState | None) -> dict[tuple[str, str], dict[str, Any]]:
    """The slots of a shared page that are this reader's own: the Likes they pressed (drawn
    pressed), their comments (drawn for them, with Edit and Delete) and the comment form's
    notification boxes their settings tick."""
    if state is None:
        return {}
    pressed = {"liked": True}
    marks: dict[tuple[str, str], dict[str, Any]] = {}
    if state.post_liked:
        marks[(LIKE, f"p{state.post_id}")] = pressed
    marks.update({(LIKE, f"c{comment_id}"): pressed for comment_id in state.liked_comment_ids})
    # Their counts say "You and N others like this".
    marks.update({(COUNT, target): pressed for kind, target in list(marks) if kind == LIKE})
    marks.update({(OWN, str(comment_id)): {} for comment_id in state.own_comment_times})
    marks.update({(NOTIFY, box): {"checked": True} for box in state.notify_defaults})
    return marks
