"""Posting a comment or reply; editing, deleting and reporting one; /comments/<id> permalinks."""

from __future__ import annotations

from flask import (
    Blueprint, abort, current_app, flash, jsonify, make_response, redirect, render_template, request, session, url_for,
)
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required

from community.comments.forms import EditCommentForm, ReportForm
from community.comments.guest_browser import browser_key, remember_browser, remember_details
from community.errors import wants_json
from community.extensions import db
from community.forms import show_domain_error
from community.models import Comment, CommentStatus, Post
from community.discussion.reader import OWN_PENDING_KEY, Reader
from community.discussion.page import (
    DiscussionView, comment_form_for, comment_url, discussion_view, get_visible_post, post_page, requested_order,
    requested_page,
)
from community.ratelimits import forms_again
from community.routing import parse_id
from community.services.discussion import CommentNode, Discussion
from community.services.moderation import can_moderate
from community.templating import thoughts_heading
from community.text import render_comment
from community.services import DomainError
from community.services.comments import (
    BODY_MAX, Guest, add_comment, can_comment_on, can_delete_own, can_edit_own, delete_own_comment, edit_own_comment, edit_window_ends,
)
from community.services.posts import can_view
from community.notifications.subscriptions import CHECK_INBOX, Choices, subscribe_after_comment
from community.services.reports import has_reported, report_comment
from community.spam.form_token import new_form_token, read_form

bp = Blueprint("comments", __name__)

AWAITING = "Your comment is awaiting moderation."
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
    """Post Comment (or Preview). Browsers get a redirect to the new comment; scripts get JSON with
    the comment's HTML to insert in place."""
    post = get_visible_post(slug)
    if not current_user.is_authenticated and not current_app.config["GUEST_COMMENTS"]:
        back = url_for("posts.detail", slug=slug, _anchor="respond")
        if wants_json():  # a script shows the sentence and the way to log in, as for a guest's Like
            return jsonify(error="Please log in to comment.", login=url_for("auth.login", next=back)), 401
        return redirect(url_for("auth.login", next=back))
    form = comment_form_for(current_user)
    if request.form.get("preview") and not wants_json():
        return post_page(post, form=form, preview_html=render_comment(form.body.data or ""))
    status = 422
    if form.validate_on_submit():
        author = current_user if current_user.is_authenticated else None
        guest = None if author else Guest(form.name.data, form.email.data, form.website.data, browser_key())
        try:
            comment = add_comment(
                post, form.body.data, author=author, guest=guest,
                parent_id=parse_id(form.parent_id.data),
                ip_address=request.remote_addr, form=read_form(request.form),
            )
        except DomainError as error:
            status = show_domain_error(form, error, "body")
        else:
            if comment.status != CommentStatus.APPROVED and author is None:
                remember_own_pending(comment)
            check_inbox = subscribe_after_comment(comment, Choices(
                form.notify_replies.data, form.notify_comments.data, form.notify_posts.data))
            # Drawn before the commit, inside the transaction: nothing is read again after it,
            # so on SQLite the writer's turn is taken once per comment.
            answer = make_response(_created(comment, post, check_inbox))
            db.session.commit()
            if author is None:
                remember_details(answer, form.save_details.data, form.name.data, form.email.data, form.website.data)
                remember_browser(answer)
            return answer
    if wants_json():
        return jsonify(error="Please correct the marked fields.", errors=form.errors), status
    return post_page(post, form=form, status=status)


def _created(comment: Comment, post: Post, check_inbox: bool = False):
    if wants_json():
        answer = _comment_json(comment, post)
        if check_inbox:
            answer["message"] = f"{answer['message']} {CHECK_INBOX}"
            answer["notice"] = CHECK_INBOX
        return jsonify(answer), 201
    if check_inbox:
        flash(CHECK_INBOX, "info")
    if comment.status == CommentStatus.APPROVED:
        return redirect(comment_url(comment, post))
    flash(AWAITING, "info")  # held or spam alike: the author sees it in place, so spammers learn nothing
    return redirect(comment_url(comment, post))


def _comment_json(comment: Comment, post: Post) -> dict[str, object]:
    db.session.refresh(post)
    page = request.args.get("cpage", 1, type=int)
    view = DiscussionView(
        post=post,
        discussion=Discussion(post, [], page, page, set(), False, []),
        comments_open=can_comment_on(post),
        thread_depth=current_app.config["THREAD_DEPTH"],
        may_moderate=can_moderate(current_user),
        order=requested_order(),
    )
    # Spam is drawn like a held comment, so spammers learn nothing.
    html = render_template("comments/_item.html", node=CommentNode(comment.id, comment.depth, comment), view=view)
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "status": "approved" if comment.status == CommentStatus.APPROVED else "pending",
        "message": "Your comment is posted." if comment.status == CommentStatus.APPROVED else AWAITING,
        "html": html,
        "comment_count": post.comment_count,
        "heading": thoughts_heading(post.comment_count, post.title),
        "form_token": new_form_token(),  # the next comment from this page is a new form
    }


@bp.route("/comments/preview", methods=["POST"])
def preview():
    """The HTML a comment would be stored as, for the Preview tab."""
    return jsonify(html=render_comment(request.form.get("body", "")[:BODY_MAX]))


@bp.route("/posts/<slug>/comments/count")
def count(slug: str):
    """How many public comments the post has now, so a page can offer "N new comments"."""
    post = get_visible_post(slug)
    return jsonify(comment_count=post.comment_count, heading=thoughts_heading(post.comment_count, post.title))


@bp.route("/posts/<slug>/threads")
def threads(slug: str):
    """A page's threads as an HTML fragment (?cpage=N), to refresh them without reloading."""
    return render_template("comments/_threads.html", view=discussion_view(
        get_visible_post(slug), Reader.of(current_user, session), requested_page(), requested_order()))


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
        try:
            delete_own_comment(current_user, comment)
        except DomainError as error:  # gone meanwhile (a second press, or a moderator)
            abort(error.status, error.message)
        db.session.commit()
        flash("Your comment is deleted.", "success")
        return redirect(url_for("posts.detail", slug=post.slug, _anchor="comments"))
    return render_template("comments/delete.html", comment=comment, post=post)


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@login_required
def report(comment_id: int):
    comment, post = get_public_comment(comment_id)
    if not comment.is_public:
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


# --- Over a rate limit: the form again, with the refusal at its field ---------------------------


def _comment_form_again(field: str, message: str) -> str:
    form = comment_form_for(current_user)  # filled from the request: the typed comment is kept
    getattr(form, field).errors = [message]
    return post_page(get_visible_post(request.view_args["slug"]), form=form)[0]


def _report_form_again(field: str, message: str) -> str:
    comment, post = get_public_comment(request.view_args["comment_id"])
    form = ReportForm()
    getattr(form, field).errors = [message]
    return render_template("comments/report.html", form=form, comment=comment, post=post, back=comment_url(comment, post))


bp.register_error_handler(RateLimitExceeded, forms_again({
    "comments.create": ("body", _comment_form_again),
    "comments.report": ("reason", _report_form_again),
}))
