"""Making posts, comments and likes through the services, as the app itself does."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, Post, User
from community.services.comments import Guest, add_comment
from community.services.likes import set_comment_like, set_post_like
from community.services.posts import create_post


def user_named(name: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username_key == name.lower()))


def make_post(app, author_name="author", title="On Drifting", body="Some *words*.", publish=True, days_ago=0) -> str:
    with app.app_context():
        post = create_post(user_named(author_name), title, body, publish)
        if publish:
            post.published_at = post.published_at - timedelta(days=days_ago)
        db.session.commit()
        return post.slug


def post_by_slug(slug: str) -> Post:
    return db.session.scalar(sa.select(Post).where(Post.slug == slug))


def make_comment(app, slug: str, body="A thought.", author: str | None = "reader", parent_id: int | None = None,
                 guest: Guest | None = None) -> int:
    with app.app_context():
        comment = add_comment(
            post_by_slug(slug), body, author=user_named(author) if author else None,
            guest=guest, parent_id=parent_id,
        )
        db.session.commit()
        return comment.id


def make_thread(app, slug: str, depth: int, author="reader") -> list[int]:
    """A chain of replies `depth` deep; returns their ids, top-level first."""
    ids: list[int] = []
    with app.app_context():  # one transaction for the chain: the suites grow big discussions with it
        post, writer = post_by_slug(slug), user_named(author) if author else None
        for level in range(depth):
            ids.append(add_comment(post, f"level {level + 1}", author=writer, parent_id=ids[-1] if ids else None).id)
        db.session.commit()
    return ids


def like_post(app, slug: str, username: str) -> None:
    with app.app_context():
        set_post_like(user_named(username), post_by_slug(slug), True)
        db.session.commit()


def like_comment(app, comment_id: int, username: str) -> None:
    with app.app_context():
        set_comment_like(user_named(username), db.session.get(Comment, comment_id), True)
        db.session.commit()


def stored(app, model, row_id: int, column: str):
    with app.app_context():
        return db.session.scalar(sa.select(getattr(model, column)).where(model.id == row_id))


def count_rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))
