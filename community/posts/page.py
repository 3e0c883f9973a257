"""The post page: the essay, its likes and its discussion, shared by the post view and by a
comment form shown again with its errors."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, current_app, render_template, request, session, url_for
from flask_login import current_user
from markupsafe import Markup

from community.comments.forms import CommentForm, GuestCommentForm
from community.extensions import db
from community.models import Comment, Post, User
from community.routing import parse_id
from community.services import DomainError
from community.services import posts as post_rules
from community.services.comments import ThreadTooDeep, can_comment_on, find_reply_target
from community.services.moderation import can_moderate
from community.services.discussion import Discussion, load_discussion, page_of


OWN_PENDING_KEY = "pending_comment_ids"  # a guest's held comments, in their signed session
CSRF_SLOT = "<csrf-token-slot>"  # see posts.page_cache


def get_visible_post(slug: str) -> Post:
    """The post at `slug`, or 404, drafts included for those who may not see them."""
    post = db.session.scalar(sa.select(Post).where(Post.slug == slug))
    if post is None or not post_rules.can_view(current_user, post):
        abort(404)
    return post


def comment_form_for(user: User) -> CommentForm:
    return CommentForm() if user.is_authenticated else GuestCommentForm()


def comment_url(comment: Comment, post: Post) -> str:
    """The comment's place: its page of the discussion, anchored at it."""
    page = page_of(comment)
    return url_for("posts.detail", slug=post.slug, cpage=page if page > 1 else None, _anchor=f"comment-{comment.id}")


REPLY_GONE = "The comment you wanted to reply to is not available any more; you can still comment below."
REPLY_TOO_DEEP = ("This thread is as deep as it can go, so that comment takes no more replies; "
                  "you can reply further up, or comment below.")


def _reply_target(post: Post, raw_id: str | None) -> tuple[Comment | None, str | None]:
    """The comment ?replytocom= or the form's parent_id names, if it can still be answered; else
    None and the sentence saying why (None when nothing was named)."""
    if not raw_id:
        return None, None
    comment_id = parse_id(raw_id)
    try:
        return (find_reply_target(post, comment_id), None) if comment_id else (None, REPLY_GONE)
    except ThreadTooDeep:
        return None, REPLY_TOO_DEEP
    except DomainError:
        return None, REPLY_GONE


@dataclass(frozen=True)
class DiscussionView:
    """What the comment macros need to draw a page of the discussion for this viewer."""

    post: Post
    discussion: Discussion
    comments_open: bool
    thread_depth: int
    may_moderate: bool


def discussion_view(post: Post, viewer: User | None = None) -> DiscussionView:
    """The page of the discussion the request asks for (?cpage=N), or 404 past the end. With a
    neutral `viewer` (page_cache), nothing of the real reader's own is loaded."""
    page = request.args.get("cpage", 1, type=int)
    if viewer is None:
        discussion = load_discussion(post, page, current_user, session.get(OWN_PENDING_KEY, []))
    else:
        discussion = load_discussion(post, page, None)
    if discussion is None:
        abort(404)
    return DiscussionView(
        post=post,
        discussion=discussion,
        comments_open=can_comment_on(post),
        thread_depth=current_app.config["THREAD_DEPTH"],
        may_moderate=can_moderate(viewer or current_user),
    )


def render_post_page(post: Post, form: CommentForm | None = None, status: int = 200,
                     preview_html: str | None = None, viewer: User | None = None):
    """The post page; with `viewer`, drawn for that stand-in reader with slots for the real
    reader's token and name (see posts.page_cache)."""
    view = discussion_view(post, viewer)
    reply_notice = None
    extra = {}
    if viewer is not None:
        extra = {"current_user": viewer, "csrf_token": lambda: Markup(CSRF_SLOT)}
    if form is None:
        form = comment_form_for(viewer or current_user)
        requested = request.args.get("replytocom")
        reply_to, reply_notice = _reply_target(post, requested)
        form.parent_id.data = str(reply_to.id) if reply_to else ""
    else:
        reply_to, _ = _reply_target(post, form.parent_id.data)
    return (
        render_template(
            "posts/detail.html",
            post=post,
            view=view,
            discussion=view.discussion,
            form=form,
            reply_to=reply_to,
            reply_notice=reply_notice,
            comments_open=view.comments_open,
            guests_may_comment=current_app.config["GUEST_COMMENTS"],
            can_edit=post_rules.can_edit(viewer or current_user, post),
            preview_html=preview_html,
            **extra,
        ),
        status,
    )
