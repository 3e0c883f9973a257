"""The orders a reader may sort a discussion in. Every order sorts whole threads by their
top-level comment, so a thread is never split and its replies stay in conversation order:
oldest first (WordPress's default), newest first, or most liked (the top-level comment's likes,
then oldest first)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from community.models import Comment

OLDEST, NEWEST, MOST_LIKED = "oldest", "newest", "liked"
ORDERS = {OLDEST: "Oldest first", NEWEST: "Newest first", MOST_LIKED: "Most liked"}
DEFAULT_ORDER = OLDEST


def parse_order(raw: str | None) -> str:
    """The order a link, form or cookie names; anything else is the default."""
    return raw if raw in ORDERS else DEFAULT_ORDER


def _root():
    return aliased(Comment, name="thread_root")


def thread_roots(visible: sa.ColumnElement[bool], order: str) -> sa.Select:
    """The root ids of the threads holding a `visible` comment, in the page order: for the most
    liked, grouped with their root's like count to sort by."""
    threads = sa.select(Comment.root_id).where(visible)
    if order == MOST_LIKED:
        root = _root()
        return (threads.join(root, root.id == Comment.root_id).group_by(Comment.root_id, root.like_count)
                .order_by(root.like_count.desc(), Comment.root_id))
    return threads.distinct().order_by(Comment.root_id.desc() if order == NEWEST else Comment.root_id)


def comments_in_order(select: sa.Select, order: str) -> sa.Select:
    """`select` (of Comment) ordered thread by thread as the page shows them, each thread by path."""
    if order == NEWEST:
        return select.order_by(Comment.root_id.desc(), Comment.path)
    if order == MOST_LIKED:
        root = _root()
        return (select.join(root, root.id == Comment.root_id)
                .order_by(root.like_count.desc(), Comment.root_id, Comment.path))
    return select.order_by(Comment.root_id, Comment.path)


def threads_before(comment: Comment, order: str) -> tuple[sa.ColumnElement[bool], object | None]:
    """The condition "this row's thread comes before `comment`'s" in `order`, and the root alias
    the query must join (None when it needs none)."""
    if order == NEWEST:
        return Comment.root_id > comment.root_id, None
    if order == MOST_LIKED:
        root, its_root = _root(), aliased(Comment, name="its_root")
        likes = sa.select(its_root.like_count).where(its_root.id == comment.root_id).scalar_subquery()
        return sa.or_(root.like_count > likes,
                      sa.and_(root.like_count == likes, Comment.root_id < comment.root_id)), root
    return Comment.root_id < comment.root_id, None
