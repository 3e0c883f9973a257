"""Writing comments: who may comment, the rules for a body, a guest and a reply."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from community import text
from community.extensions import db
from community.models import Comment, CommentStatus, Post, User
from community.models.comment import path_segment
from community.models.base import utcnow
from community.services import DomainError

BODY_MAX = 5_000
GUEST_NAME_MAX = 60
WEBSITE_MAX = 200


@dataclass(frozen=True)
class Guest:
    """Who a signed-out commenter says they are."""

    name: str
    email: str
    website: str | None = None


def check_body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError("Please write a comment before posting.", field="body")
    if len(body) > BODY_MAX:
        raise DomainError(
            f"A comment is at most {BODY_MAX:,} characters; this one has {len(body):,}.", field="body"
        )
    return body


def check_guest_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Please give your name.", field="name")
    if len(name) > GUEST_NAME_MAX:
        raise DomainError(f"A name is at most {GUEST_NAME_MAX} characters.", field="name")
    return name


def check_guest_email(email: str | None) -> str:
    email = (email or "").strip()
    if not email:
        raise DomainError("Please give your email address; it is never shown.", field="email")
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        raise DomainError("That email address is not valid.", field="email") from None


def check_website(website: str | None) -> str | None:
    website = (website or "").strip()
    if not website:
        return None
    if "://" not in website:
        website = "https://" + website
    parts = urlsplit(website)
    if parts.scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname or len(website) > WEBSITE_MAX:
        raise DomainError("A website is an http or https address, like https://example.com.", field="website")
    return website


def can_comment_on(post: Post) -> bool:
    return post.is_published


def find_reply_target(post: Post, parent_id: int) -> Comment:
    """The comment being answered, which must be a visible comment of this post with room below it."""
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.post_id != post.id or not parent.is_visible:
        raise DomainError(
            "The comment you are replying to is not part of this discussion any more.", field="body"
        )
    if parent.depth >= current_app.config["THREAD_DEPTH"]:
        raise DomainError("This thread is as deep as it can go; reply further up instead.", field="body")
    return parent


def add_comment(
    post: Post,
    body: str,
    author: User | None = None,
    guest: Guest | None = None,
    parent_id: int | None = None,
    ip_address: str | None = None,
) -> Comment:
    """A new comment or reply, rendered once; the post's count moves in the same transaction."""
    if not can_comment_on(post):
        raise DomainError("Comments are closed.", status=403)
    body = check_body(body)
    if author is None:
        if not current_app.config["GUEST_COMMENTS"]:
            raise DomainError("Please log in to comment.", status=403)
        if guest is None:
            raise DomainError("Please give your name.", field="name")
        guest = Guest(check_guest_name(guest.name), check_guest_email(guest.email), check_website(guest.website))
    parent = find_reply_target(post, parent_id) if parent_id is not None else None

    comment = Comment(
        post_id=post.id,
        parent_id=parent.id if parent else None,
        depth=parent.depth + 1 if parent else 1,
        author=author,
        guest_name=guest.name if guest and not author else None,
        guest_email=guest.email if guest and not author else None,
        guest_website=guest.website if guest and not author else None,
        ip_address=ip_address,
        body_markdown=body,
        body_html=text.render_comment(body),
        status=CommentStatus.APPROVED,
        created_at=utcnow(),
    )
    db.session.add(comment)
    db.session.flush()  # the id is needed for the root and the path
    comment.root_id = parent.root_id if parent else comment.id
    comment.path = f"{parent.path}/{path_segment(comment.id)}" if parent else path_segment(comment.id)
    if comment.is_visible:
        change_comment_count(post.id, +1)
    db.session.flush()
    return comment


def change_comment_count(post_id: int, delta: int) -> None:
    """Moves the stored count in SQL, so concurrent writers never lose an update."""
    db.session.execute(
        sa.update(Post).where(Post.id == post_id).values(comment_count=Post.comment_count + delta)
    )
