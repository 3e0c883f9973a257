"""Essays: who may see and write them, slugs, and their HTML made at write time."""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, InvalidRequestError

from community import text
from community.extensions import db
from community.notifications import events as notifications
from community.models import Post, PostStatus, User
from community.models.base import utcnow
from community.services import DomainError, NotAllowed

TITLE_MAX = 200
BODY_MAX = 100_000
SLUG_MAX = 80
RESERVED_SLUGS = frozenset({"new"})  # /posts/new is the editor


def slugify(title: str) -> str:
    """Lower-case ASCII words joined by hyphens; accents are folded, other scripts dropped."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or "post"


def _free_slug(base: str) -> str:
    taken = set(
        db.session.scalars(
            sa.select(Post.slug).where(sa.or_(Post.slug == base, Post.slug.like(f"{base}-%")))
        )
    )
    taken |= RESERVED_SLUGS
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def can_view(user: User | None, post: Post) -> bool:
    """Published posts are public; drafts only to their author and admins."""
    if post.is_published:
        return True
    return user is not None and user.is_authenticated and (user.id == post.author_id or user.is_admin)


def can_edit(user: User | None, post: Post) -> bool:
    """The post's author or an admin, neither of them suspended (closing its discussion is an edit)."""
    if user is None or not user.is_authenticated or user.is_suspended:
        return False
    return user.is_admin or (user.can_write_posts and user.id == post.author_id)


def _check_text(title: str, body: str) -> tuple[str, str]:
    title = title.strip()
    if not title:
        raise DomainError("A post needs a title.", field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"A title is at most {TITLE_MAX} characters.", field="title")
    if not body.strip():
        raise DomainError("A post needs some words.", field="body")
    if len(body) > BODY_MAX:
        raise DomainError(f"A post is at most {BODY_MAX:,} characters.", field="body")
    return title, body


def _apply(post: Post, title: str, body: str, publish: bool, comments_closed: bool) -> None:
    post.title = title
    post.comments_closed = comments_closed
    post.body_markdown = body
    post.body_html = text.render_essay(body)
    post.excerpt = text.excerpt(post.body_html)
    if publish and not post.is_published:
        post.status = PostStatus.PUBLISHED
        post.published_at = post.published_at or utcnow()
    elif not publish:
        post.status = PostStatus.DRAFT


def create_post(author: User, title: str, body: str, publish: bool, comments_closed: bool = False) -> Post:
    """A new essay with a slug made from its title, unique across the site."""
    if not author.can_write_posts:
        raise NotAllowed("Only authors and admins write posts.")
    title, body = _check_text(title, body)
    post = Post(author=author)
    _apply(post, title, body, publish, comments_closed)
    base = slugify(title)
    for _attempt in range(5):
        post.slug = _free_slug(base)
        try:
            with db.session.begin_nested():  # another author may take the same slug meanwhile
                db.session.add(post)
            notifications.post_published(post)
            return post
        except IntegrityError:
            continue
    raise DomainError("Could not find a free address for this title; change it a little.", field="title")


def update_post(editor: User, post: Post, title: str, body: str, publish: bool, comments_closed: bool = False) -> Post:
    """New words for an essay; its slug stays, so links to it keep working. Closing comments is
    the author's toggle: the discussion stays, no one adds to it."""
    if not can_edit(editor, post):
        raise NotAllowed("Only the post's author or an admin may edit it.")
    title, body = _check_text(title, body)
    _apply(post, title, body, publish, comments_closed)
    post.discussion_version = Post.discussion_version + 1
    db.session.flush()
    notifications.post_published(post)
    return post


def discussion_changed(post_id: int | None = None) -> None:
    """Something on the post page changed: move its version, so cached copies of it go stale.
    Without a post, every post's (a change of the rules can close discussions everywhere)."""
    statement = sa.update(Post).values(discussion_version=Post.discussion_version + 1)
    if post_id is not None:
        statement = statement.where(Post.id == post_id)
    db.session.execute(statement)


def likes_changed(post_id: int) -> None:
    """A comment of the post was liked or unliked: only the page's like counts changed (a post's
    own like also changes its list of likers, and moves the discussion's version)."""
    db.session.execute(sa.update(Post).where(Post.id == post_id).values(likes_version=Post.likes_version + 1))


def lock_discussion(post_ids: int | list[int], *rows: object, gone: str = "That comment is no longer here.") -> None:
    """Take the row lock of the post (or posts) whose discussion is about to change, then read
    `rows` again as they are now; `gone` (a 404) if one was deleted meanwhile.

    Every write to a discussion takes it first, so on PostgreSQL those writes queue in one order:
    without it a like locks its comment then the post, a deletion the post then the comment, and
    the two deadlock; and a reply could land under a comment a deletion has just counted as
    bare. On SQLite writers already queue one at a time (community/sqlite.py) and FOR UPDATE is
    left out of the statement.
    """
    ids = sorted({post_ids} if isinstance(post_ids, int) else set(post_ids))
    if ids:
        db.session.execute(sa.select(Post.id).where(Post.id.in_(ids)).order_by(Post.id).with_for_update(key_share=True))
    for row in rows:
        try:
            db.session.refresh(row)
        except InvalidRequestError:
            raise DomainError(gone, status=404) from None


def preview(body: str) -> str:
    """The HTML a body would be stored as, for the editor's preview."""
    return text.render_essay(body)
