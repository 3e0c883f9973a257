"""Likes: idempotent, counted once, by a unique key and an SQL increment in one transaction."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from community.extensions import db
from community.models import Comment, CommentLike, Post, PostLike, User
from community.services import DomainError
from community.services.accounts import ensure_may_take_part
from community.services.posts import discussion_changed, likes_changed, lock_discussion

_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _set_like(like_model, counted_model, key_column: str, target_id: int, user: User, liked: bool, post_id: int,
              changed_page: Callable[[int], None] = discussion_changed) -> bool:
    """Make the like exist or not; returns whether anything changed.

    INSERT ... ON CONFLICT DO NOTHING means a double press, even a concurrent one, adds one row and
    never raises; the counter moves only when a row really appeared or went, which RETURNING tells
    reliably on every driver (rowcount does not).
    """
    if liked:
        insert = _INSERT[db.engine.dialect.name]
        statement = insert(like_model).values(user_id=user.id, **{key_column: target_id}).on_conflict_do_nothing()
    else:
        statement = sa.delete(like_model).where(
            like_model.user_id == user.id, getattr(like_model, key_column) == target_id
        )
    changed = db.session.execute(statement.returning(like_model.user_id)).first() is not None
    if changed:
        delta = 1 if liked else -1
        db.session.execute(
            sa.update(counted_model)
            .where(counted_model.id == target_id)
            .values(like_count=counted_model.like_count + delta)
        )
        changed_page(post_id)
    return changed


def set_post_like(user: User, post: Post, liked: bool) -> int:
    """Like or unlike a post; returns its like count afterwards."""
    ensure_may_take_part(user)
    lock_discussion(post.id, post)
    if not post.is_published:
        raise DomainError("Only published posts can be liked.", status=404)
    _set_like(PostLike, Post, "post_id", post.id, user, liked, post.id)
    return db.session.scalar(sa.select(Post.like_count).where(Post.id == post.id))


def set_comment_like(user: User, comment: Comment, liked: bool) -> int:
    """Like or unlike a visible comment; returns its like count afterwards."""
    ensure_may_take_part(user)
    lock_discussion(comment.post_id, comment, gone="That comment cannot be liked.")
    # A withdrawn post's discussion is private and closed, like the post itself.
    if not comment.is_public or not comment.post.is_published:
        raise DomainError("That comment cannot be liked.", status=404)
    _set_like(CommentLike, Comment, "comment_id", comment.id, user, liked, comment.post_id, likes_changed)
    return db.session.scalar(sa.select(Comment.like_count).where(Comment.id == comment.id))


def like_target(raw: str | None) -> str | None:
    """A Like a guest pressed before logging in, "p12" (a post) or "c345" (a comment), or None."""
    if not raw or raw[:1] not in ("p", "c") or not raw[1:].isascii() or not raw[1:].isdigit() or len(raw) > 11:
        return None
    return raw if 0 < int(raw[1:]) < 2**31 else None


def like_after_login(user: User, target: str) -> bool:
    """The Like a guest pressed, applied once they have logged in; False (nothing changed) when the
    post or comment cannot be liked any more, or the account may not take part."""
    model = Post if target[0] == "p" else Comment
    found = db.session.get(model, int(target[1:]))
    if found is None:
        return False
    try:
        with db.session.begin_nested():
            (set_post_like if model is Post else set_comment_like)(user, found, True)
    except DomainError:
        return False
    return True
