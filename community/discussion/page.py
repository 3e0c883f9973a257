"""The post page: the essay, its likes and its discussion, shared by the post view and by a
comment form shown again with its errors."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, current_app, render_template, request, session, url_for
from werkzeug.wrappers import Response
from flask_login import current_user

from community.comments.forms import CommentForm, GuestCommentForm
from community.discussion.reader import Reader
from community.discussion.slots import Slots
from community.extensions import db
from community.models import Comment, Post, User
from community.routing import parse_id
from community.services import DomainError
from community.services import posts as post_rules
from community.services.comments import ThreadTooDeep, can_comment_on, find_reply_target
from community.services.moderation import can_moderate
from community.services.discussion import NOTIFY_COMMENTS, NOTIFY_REPLIES, Discussion, load_discussion, page_of
from community.services.index import neighbours
from community.services.thread_order import DEFAULT_ORDER, ORDERS, parse_order


def get_visible_post(slug: str) -> Post:
    """The post at `slug`, or 404, drafts included for those who may not see them."""
    post = db.session.scalar(sa.select(Post).where(Post.slug == slug))
    if post is None or not post_rules.can_view(current_user, post):
        abort(404)
    return post


def comment_form_for(user: User | Reader) -> CommentForm:
    return CommentForm() if user.is_authenticated else GuestCommentForm()


def comment_url(comment: Comment, post: Post) -> str:
    """The comment's place: its page of the discussion in the order this reader reads it, anchored at it."""
    order = requested_order()
    page = page_of(comment, order)
    return url_for("posts.detail", slug=post.slug, cpage=page if page > 1 else None, corder=order_arg(order),
                   _anchor=f"comment-{comment.id}")


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
    order: str = DEFAULT_ORDER

    @property
    def order_arg(self) -> str | None:
        """The order as links write it: nothing for the default."""
        return order_arg(self.order)

    @property
    def orders(self) -> dict[str, str]:
        return ORDERS


def discussion_view(post: Post, reader: Reader, page: int, order: str = DEFAULT_ORDER) -> DiscussionView:
    """Page `page` of the discussion as `reader` sees it, or 404 past the end. A stand-in reader
    (no account of its own) sees nothing held and has liked nothing."""
    viewer = reader if reader.id is not None else None
    discussion = load_discussion(post, page, viewer, reader.held_comment_ids, order)
    if discussion is None:
        abort(404)
    return DiscussionView(
        post=post,
        discussion=discussion,
        comments_open=can_comment_on(post),
        thread_depth=current_app.config["THREAD_DEPTH"],
        may_moderate=can_moderate(reader),
        order=order,
    )


def render_post_page(post: Post, reader: Reader, page: int = 1, replytocom: str | None = None,
                     form: CommentForm | None = None, preview_html: str | None = None,
                     slots: Slots | None = None, order: str = DEFAULT_ORDER) -> str:
    """The post page's HTML for `reader`, at page `page` of its discussion in `order`, the form answering
    `replytocom` (or `form`, shown again). `slots` draws the spots that differ between readers:
    in place by default, between marks for a page to share (discussion.slots.MarkedSlots)."""
    slots = slots or Slots(reader)
    view = discussion_view(post, reader, page, order)
    reply_notice = None
    if form is None:
        form = comment_form_for(reader)
        # The boxes the account's settings tick; unticking one means "not for this comment".
        form.notify_replies.data = NOTIFY_REPLIES in view.discussion.notify_defaults
        form.notify_comments.data = NOTIFY_COMMENTS in view.discussion.notify_defaults
        reply_to, reply_notice = _reply_target(post, replytocom)
        form.parent_id.data = str(reply_to.id) if reply_to else ""
    else:
        reply_to, _ = _reply_target(post, form.parent_id.data)
    return render_template(
        "posts/detail.html",
        post=post,
        view=view,
        discussion=view.discussion,
        form=form,
        reply_to=reply_to,
        reply_notice=reply_notice,
        comments_open=view.comments_open,
        guests_may_comment=current_app.config["GUEST_COMMENTS"],
        can_edit=post_rules.can_edit(reader, post),
        neighbours=neighbours(post),
        preview_html=preview_html,
        current_user=reader,
        slot=slots,
        csrf_token=slots.csrf_token,
    )


def requested_page() -> int:
    return request.args.get("cpage", 1, type=int)


ORDER_COOKIE = "comment_order"


def requested_order() -> str:
    """The order this request reads the discussion in: the link's (?corder=, a bad one is the
    default), else the one the reader chose last (their cookie), else the default."""
    raw = request.args.get("corder")
    return parse_order(raw if raw is not None else request.cookies.get(ORDER_COOKIE))


def order_arg(order: str) -> str | None:
    return None if order == DEFAULT_ORDER else order


def remember_order(response: Response) -> Response:
    """Keep the order a link or the Sort form chose for this reader's next discussion. The page
    itself never depends on the cookie alone: each order is its own page (discussion.cache)."""
    raw = request.args.get("corder")
    if raw is None or parse_order(raw) != raw or request.cookies.get(ORDER_COOKIE, DEFAULT_ORDER) == raw:
        return response
    if raw == DEFAULT_ORDER:
        response.delete_cookie(ORDER_COOKIE, samesite="Lax")
    else:
        response.set_cookie(ORDER_COOKIE, raw, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


def post_page(post: Post, form: CommentForm | None = None, status: int = 200, preview_html: str | None = None):
    """The post page as a view answers it: for this request's reader, at the page it asks for."""
    reader = Reader.of(current_user, session)
    return render_post_page(post, reader, requested_page(), request.args.get("replytocom"), form, preview_html,
                            order=requested_order()), status
