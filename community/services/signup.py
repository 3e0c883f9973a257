"""Signing up in two steps, as WordPress does: a username and an email address first, then a link
mailed to that address where the password is chosen and the account made. Nothing is stored until
the link is followed, and the first step answers the same whether or not the address already has
an account (its owner is told by email instead), so the form does not reveal who has one."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from community.extensions import db
from community.models import User
from community.notifications.subscriptions import confirm, subscriber_of
from community.services import DomainError
from community.services.accounts import check_email, check_username, create_account
from community.services.passwords import check_new_password
from community.services.signed_links import link_serializer, read_link

SIGNUP_MAX_AGE = 24 * 3600  # seconds a sign-up link works
SIGNUP_SALT = "community.signup"

USERNAME_TAKEN = "That username is taken."
LINK_EXPIRED = "This link has expired: a sign-up link works for 24 hours. Sign up again below."
LINK_INVALID = "This link is not valid; it may have been copied incompletely. Sign up again below."
NAME_TAKEN_SINCE = ("The username {username} was taken after this link was sent. Sign up again below "
                    "with another one.")
ACCOUNT_MADE_SINCE = ("An account with the address {email} exists already: this link may have been used "
                      "before. Log in, or reset the password if you have forgotten it.")


@dataclass(frozen=True)
class Signup:
    """What the first step asked for, carried by the emailed link."""

    username: str
    email: str
    next: str | None = None


def username_taken(username: str) -> bool:
    return db.session.scalar(sa.select(User.id).where(User.username_key == username.lower())) is not None


def account_with_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email_key == email.lower()))


def start_signup(username: str, email: str, next_path: str | None) -> tuple[Signup, User | None]:
    """The checked request and the account that already has its address, if any. A taken username
    is refused (people must choose another; SECURITY.md accepts that it shows); a taken address is
    not, and the caller answers exactly as for a new one."""
    signup = Signup(check_username(username), check_email(email), next_path)
    if username_taken(signup.username):
        raise DomainError(USERNAME_TAKEN, field="username")
    return signup, account_with_email(signup.email)


def signup_token(signup: Signup) -> str:
    """The token of a sign-up link: signed and timestamped, holding the username, email and next."""
    return link_serializer(SIGNUP_SALT).dumps({"username": signup.username, "email": signup.email, "next": signup.next})


def signup_for_token(token: str) -> Signup:
    """What a sign-up link asks for, or a DomainError saying why the link does not work (anymore)."""
    data = read_link(SIGNUP_SALT, token, SIGNUP_MAX_AGE, LINK_EXPIRED, LINK_INVALID)
    if not isinstance(data, dict) or not all(isinstance(data.get(key), str) for key in ("username", "email")):
        raise DomainError(LINK_INVALID)
    next_path = data.get("next")
    signup = Signup(data["username"], data["email"], next_path if isinstance(next_path, str) else None)
    if account_with_email(signup.email) is not None:
        raise DomainError(ACCOUNT_MADE_SINCE.format(email=signup.email), status=409)
    if username_taken(signup.username):
        raise DomainError(NAME_TAKEN_SINCE.format(username=signup.username), status=409)
    return signup


def check_signup_password(signup: Signup, password: str) -> None:
    check_new_password(password, signup.username, signup.email)


def finish_signup(token: str, password: str) -> tuple[User, Signup]:
    """The account a sign-up link asked for, made once. Following the link proved the address, so
    the account's email is confirmed for notifications from the start (accounts made before this
    confirm it the first time they subscribe, as guests do)."""
    signup = signup_for_token(token)
    user = create_account(signup.username, signup.email, password)
    confirm(subscriber_of(user))
    return user, signup
