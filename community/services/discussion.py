"""Reading a discussion: a page of whole threads in one ordered query, the tree built in Python,
and the reader's own state (likes, comments awaiting moderation, the notification boxes they tick
by default) in one query each."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from community.extensions import db
from community.models import Comment, CommentLike, CommentStatus, Post, PostLike, Subscriber, User
from community.services.thread_order import DEFAULT_ORDER, NEWEST, comments_in_order, thread_roots, threads_before

LIKERS_SHOWN = 20
HELD_SHOWN = 200  # the most held comments a moderator sees in place on one page


@dataclass
class CommentNode:
    """A comment in its thread; `comment` is None for a hidden ancestor kept so replies stay put."""

    comment_id: int
    depth: int
    comment: Comment | None = None
    children: list[CommentNode] = field(default_factory=list)


@dataclass
class Discussion:
    post: Post
    threads: list[CommentNode]
    page: int
    pages: int
    liked_comment_ids: set[int]
    post_liked: bool
    likers: list[User]
    notify_defaults: frozenset[str] = frozenset()  # the comment form's boxes this viewer has ticked

    @property
    def others_who_liked(self) -> int:
        return max(0, self.post.like_count - len(self.likers))


def _visible_in(post_id: int) -> sa.ColumnElement[bool]:
    """The comments that make a thread one a reader can see: its approved ones."""
    return sa.and_(Comment.post_id == post_id, Comment.status == CommentStatus.APPROVED)


def _thread_summary(post_id: int) -> tuple[int, int]:
    """How many threads a reader can see, and the newest one's root id (0 with none)."""
    count, newest = db.session.execute(
        sa.select(sa.func.count(sa.distinct(Comment.root_id)), sa.func.max(Comment.root_id)).where(_visible_in(post_id))
    ).one()
    return count, newest or 0


def _pages(threads: int) -> int:
    return max(1, math.ceil(threads / current_app.config["COMMENTS_PER_PAGE"]))


def page_count(post: Post) -> int:
    return _pages(_thread_summary(post.id)[0])


