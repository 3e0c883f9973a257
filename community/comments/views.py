"""Posting a comment or reply, and /comments/<id> permalinks."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_login import current_user

from community.extensions import db
from community.forms import show_domain_error
from community.models import Comment, Post
from community.posts.page import comment_form_for, comment_url, get_visible_post, render_post_page
from community.services import DomainError
from community.services.comments import Guest, add_comment
from community.services.posts import can_view

bp = Blueprint("comments", __name__)


@bp.route("/posts/<slug>/comments", methods=["POST"])
def create(slug: str):
    post = get_visible_post(slug)
    if not current_user.is_authenticated and not current_app.config["GUEST_COMMENTS"]:
        return redirect(url_for("auth.login", next=url_for("posts.detail", slug=slug, _anchor="respond")))
    form = comment_form_for(current_user)
    if form.validate_on_submit():
        guest = None
        if not current_user.is_authenticated:
            guest = Guest(form.name.data, form.email.data, form.website.data)
        try:
            comment = add_comment(
                post,
                form.body.data,
                author=current_user if current_user.is_authenticated else None,
                guest=guest,
                parent_id=int(form.parent_id.data) if form.parent_id.data else None,
                ip_address=request.remote_addr,
            )
        except DomainError as error:
            if error.status == 403:
                abort(403, error.message)
            show_domain_error(form, error, "body")
        else:
            db.session.commit()
            return redirect(comment_url(comment, post.slug))
    return render_post_page(post, form=form, status=422)


@bp.route("/comments/<int:comment_id>")
def permalink(comment_id: int):
    """Where a comment lives: the right page of the right post, anchored at the comment."""
    comment = db.session.get(Comment, comment_id)
    post = db.session.get(Post, comment.post_id) if comment else None
    if comment is None or post is None or not comment.is_visible or not can_view(current_user, post):
        abort(404)
    return redirect(comment_url(comment, post.slug))
