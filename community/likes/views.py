"""Like and unlike by POST; the form says the state wanted, so a double press counts once."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, jsonify, redirect, request, url_for
from flask_login import current_user

from community.errors import wants_json
from community.extensions import db
from community.models import Comment, Post
from community.discussion.page import comment_url
from community.services import DomainError
from community.services.likes import set_comment_like, set_post_like
from community.services.posts import can_view
from community.templating import liked_by

bp = Blueprint("likes", __name__, url_prefix="/likes")


def _wanted_state() -> bool:
    wanted = request.form.get("liked", "1")
    if wanted not in ("0", "1"):
        abort(400)
    return wanted == "1"


def _answer(back: Callable[[], str], liked: bool, count: int):
    if wants_json():
        return jsonify(liked=liked, count=count, label=liked_by(count, you=liked))
    return redirect(back())


def _send_to_login(back: Callable[[], str]):
    """A guest pressing Like logs in and comes back to the same place on the page."""
    if wants_json():
        return jsonify(error="Please log in to like.", login=url_for("auth.login", next=back())), 401
    return redirect(url_for("auth.login", next=back()))


def _change_like(back: Callable[[], str], set_like: Callable[[bool], int]):
    """The shared path of both buttons: guests go to log in, readers get the state they asked for.
    `back` makes the address to return to, only when an answer needs it: finding a comment's page
    counts the threads before it, which a script's like (answered in JSON) does not need."""
    if not current_user.is_authenticated:
        return _send_to_login(back)
    liked = _wanted_state()
    try:
        count = set_like(liked)
    except DomainError as error:
        abort(error.status, error.message)
    db.session.commit()
    return _answer(back, liked, count)


@bp.route("/posts/<int:post_id>", methods=["POST"])
def post_like(post_id: int):
    post = db.session.get(Post, post_id)
    if post is None or not can_view(current_user, post):
        abort(404)
    return _change_like(lambda: url_for("posts.detail", slug=post.slug, _anchor="likes"),
                        lambda liked: set_post_like(current_user, post, liked))


@bp.route("/comments/<int:comment_id>", methods=["POST"])
def comment_like(comment_id: int):
    comment = db.session.get(Comment, comment_id)
    post = db.session.get(Post, comment.post_id) if comment else None
    if comment is None or post is None or not can_view(current_user, post) or not comment.is_public:
        abort(404)
    return _change_like(lambda: comment_url(comment, post), lambda liked: set_comment_like(current_user, comment, liked))
