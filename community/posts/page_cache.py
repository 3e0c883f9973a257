"""Whole post pages, cached for signed-out readers and for signed-in readers of each role, then
personalised per request: the reader's CSRF token and name, what they liked and which comments
are theirs, from one small query (services.discussion.reader_state).

A cached page is keyed by the post's discussion_version, which every visible change moves in its
own transaction, so no app server ever serves a stale page, whether the cache is in-process or
in Redis. Pages that only one person sees (moderators, the post's editors, someone with a held
comment or a flash message, a ?replytocom form) are drawn fresh."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from community.delivery.compression import accepts_gzip, gzip_answer
from community.delivery.gzip_splice import SplicedGzip
from community.extensions import cache, db
from community.models import ModerationSettings, Post, PostStatus, User
from community.models.base import utcnow
from community.posts.page import CSRF_SLOT, OWN_PENDING_KEY
from community.services.discussion import ReaderState, reader_state
from community.services.posts import can_edit
from community.services.rules import SETTINGS_ROW_ID, discussion_closed
from community.templating import own_comment_controls

# Part of every key: a page stored by an older release (another shape) is never read as one of these.
PAGE_FORMAT = 2
# Markup no user text can produce (it would be escaped), so filling it touches only our slots.
NAME_SLOT = "<viewer-name-slot>"
_SLOTS = re.compile(f"({re.escape(CSRF_SLOT)}|{re.escape(NAME_SLOT)})".encode())
# Where _macros/comments.html leaves a comment's own controls, and how _macros/likes.html draws a
# Like button before and after it is pressed; {targets} is filled with the reader's own marks.
_VIEWER_CONTROLS = rb"<!--viewer:({targets})-->(.*?)<!--/viewer-->"
_UNLIKED = rb'value="1" data-like="({targets})"><button type="submit" class="like-button" aria-pressed="false">Like'
_LIKED_BUTTON = 'value="0" data-like="{target}"><button type="submit" class="like-button" aria-pressed="true">Liked'


class NeutralReader:
    """Stands in for any signed-in reader of a role while their shared page is drawn."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_suspended = False
    is_moderator = False
    is_admin = False
    id = 0  # no account has it, so no comment is drawn as the reader's own
    username = Markup(NAME_SLOT)  # printed as is, replaced by the escaped real name

    def __init__(self, role: str) -> None:
        self.role = role
        self.can_write_posts = role in ("author", "admin")

    def get_id(self) -> None:
        return None


@dataclass(frozen=True)
class PostSnapshot:
    """The few columns of a post a cached page needs, read with the rule that closes discussions."""

    id: int
    slug: str
    discussion_version: int
    status: str
    author_id: int
    comments_closed: bool
    published_at: datetime | None
    close_after_days: int

    @property
    def is_published(self) -> bool:
        return self.status == PostStatus.PUBLISHED


_SNAPSHOT = sa.select(
    Post.id, Post.slug, Post.discussion_version, Post.status, Post.author_id, Post.comments_closed, Post.published_at,
    sa.select(ModerationSettings.close_after_days).where(ModerationSettings.id == SETTINGS_ROW_ID).scalar_subquery(),
).where(Post.slug == sa.bindparam("slug"))


def post_snapshot(connection: sa.Connection, slug: str) -> PostSnapshot | None:
    """One small query instead of the whole post and the rules."""
    row = connection.execute(_SNAPSHOT, {"slug": slug}).first()
    if row is None:
        return None
    *columns, days = row
    return PostSnapshot(*columns, close_after_days=current_app.config["CLOSE_AFTER_DAYS"] if days is None else days)


def shared_variant(user: User, post: Post | PostSnapshot) -> str | None:
    """Which shared page this request may use, or None to draw a page of its own."""
    if request.args.get("replytocom"):
        return None
    if "_flashes" in session or session.get(OWN_PENDING_KEY):
        return None
    if not user.is_authenticated:
        return "guest"
    if user.is_moderator or user.is_suspended or can_edit(user, post):
        return None
    return f"reader-{user.role}"


