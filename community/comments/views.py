"""Posting a comment or reply; editing, deleting and reporting one; /comments/<id> permalinks."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from community.comments.forms import EditCommentForm, ReportForm
from community.extensions import db
from community.forms import show_domain_error
from community.models import Comment, CommentStatus, Post
from community.posts.page import comment_form_for, comment_url, get_visible_post, render_post_page
from community.services import DomainError
from community.services.comments import (
    Guest, add_comment, can_delete_own, can_edit_own, delete_own_comment, edit_own_comment, edit_window_ends,
)
from community.services.posts import can_view
from community.services.reports import has_reported, report_comment

bp = Blueprint("comments", __name__)

AWAITING = "Your comment is awaiting moderation."
OWN_PENDING_KEY = "pending_comment_ids"  # read by posts.page.render_post_page
OWN_PENDING_KEPT = 20


def remember_own_pending(comment: Comment) -> None:
    """A guest sees their held comment in place through the signed session cookie."""
    kept = [*session.get(OWN_PENDING_KEY, []), comment.id][-OWN_PENDING_KEPT:]
    session[OWN_PENDING_KEY] = kept


def get_public_comment(comment_id: int) -> tuple[Comment, Post]:
    """A comment and its post, 404 unless the viewer may see the post."""
    comment = db.session.get(Comment, comment_id)
    post = db.session.get(Post, comment.post_id) if comment else None
    if comment is None or post is None or not can_view(current_user, post):
        abort(404)
    return comment, post


@bp.route("/posts/<slug>/comments", methods=["POST"])
def create(slug: str):
    post = get_visible_post(slug)
    if not current_user.is_authenticated and not current_app.config["GUEST_COMMENTS"]:
        return redirect(url_for("auth.login", next=url_for("posts.detail", slug=slug, _anchor="respond")))
    form = comment_form_for(current_user)
    status = 422
    if form.validate_on_submit():
        author = current_user if current_user.is_authenticated else None
        guest = None if author else Guest(form.name.data, form.email.data, form.website.data)
        try:
            comment = add_comment(
                post, form.body.data, author=author, guest=guest,
                parent_id=int(form.parent_id.data) if form.parent_id.data else None,
                ip_address=request.remote_addr,
            )
        except DomainError as error:
            status = show_domain_error(form, error, "body")
        else:
            db.session.commit()
            if comment.status == CommentStatus.APPROVED:
                return redirect(comment_url(comment, post))
            if author is None:
                remember_own_pending(comment)
            flash(AWAITING, "info")
            if comment.status == CommentStatus.SPAM:  # said the same way, so spammers learn nothing
                return redirect(url_for("posts.detail", slug=post.slug, _anchor="respond"))
            return redirect(comment_url(comment, post))
    return render_post_page(post, form=form, status=status)


@bp.route("/comments/<int:comment_id>")
def permalink(comment_id: int):
    """Where a comment lives: the right page of the right post, anchored at the comment."""
    comment, post = get_public_comment(comment_id)
    if not comment.is_visible:
        abort(404)
    return redirect(comment_url(comment, post))


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int):
    comment, post = get_public_comment(comment_id)
    if comment.author_id != current_user.id:
        abort(403)
    form = EditCommentForm()
    if request.method == "GET":
        if not can_edit_own(current_user, comment):
            flash("This comment can no longer be edited.", "error")
            return redirect(comment_url(comment, post))
        form.body.data = comment.body_markdown
    status = 200
    if form.validate_on_submit():
        try:
            edit_own_comment(current_user, comment, form.body.data)
        except DomainError as error:
            status = show_domain_error(form, error, "body")
        else:
            db.session.commit()
            flash("Your comment is updated." if comment.status == CommentStatus.APPROVED else AWAITING, "success")
            return redirect(comment_url(comment, post))
    elif form.errors:
        status = 422
    return render_template("comments/edit.html", form=form, comment=comment, post=post,
                           window_ends=edit_window_ends(comment)), status


@bp.route("/comments/<int:comment_id>/delete", methods=["GET", "POST"])
@login_required
def delete(comment_id: int):
    comment, post = get_public_comment(comment_id)
    if not can_delete_own(current_user, comment):
        abort(403)
    if request.method == "POST":  # CSRFProtect has checked the token
        delete_own_comment(current_user, comment)
        db.session.commit()
        flash("Your comment is deleted.", "success")
        return redirect(url_for("posts.detail", slug=post.slug, _anchor="comments"))
    return render_template("comments/delete.html", comment=comment, post=post)


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@login_required
def report(comment_id: int):
    comment, post = get_public_comment(comment_id)
    if not comment.is_visible or comment.is_deleted:
        abort(404)
    back = comment_url(comment, post)
    if request.method == "GET" and has_reported(current_user, comment):
        flash("You have already reported this comment; the moderators will look at it.", "info")
        return redirect(back)
    form = ReportForm()
    status = 200
    if form.validate_on_submit():
        try:
            report_comment(current_user, comment, form.reason.data, form.details.data)
        except DomainError as error:
            status = show_domain_error(form, error, "reason")
        else:
            db.session.commit()
            flash("Thank you. A moderator will look at this comment.", "success")
            return redirect(back)
    return render_template("comments/report.html", form=form, comment=comment, post=post, back=back), status
