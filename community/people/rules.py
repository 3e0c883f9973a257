"""What a person may change about their account, and how: a display name and bio, an email address
that takes effect once confirmed from the new address, and what their public page lists."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from community import text
from community.extensions import db
from community.models import Comment, Post, PostStatus, User
from community.services import DomainError
from community.services.accounts import check_email, suspension_notice
from community.services.passwords import password_matches
from community.services.signed_links import link_serializer, read_link

DISPLAY_NAME_MAX = 60
BIO_MAX = 2_000
EMAIL_CHANGE_MAX_AGE = 2 * 24 * 3600  # seconds a confirmation link works
EMAIL_CHANGE_SALT = "community.email-change"

EMAIL_LINK_EXPIRED = "This link has expired: a link to confirm an email address works for two days. Ask for a new one."
EMAIL_LINK_USED = "This link has already been used, or the account's email address changed after it was sent."
EMAIL_LINK_INVALID = "This link is not valid; it may have been copied incompletely."


def check_display_name(name: str | None) -> str | None:
    """Spaces folded; None when blank (the username is shown then)."""
    name = " ".join((name or "").split())
    if len(name) > DISPLAY_NAME_MAX:
        raise DomainError(f"A display name is at most {DISPLAY_NAME_MAX} characters.", field="display_name")
    if any(not char.isprintable() for char in name):
        raise DomainError("A display name is letters, digits, spaces and punctuation.", field="display_name")
    return name or None


def check_bio(bio: str | None) -> str:
    bio = (bio or "").strip()
    if len(bio) > BIO_MAX:
        raise DomainError(f"A bio is at most {BIO_MAX:,} characters; this one has {len(bio):,}.", field="bio")
    return bio


def update_profile(user: User, display_name: str | None, bio: str | None) -> None:
    """A new display name and bio. Another account's username is refused as a display name, so no
    one signs as someone else; every page that shows the name is drawn again (its version moves)."""
    if user.is_suspended:  # a profile is public writing, as a comment is
        raise DomainError(suspension_notice(user), field="display_name", status=403)
    name = check_display_name(display_name)
    bio = check_bio(bio)
    if name and name.lower() != user.username_key and db.session.scalar(
        sa.select(User.id).where(User.username_key == name.lower(), User.id != user.id)
    ):
        raise DomainError("That is another person's username; choose another display name.", field="display_name")
    if name != user.display_name:
        user.display_name = name
        names_shown_on = sa.select(Comment.post_id).where(Comment.author_id == user.id)
        db.session.execute(
            sa.update(Post).where(sa.or_(Post.author_id == user.id, Post.id.in_(names_shown_on)))
            .values(discussion_version=Post.discussion_version + 1)
        )
    if bio != user.bio_markdown:
        user.bio_markdown = text.storable(bio)
        user.bio_html = text.render_comment(user.bio_markdown) if user.bio_markdown else ""
    db.session.flush()


# --- a new email address, confirmed from it -------------------------------------------------------------

def _email_state(user: User) -> str:
    """A keyed digest of the address and session version now: a link stops working once the address
    changes (it was used) or the person logs out everywhere."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    state = f"{user.id}\x00{user.email_key}\x00{user.session_version}".encode()
    return hmac.new(key, state, hashlib.sha256).hexdigest()[:32]


def _check_free(user: User, email: str) -> None:
    if db.session.scalar(sa.select(User.id).where(User.email_key == email.lower(), User.id != user.id)):
        raise DomainError("An account with that email already exists.", field="email")


def request_email_change(user: User, new_email: str, password: str) -> str:
    """The token of the link sent to the new address; nothing changes until it is followed. The
    password is asked for, so a session left open cannot move the account to another mailbox."""
    if not password_matches(user, password):
        raise DomainError("That is not your current password.", field="current_password")
    email = check_email(new_email)
    if email.lower() == user.email_key:
        raise DomainError("That is already your email address.", field="email")
    _check_free(user, email)
    return link_serializer(EMAIL_CHANGE_SALT).dumps({"user": user.id, "email": email, "state": _email_state(user)})


def email_change_for_token(token: str) -> tuple[User, str]:
    """The account and the new address a confirmation link names, or why it does not work."""
    data = read_link(EMAIL_CHANGE_SALT, token, EMAIL_CHANGE_MAX_AGE, EMAIL_LINK_EXPIRED, EMAIL_LINK_INVALID)
    user_id = data.get("user") if isinstance(data, dict) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not isinstance(data.get("email"), str):
        raise DomainError(EMAIL_LINK_INVALID)
    if not hmac.compare_digest(str(data.get("state", "")), _email_state(user)):
        raise DomainError(EMAIL_LINK_USED)
    return user, data["email"]


def confirm_email_change(token: str) -> tuple[User, str]:
    """The new address takes effect; returns the account and its old address (to tell it)."""
    user, email = email_change_for_token(token)
    _check_free(user, email)
    old_email = user.email
    user.email, user.email_key = email, email.lower()
    try:
        with db.session.begin_nested():  # another account may have taken it meanwhile
            db.session.flush()
    except IntegrityError:
        raise DomainError("An account with that email already exists.", field="email") from None
    return user, old_email


# --- a person's public page -------------------------------------------------------------------------

@dataclass(frozen=True)
class PersonPage:
    person: User
    comments: list[Comment]  # their public comments on this page, newest first
    page: int
    has_next: bool
    posts: list[Post]  # their published posts, newest first
    comment_count: int


def find_person(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username_key == username.lower()))


def person_page(person: User, page: int, per_page: int, posts_max: int = 50) -> PersonPage:
    """What anyone may see of a person: approved comments they did not delete, under published
    posts (a page of them, newest first), and their published posts."""
    public = sa.and_(
        Comment.author_id == person.id, Comment.is_public,
        Post.status == PostStatus.PUBLISHED,
    )
    comments = db.session.scalars(
        sa.select(Comment).join(Post, Post.id == Comment.post_id).where(public)
        .options(contains_eager(Comment.post))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(per_page + 1).offset((page - 1) * per_page)
    ).unique().all()
    comment_count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Comment).join(Post, Post.id == Comment.post_id).where(public)
    )
    posts = db.session.scalars(
        sa.select(Post).where(Post.author_id == person.id, Post.status == PostStatus.PUBLISHED)
        .order_by(Post.published_at.desc(), Post.id.desc()).limit(posts_max)
    ).all()
    return PersonPage(person, list(comments[:per_page]), page, len(comments) > per_page, list(posts), comment_count)
