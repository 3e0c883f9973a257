"""The emails themselves, composed in full when queued: a plain-text part and a simple HTML part,
links from SITE_URL, and RFC 8058 one-click unsubscribe headers on every notification."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from flask import current_app

from community import text
from community.mail import SMTP_POLICY, MessageShape, compose_message, header_text
from community.extensions import db
from community.models import Comment, OutboxMessage, Post, Subscriber, User
from community.notifications.scopes import describe_scope
from community.notifications.tokens import CONFIRM, MANAGE, UNSUBSCRIBE, make_token, site_url

CONFIRM_KIND = "confirm"


@dataclass(frozen=True)
class Item:
    """One comment or post in an email: what happened, who wrote it, its words, where it lives."""

    headline: str
    author: str
    words: str
    link: str


def _render(name: str, **context: Any) -> str:
    """A template rendered without a request (the worker has none): no context processors."""
    return current_app.jinja_env.get_template(name).render(site_name=current_app.config["SITE_NAME"], **context)


def address_of(subscriber: Subscriber) -> str:
    """Where a subscriber's mail goes: an account's current address (it may have changed it, through
    a confirmed link, since subscribing), else the guest's."""
    if subscriber.user_id is not None:
        user = db.session.get(User, subscriber.user_id)
        if user is not None:
            return user.email
    return subscriber.email


def _outbox(message: EmailMessage, subscriber: Subscriber, kind: str, post_id: int | None = None) -> OutboxMessage:
    return OutboxMessage(subscriber_id=subscriber.id, post_id=post_id, kind=kind, to_address=str(message["To"]),
                         subject=str(message["Subject"])[:300], raw=message.as_string(policy=SMTP_POLICY))


def confirmation_message(subscriber: Subscriber, days_to_confirm: int) -> OutboxMessage:
    """The double opt-in's email; unconfirmed, the address is forgotten after `days_to_confirm`."""
    site = current_app.config["SITE_NAME"]
    context = {"link": site_url("notifications.confirm", token=make_token(CONFIRM, subscriber.id)),
               "is_account": subscriber.user_id is not None, "days": days_to_confirm}
    message = compose_message(
        address_of(subscriber), f"Confirm your email subscription at {site}",
        _render("notifications/email/confirm.txt", **context), _render("notifications/email/confirm.html", **context),
        headers={"Auto-Submitted": "auto-generated"},
    )
    return _outbox(message, subscriber, CONFIRM_KIND)


def comment_item(reason: str, comment: Comment, post: Post, parent_author: str | None = None) -> Item:
    name = comment.display_name
    headline = {
        "reply": f"{name} replied to your comment on “{post.title}”",
        "approved": f"Your comment on “{post.title}” is approved and public",
        "held": f"A comment by {name} on “{post.title}” awaits moderation",
    }.get(reason, f"{name} commented on “{post.title}”")
    if reason == "held":
        link = site_url("moderation.queue")
    else:
        link = site_url("comments.permalink", comment_id=comment.id)
    return Item(headline, name, text.plain_text(comment.body_html), link)


def post_item(post: Post) -> Item:
    return Item(f"New post: “{post.title}”", post.author.username, post.excerpt,
                site_url("posts.detail", slug=post.slug))


UNSUBSCRIBE_MARK, MANAGE_MARK = "\x00unsubscribe\x00", "\x00manage\x00"  # a recipient's own links


def notification_shape(items: list[Item], subject: str, scope: str) -> MessageShape:
    """A notification as every recipient of the same items gets it, composed once: only the
    address and the signed links differ between them (notification_message fills them)."""
    context = {"items": items, "intro": subject, "unsubscribe": UNSUBSCRIBE_MARK,
               "stops": describe_scope(scope), "manage": MANAGE_MARK}
    headers = {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "Auto-Submitted": "auto-generated"}
    return MessageShape(subject, _render("notifications/email/notices.txt", **context),
                        _render("notifications/email/notices.html", **context), headers=headers)


def notification_message(subscriber: Subscriber, kind: str, items: list[Item], subject: str, scope: str,
                         post_id: int | None = None, shape: MessageShape | None = None) -> OutboxMessage:
    """A notification: every item, a manage link, and one-click unsubscribe for `scope`; `shape`,
    when the same items go to others too, is notification_shape(items, subject, scope)."""
    shape = shape or notification_shape(items, subject, scope)
    unsubscribe = site_url("notifications.unsubscribe", token=make_token(UNSUBSCRIBE, subscriber.id, scope))
    manage = site_url("notifications.manage", token=make_token(MANAGE, subscriber.id))
    to = header_text(address_of(subscriber))
    raw = shape.for_recipient(to, {UNSUBSCRIBE_MARK: unsubscribe, MANAGE_MARK: manage},
                              headers={"List-Unsubscribe": f"<{unsubscribe}>"})
    return OutboxMessage(subscriber_id=subscriber.id, post_id=post_id, kind=kind, to_address=to,
                         subject=shape.subject[:300], raw=raw)
