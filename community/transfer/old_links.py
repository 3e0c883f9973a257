"""The addresses imported posts had on the old blog answer 301 to their new pages:
/YYYY/MM/DD/slug/, /YYYY/MM/slug/, /slug/, /archives/ID and /?p=ID. A browser carries the
fragment of an old comment link (#comment-123) across the redirect; it finds its comment when
the import could keep the comment's original id (see threads.py)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.dialects import postgresql, sqlite

from community.extensions import db
from community.models import OldLink, Post
from community.services.posts import can_view

bp = Blueprint("old_links", __name__)

_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
PATH_MAX = 300


def normal_path(path: str) -> str:
    """Old paths are kept and looked up with a trailing slash, as WordPress redirects to it."""
    return path if path.startswith("/?") or path.endswith("/") else f"{path}/"


def remember_links(post_id: int, paths: Iterable[str]) -> None:
    """Keep these old paths for the post; a path another post already holds stays with it."""
    wanted = dict.fromkeys(normal_path(path) for path in paths)
    rows = [{"path": path, "post_id": post_id} for path in wanted if len(path) <= PATH_MAX]
    if rows:
        insert = _INSERT[db.session.get_bind().dialect.name]
        db.session.execute(insert(OldLink).values(rows).on_conflict_do_nothing())


def _moved(path: str):
    post = db.session.scalar(
        sa.select(Post).join(OldLink, OldLink.post_id == Post.id).where(OldLink.path == normal_path(path))
    )
    if post is None or not can_view(current_user, post):
        abort(404)
    return redirect(url_for("posts.detail", slug=post.slug), code=301)


@bp.route("/<int:year>/<int:month>/<int:day>/<slug>/", strict_slashes=False)
@bp.route("/<int:year>/<int:month>/<slug>/", strict_slashes=False)
@bp.route("/archives/<int:post_id>", strict_slashes=False)
@bp.route("/<slug>/", strict_slashes=False)
def moved(**_parts: object):
    return _moved(request.path)


@bp.before_app_request
def moved_by_query():
    """WordPress's plain links, /?p=123: the index's address with the old post's id."""
    if request.path == "/" and request.method == "GET" and "p" in request.args:
        path = f"/?p={request.args['p']}"
        if db.session.scalar(sa.select(OldLink.post_id).where(OldLink.path == path)) is not None:
            return _moved(path)
    return None