def page_of(comment: Comment, order: str = DEFAULT_ORDER) -> int:
    """The page of its post's discussion that shows this comment's thread in `order`; for a thread
    no reader sees yet (a held new comment, shown to its author), the page where it is shown. One
    pass over the post's threads counts both the threads before this one and all of them."""
    before_it, root = threads_before(comment, order)
    earlier = sa.case((before_it, Comment.root_id))
    query = sa.select(sa.func.count(sa.distinct(earlier)), sa.func.count(sa.distinct(Comment.root_id)))
    if root is not None:
        query = query.select_from(Comment).join(root, root.id == Comment.root_id)
    before, threads = db.session.execute(query.where(_visible_in(comment.post_id))).one()
    return min(before // current_app.config["COMMENTS_PER_PAGE"] + 1, _pages(threads))


def build_tree(comments: Iterable[Comment]) -> list[CommentNode]:
    """Nest comments given thread by thread, each in path order. An ancestor that is not shown (held, removed)
    becomes an empty node, so its visible replies keep their place in the thread."""
    nodes: dict[int, CommentNode] = {}
    roots: list[CommentNode] = []
    for comment in comments:
        parent: CommentNode | None = None
        for level, ancestor_id in enumerate(_ancestor_ids(comment), start=1):
            node = nodes.get(ancestor_id)
            if node is None:
                node = nodes[ancestor_id] = CommentNode(ancestor_id, level)
                (parent.children if parent else roots).append(node)
            parent = node
        node = nodes.get(comment.id)
        if node is None:
            node = nodes[comment.id] = CommentNode(comment.id, comment.depth)
            (parent.children if parent else roots).append(node)
        node.comment = comment
    return roots


def _ancestor_ids(comment: Comment) -> list[int]:
    return [int(segment) for segment in comment.path.split("/")[:-1]]


def _held_for(viewer: User | None, post: Post, own_pending_ids: list[int]):
    """The held comments this viewer may see in place: moderators all, authors their own. An author
    sees their own spam as held too, so the rules that sent it there are not given away."""
    held = sa.and_(Comment.post_id == post.id, Comment.status == CommentStatus.PENDING)
    if viewer is not None and viewer.is_authenticated and viewer.is_moderator:
        return held
    own_unseen = sa.and_(Comment.post_id == post.id, Comment.status.in_((CommentStatus.PENDING, CommentStatus.SPAM)))
    if viewer is not None and viewer.is_authenticated:
        return sa.and_(own_unseen, sa.or_(Comment.author_id == viewer.id, Comment.id.in_(own_pending_ids)))
    if own_pending_ids:
        return sa.and_(own_unseen, Comment.id.in_(own_pending_ids))
    return None


def load_discussion(post: Post, page: int, viewer: User | None, own_pending_ids: list[int] = (),
                    order: str = DEFAULT_ORDER) -> Discussion | None:
    """The page's threads in `order`, the viewer's likes and held comments, and the post's likers;
    None when the page is past the end. `own_pending_ids`: a guest's held comments, from their session."""
    per_page = current_app.config["COMMENTS_PER_PAGE"]
    threads, newest_root = _thread_summary(post.id)
    pages = _pages(threads)
    if page < 1 or page > pages:
        return None
    page_roots = thread_roots(_visible_in(post.id), order).limit(per_page).offset((page - 1) * per_page)
    comments = list(db.session.scalars(comments_in_order(
        sa.select(Comment).where(Comment.root_id.in_(page_roots), Comment.status == CommentStatus.APPROVED), order)))

    held_filter = _held_for(viewer, post, list(own_pending_ids))
    if held_filter is not None:
        place = {root_id: rank for rank, root_id in enumerate(dict.fromkeys(c.root_id for c in comments))}
        # A held new thread (none newer is public) goes where a new thread would: first on the first
        # page newest first, else last on the last page.
        new_threads_here = page == 1 if order == NEWEST else page == pages
        new_place = -1 if order == NEWEST else len(place)
        # Thread order, which ix_comments_post_status_root gives: ordered by id, SQLite's planner
        # (once ANALYZE finds one post holding most comments) walks the whole table by rowid.
        held = sa.select(Comment).where(held_filter).order_by(Comment.root_id, Comment.path).limit(HELD_SHOWN)
        for comment in db.session.scalars(held):
            if comment.root_id in place or (new_threads_here and comment.root_id > newest_root):
                comments.append(comment)
        newest_first = -1 if order == NEWEST else 1
        comments.sort(key=lambda comment: (place.get(comment.root_id, new_place), newest_first * comment.root_id,
                                           comment.path))

    liked_comment_ids: set[int] = set()
    post_liked = False
    notify_defaults: frozenset[str] = frozenset()
    if viewer is not None and viewer.is_authenticated:
        liked_comment_ids, post_liked, notify_defaults = viewer_marks(post, viewer)

    likers: list[User] = []
    if post.like_count:
        likers = list(
            db.session.scalars(
                sa.select(User)
                .join(PostLike, PostLike.user_id == User.id)
                .where(PostLike.post_id == post.id)
                .order_by(PostLike.created_at, PostLike.user_id)
                .limit(LIKERS_SHOWN)
            )
        )
    return Discussion(post, build_tree(comments), page, pages, liked_comment_ids, post_liked, likers, notify_defaults)


NOTIFY_REPLIES, NOTIFY_COMMENTS = "replies", "comments"  # the comment form's boxes an account may pre-tick


def _notify_default_rows(user_id, *padding) -> list[sa.Select]:
    """The boxes of the comment form an account ticks by default (its notification settings), as
    rows (kind, subscriber id, *padding) of a reader's union query; none once it has stopped all
    mail (an unsubscribe from everything is not undone by a box pre-ticked for it)."""
    active = sa.and_(Subscriber.user_id == user_id, Subscriber.stopped_at.is_(None))
    return [sa.select(sa.literal(name), Subscriber.id, *padding).where(active, column)
            for name, column in ((NOTIFY_REPLIES, Subscriber.default_replies),
                                 (NOTIFY_COMMENTS, Subscriber.default_comments))]


def viewer_marks(post: Post, viewer: User) -> tuple[set[int], bool, frozenset[str]]:
    """Which of this post's comments the viewer liked, whether they liked the post, and which
    notification boxes they tick by default: one query."""
    rows = db.session.execute(
        sa.union_all(
            sa.select(sa.literal("post").label("kind"), PostLike.post_id.label("target_id")).where(
                PostLike.user_id == viewer.id, PostLike.post_id == post.id
            ),
            sa.select(sa.literal("comment"), CommentLike.comment_id)
            .join(Comment, Comment.id == CommentLike.comment_id)
            .where(CommentLike.user_id == viewer.id, Comment.post_id == post.id),
            *_notify_default_rows(viewer.id),
        )
    ).all()
    liked = {target for kind, target in rows if kind == "comment"}
    defaults = frozenset(kind for kind, _ in rows if kind in (NOTIFY_REPLIES, NOTIFY_COMMENTS))
    return liked, any(kind == "post" for kind, _ in rows), defaults


@dataclass
class ReaderState:
    """A signed-in reader's own marks on a post page: what they liked, what they wrote."""

    post_id: int
    post_liked: bool
    liked_comment_ids: set[int]
    own_comment_times: dict[int, object]  # id -> created_at, of their public comments
    has_held_comment: bool
    notify_defaults: set[str] = field(default_factory=set)  # the comment form's boxes pre-ticked


def _reader_state_query() -> sa.CompoundSelect:
    """Built once: the reader's like of the post, likes of its comments, own comments, and the
    notification boxes they tick by default."""
    reader_id, post_id = sa.bindparam("reader_id"), sa.bindparam("post_id")
    no_time = sa.null().cast(Comment.created_at.type)
    no_status = sa.null().cast(sa.String)
    return sa.union_all(
        sa.select(sa.literal("post-like").label("kind"), PostLike.post_id.label("target_id"),
                  no_status.label("status"), no_time.label("created_at"))
        .where(PostLike.user_id == reader_id, PostLike.post_id == post_id),
        sa.select(sa.literal("comment-like"), CommentLike.comment_id, no_status, no_time)
        .join(Comment, Comment.id == CommentLike.comment_id)
        .where(CommentLike.user_id == reader_id, Comment.post_id == post_id),
        sa.select(sa.literal("own"), Comment.id, Comment.status, Comment.created_at)
        .where(Comment.author_id == reader_id, Comment.post_id == post_id, Comment.deleted_at.is_(None)),
        *_notify_default_rows(reader_id, no_status, no_time),
    )


_READER_STATE = _reader_state_query()


def reader_state(connection: sa.Connection, post: Post, reader: User) -> ReaderState:
    """Everything personal about one post page for one reader, in one query."""
    rows = connection.execute(_READER_STATE, {"reader_id": reader.id, "post_id": post.id}).all()
    state = ReaderState(post.id, False, set(), {}, False)
    for kind, target_id, status, created_at in rows:
        if kind == "post-like":
            state.post_liked = True
        elif kind == "comment-like":
            state.liked_comment_ids.add(target_id)
        elif kind in (NOTIFY_REPLIES, NOTIFY_COMMENTS):
            state.notify_defaults.add(kind)
        elif status == CommentStatus.APPROVED:
            state.own_comment_times[target_id] = created_at
        elif status in (CommentStatus.PENDING, CommentStatus.SPAM):  # spam looks held to its author
            state.has_held_comment = True
    return state
