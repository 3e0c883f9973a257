"""/feed, /comments/feed and /posts/<slug>/feed: Atom, with ETag and Last-Modified so a reader
that asks again with If-None-Match or If-Modified-Since gets a 304 when nothing changed; and the
autodiscovery links every page carries."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Blueprint, Response, abort, request, url_for

from community.extensions import db
from community.feeds import atom
from community.models import Post, PostStatus

bp = Blueprint("feeds", __name__)

ATOM = "application/atom+xml; charset=utf-8"


def _answer(document: bytes, updated: datetime) -> Response:
    response = Response(document, mimetype="application/atom+xml", content_type=ATOM)
    response.set_etag(hashlib.sha256(document).hexdigest()[:32])
    response.last_modified = updated
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response.make_conditional(request)


def _published_post(slug: str) -> Post:
    """Only a published post has a public feed: a draft's is a 404 for everyone."""
    post = db.session.scalar(db.select(Post).where(Post.slug == slug))
    if post is None or post.status != PostStatus.PUBLISHED:
        abort(404)
    return post


@bp.route("/feed")
def posts():
    return _answer(*atom.posts_feed())


@bp.route("/comments/feed")
def comments():
    return _answer(*atom.comments_feed())


@bp.route("/posts/<slug>/feed")
def post_comments(slug: str):
    return _answer(*atom.comments_feed(_published_post(slug)))


@bp.app_context_processor
def feed_links() -> dict[str, object]:
    """The feeds a page offers (base.html writes them as <link rel="alternate">): the site's posts
    and comments everywhere, and on a post's page that post's comments."""
    links = [("Posts", url_for("feeds.posts")), ("Comments", url_for("feeds.comments"))]
    slug = (request.view_args or {}).get("slug") if request.endpoint == "posts.detail" else None
    if slug:
        links.append(("Comments on this post", url_for("feeds.post_comments", slug=slug)))
    return {"feed_links": links}
