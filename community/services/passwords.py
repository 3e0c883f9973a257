"""Passwords: Argon2 hashing, what a new password may not be, changing one, and resetting a
forgotten one by an emailed link that works once and expires within an hour."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

from community.extensions import db
from community.models import User
from community.services import DomainError
from community.services.sessions import end_all_sessions
from community.services.signed_links import link_serializer, read_link

PASSWORD_MIN, PASSWORD_MAX = 8, 128
RESET_MAX_AGE = 3600  # seconds a reset link works
RESET_SALT = "community.password-reset"

TOO_COMMON = ("That password is one of the 10,000 most common ones, which are the first an attacker "
              "tries. Choose another.")
LIKE_YOUR_NAME = "A password may not be your username or your email address."
TOO_EASY = "That password would be easy to guess."
ADD_WORDS = "Add another word or two; uncommon words are better."
# zxcvbn's score from 0 to 4; 3 is "safely unguessable" (about 10^8 guesses or more) in its terms.
MIN_STRENGTH = 3
ESTIMATE_CHARS = 100
NOT_CURRENT = "That is not your current password."
SAME_AS_BEFORE = "That is your current password; choose a new one."
LINK_EXPIRED = ("This link has expired: a link to reset a password works for one hour. "
                "Ask for a new one below.")
LINK_USED = ("This link has already been used, or the password was changed after it was sent. "
             "Ask for a new one below.")
LINK_INVALID = "This link is not valid; it may have been copied incompletely. Ask for a new one below."


@lru_cache(maxsize=4)
def _hasher_for(params: tuple[tuple[str, int], ...]) -> tuple[PasswordHasher, str]:
    """A hasher for these Argon2 parameters, with a dummy hash made by it.

    Verifying the dummy hash when no account matches keeps a failed login as slow as a wrong
    password, so timing does not tell whether an account exists.
    """
    hasher = PasswordHasher(**dict(params))
    return hasher, hasher.hash("not a real password, only for timing")


def hasher() -> tuple[PasswordHasher, str]:
    """argon2-cffi's recommended parameters, unless PASSWORD_HASH_PARAMS says otherwise (tests)."""
    params = current_app.config.get("PASSWORD_HASH_PARAMS") or {}
    return _hasher_for(tuple(sorted(params.items())))


def hash_password(password: str) -> str:
    return hasher()[0].hash(password)


def password_matches(user: User, password: str) -> bool:
    try:
        return hasher()[0].verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list (community/data/common_passwords.txt), read once per process, lower-cased."""
    text = resources.files("community").joinpath("data/common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def check_password(password: str) -> str:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise DomainError(
            f"A password is {PASSWORD_MIN} to {PASSWORD_MAX} characters long.", field="password"
        )
    return password


def check_new_password(password: str, username: str = "", email: str = "") -> str:
    """A password someone chooses: the right length, not a common one, not their name or email,
    and hard enough to guess by zxcvbn's estimate (Dropbox's), whose advice is shown at the field."""
    check_password(password)
    key = password.strip().casefold()
    if key in common_passwords():
        raise DomainError(TOO_COMMON, field="password")
    if key in {value.strip().casefold() for value in (username, email) if value.strip()}:
        raise DomainError(LIKE_YOUR_NAME, field="password")
    # The estimate's cost grows with the length; past 100 characters a password is long enough.
    estimate = zxcvbn(password[:ESTIMATE_CHARS], user_inputs=[value for value in (username, email) if value])
    if estimate["score"] < MIN_STRENGTH:
        feedback = estimate["feedback"]
        advice = " ".join(part for part in (feedback.get("warning"), *feedback.get("suggestions", ())) if part)
        raise DomainError(f"{TOO_EASY} {advice or ADD_WORDS}", field="password")
    return password


def change_password(user: User, current_password: str, new_password: str) -> None:
    """A signed-in person's new password; every session of the account ends (the view signs the
    current one in again)."""
    if not password_matches(user, current_password):
        raise DomainError(NOT_CURRENT, field="current_password")
    check_new_password(new_password, user.username, user.email)
    if password_matches(user, new_password):
        raise DomainError(SAME_AS_BEFORE, field="password")
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)


def _account_state(user: User) -> str:
    """A keyed digest of the password hash and session version: both change when the link is used
    (or the password changes, or the person logs out everywhere), so an old link stops working."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    state = f"{user.id}\x00{user.password_hash}\x00{user.session_version}".encode()
    return hmac.new(key, state, hashlib.sha256).hexdigest()[:32]


def reset_token(user: User) -> str:
    """The token of a reset link: signed, timestamped, bound to the account's current state."""
    return link_serializer(RESET_SALT).dumps({"user": user.id, "state": _account_state(user)})


def account_for_reset_token(token: str) -> User:
    """The account a reset link opens, or a DomainError that says why it does not."""
    data = read_link(RESET_SALT, token, RESET_MAX_AGE, LINK_EXPIRED, LINK_INVALID)
    user_id = data.get("user") if isinstance(data, dict) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise DomainError(LINK_INVALID)
    if not hmac.compare_digest(str(data.get("state", "")), _account_state(user)):
        raise DomainError(LINK_USED)
    return user


def reset_password(token: str, new_password: str) -> User:
    """Sets the password a reset link allows, once; every session of the account ends."""
    user = account_for_reset_token(token)
    check_new_password(new_password, user.username, user.email)
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    return user
