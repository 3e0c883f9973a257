"""The index, a post's page, and writing and editing posts."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required

from community.extensions import db
from community.models import Post, PostStatus
from community.posts.forms import PostForm
from community.discussion.reader import Reader
from community.discussion.page import get_visible_post, remember_order, render_post_page, requested_order, requested_page
from community.discussion.cache import cached_post_page
from community.ratelimits import forms_again
from community.routing import page_number
from community.services.index import Cursor, index_page, numbered_page
from community.services import DomainError
from community.services import posts as post_rules

bp = Blueprint("posts", __name__)


def get_post(slug: str, check_editor: bool = False) -> Post:
    """The post at `slug`, or 404 (drafts too, for those who may not see them), or 403 to edit."""
    post = get_visible_post(slug)
    if check_editor and not post_rules.can_edit(current_user, post):
        abort(403)
    return post


def require_writer() -> None:
    if not current_user.can_write_posts:
        abort(403)


@bp.route("/")
def index():
    """Newest first, paged by keyset: ?older=<cursor> and ?newer=<cursor> name the post a page
    starts after; ?page=N, the links of before, still work (by offset)."""
    per_page = current_app.config["POSTS_PER_PAGE"]
    older, newer = (request.args.get(name) for name in ("older", "newer"))
    if older is not None or newer is not None:
        older_than, newer_than = Cursor.parse(older), Cursor.parse(newer)
        if (older is None) == (newer is None) or (older_than or newer_than) is None:
            abort(404, "There is no such page.")
        page = index_page(per_page, older_than, newer_than)
        if not page.posts:
            abort(404, "There is no such page.")
    elif "page" in request.args:
        page = numbered_page(per_page, page_number(per_page))  # 404 for a page no offset can reach
        if page is None:
            abort(404, "There is no such page.")
    else:
        page = index_page(per_page)
    return render_template("posts/index.html", page=page)


@bp.route("/drafts")
@login_required
def drafts():
    require_writer()
    query = sa.select(Post).where(Post.status == PostStatus.DRAFT).order_by(Post.updated_at.desc())
    if not current_user.is_admin:
        query = query.where(Post.author_id == current_user.id)
    return render_template("posts/drafts.html", posts=db.session.scalars(query).all())


@bp.route("/posts/<slug>")
def detail(slug: str):
    reader = Reader.of(current_user, session)  # the account loaded first: one connection at a time
    page, replytocom, order = requested_page(), request.args.get("replytocom"), requested_order()
    shared = cached_post_page(slug, reader, page, replytocom, order)
    if shared is None:
        shared = render_post_page(get_post(slug), reader, page, replytocom, order=order)
    return remember_order(make_response(shared))


def _edit_page(form: PostForm, post: Post | None):
    """Save the form, or show it again with a preview or its errors."""
    if form.validate_on_submit() and not form.preview.data:
        try:
            fields = (form.title.data, form.body.data, form.wants_published, form.comments_closed.data)
            if post is None:
                post = post_rules.create_post(current_user, *fields)
            else:
                post_rules.update_post(current_user, post, *fields)
        except DomainError as error:
            getattr(form, error.field or "title").errors.append(error.message)
        else:
            db.session.commit()
            if post.is_published:
                flash("Your post is published.", "success")
            elif form.unpublish.data:
                flash("Your post is a draft again: only you and admins can see it.", "success")
            else:
                flash("Your draft is saved. Only you and admins can see it until you publish it.", "success")
            return redirect(url_for("posts.detail", slug=post.slug))
    # Only a body within the limit is rendered: a megabyte of Markdown costs seconds of CPU.
    preview_html = post_rules.preview(form.body.data) if form.preview.data and form.body.data and not form.body.errors else None
    status = 422 if form.errors else 200
    return render_template("posts/edit.html", form=form, post=post, preview_html=preview_html), status


@bp.route("/posts/new", methods=["GET", "POST"])
@login_required
def new():
    require_writer()
    return _edit_page(PostForm(), None)


@bp.route("/posts/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    post = get_post(slug, check_editor=True)
    form = PostForm(obj=None)
    if request.method == "GET":
        form.title.data, form.body.data = post.title, post.body_markdown
        form.comments_closed.data = post.comments_closed
    return _edit_page(form, post)


def _essay_form_again(field: str, message: str) -> str:
    """Over a rate limit: the essay editor again, the title and body as typed, the refusal at the body."""
    slug = (request.view_args or {}).get("slug")
    post = get_post(slug, check_editor=True) if slug else None
    form = PostForm()
    getattr(form, field).errors = [message]
    return render_template("posts/edit.html", form=form, post=post, preview_html=None)


bp.register_error_handler(RateLimitExceeded, forms_again({
    "posts.new": ("body", _essay_form_again),
    "posts.edit": ("body", _essay_form_again),
}))