class SharedPage(tuple):
    """A drawn page as UTF-8 bytes, cut at its slots (the CSRF token, the reader's name): the parts
    at odd places name a slot, so filling them makes the page a reader's in one copy, with nothing
    to encode or search. `gzip` holds the parts between the slots compressed once, so a filled page
    goes out gzip-compressed without compressing it again (delivery.gzip_splice)."""

    gzip: SplicedGzip

    @classmethod
    def of(cls, html: str) -> SharedPage:
        page = cls(_SLOTS.split(html.encode()))
        page.gzip = SplicedGzip.of(page[0::2])
        return page

    def stored(self) -> tuple:
        """What the shared cache keeps: the parts, and the compressed parts."""
        return tuple(self), self.gzip.stored()

    @classmethod
    def from_stored(cls, stored: tuple) -> SharedPage:
        parts, compressed = stored
        page = cls(parts)
        page.gzip = SplicedGzip.from_stored(compressed)
        return page

    def fillings(self, slots: dict[bytes, bytes]) -> list[bytes]:
        return [slots[slot] for slot in self[1::2]]

    def filled(self, slots: dict[bytes, bytes]) -> bytes:
        parts = list(self)
        parts[1::2] = self.fillings(slots)
        return b"".join(parts)

    def answer(self, slots: dict[bytes, bytes]) -> bytes | Response:
        """The filled page, gzip-compressed already when the client takes gzip."""
        if accepts_gzip():
            return gzip_answer(self.gzip.filled(self.fillings(slots)))
        return self.filled(slots)


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
            self.size += _size(page)
            while self.size > self.budget and len(self.pages) > 1:
                self.size -= _size(self.pages.popitem(last=False)[1])


def _size(page: SharedPage) -> int:
    return sum(map(len, page)) + page.gzip.size


def local_pages() -> LocalPages:
    pages = current_app.extensions.get("local_pages")
    if pages is None:
        pages = current_app.extensions["local_pages"] = LocalPages(current_app.config["PAGE_CACHE_MB"] * 1024 * 1024)
    return pages


def shared_page(key: str, draw: Callable[[], str]) -> SharedPage:
    """The page under `key`: from this process, else from the shared cache (Redis, when
    configured), else drawn now and kept in both."""
    local = local_pages()
    page = local.get(key)
    if page is None:
        stored = cache.get(key)
        page = SharedPage.from_stored(stored) if stored is not None else None
        if page is None:
            page = SharedPage.of(draw())
            cache.set(key, page.stored())
        local.put(key, page)
    return page


def cached_post_page(slug: str, render_shared: Callable[[Post, object], str]) -> bytes | Response | None:
    """The page for this reader from the shared copy (drawn once by `render_shared`), or None when
    this request needs a page of its own (a draft, an editor, a held comment of theirs, ...)."""
    if not current_app.config["PAGE_CACHE"]:
        return None
    reader = current_user._get_current_object()  # loaded first, so one connection at a time
    # Core, not the ORM session: these two small reads are most of what a cached page costs.
    with db.engine.connect() as connection:
        snapshot = post_snapshot(connection, slug)
        if snapshot is None or not snapshot.is_published:
            return None
        variant = shared_variant(reader, snapshot)
        if variant is None:
            return None
        state = reader_state(connection, snapshot, reader) if reader.is_authenticated else None
    if state is not None and state.has_held_comment:
        return None
    page = request.args.get("cpage", 1, type=int)
    is_open = not discussion_closed(snapshot, snapshot.close_after_days)
    key = f"post-page:{snapshot.id}:v{snapshot.discussion_version}:p{page}:{variant}:open{int(is_open)}:f{PAGE_FORMAT}"

    def draw() -> str:
        stand_in = NeutralReader(reader.role) if reader.is_authenticated else reader
        return render_shared(db.session.get(Post, snapshot.id), stand_in)

    return personalise(shared_page(key, draw), state)


def personalise(page: SharedPage, state: ReaderState | None) -> bytes | Response:
    """The shared page made this reader's: their token and name in the slots, then their own marks
    (pressed Likes, Edit and Delete on their comments), each kind in one pass that stops only at
    the reader's own targets."""
    name = str(escape(current_user.username)) if state is not None else ""
    slots = {CSRF_SLOT.encode(): generate_csrf().encode(), NAME_SLOT.encode(): name.encode()}
    if state is None:
        return page.answer(slots)
    html = page.filled(slots)
    liked = ([f"p{state.post_id}"] if state.post_liked else []) + [f"c{i}" for i in state.liked_comment_ids]
    if liked:
        html = _only(_UNLIKED, liked).sub(
            lambda match: _LIKED_BUTTON.format(target=match.group(1).decode()).encode(), html)
    if state.own_comment_times:
        window = timedelta(minutes=current_app.config["EDIT_WINDOW_MINUTES"])
        now = utcnow()

        def own(match: re.Match[bytes]) -> bytes:
            comment_id = int(match.group(1))
            controls = own_comment_controls(comment_id, now < state.own_comment_times[comment_id] + window)
            return f"<!--viewer:{comment_id}-->{controls}<!--/viewer-->".encode()

        html = _only(_VIEWER_CONTROLS, state.own_comment_times).sub(own, html)
    return html


def _only(pattern: bytes, targets) -> re.Pattern[bytes]:
    """`pattern` matching just these targets (ids, or like targets such as c12 and p3)."""
    return re.compile(pattern.replace(b"{targets}", "|".join(map(str, targets)).encode()), re.DOTALL)
