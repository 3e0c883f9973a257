"""Accounts: registration, credentials and roles."""

from __future__ import annotations

import re
from functools import lru_cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError

from community.extensions import db
from community.models import Role, User
from community.services import DomainError

USERNAME_RULE = re.compile(r"[A-Za-z0-9_-]{3,30}")
USERNAME_HELP = "3 to 30 letters, digits, _ or -"
PASSWORD_MIN, PASSWORD_MAX = 8, 128



@lru_cache(maxsize=4)
def _hasher_for(params: tuple[tuple[str, int], ...]) -> tuple[PasswordHasher, str]:
    """A hasher for these Argon2 parameters, with a dummy hash made by it.

    Verifying the dummy hash when no account matches keeps a failed login as slow as a wrong
    password, so timing does not tell whether an account exists.
    """
    hasher = PasswordHasher(**dict(params))
    return hasher, hasher.hash("not a real password, only for timing")


def _hasher() -> tuple[PasswordHasher, str]:
    """argon2-cffi's recommended parameters, unless PASSWORD_HASH_PARAMS says otherwise (tests)."""
    params = current_app.config.get("PASSWORD_HASH_PARAMS") or {}
    return _hasher_for(tuple(sorted(params.items())))


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def check_username(username: str) -> str:
    username = username.strip()
    if not USERNAME_RULE.fullmatch(username):
        raise DomainError(f"A username is {USERNAME_HELP}.", field="username")
    return username


def check_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise DomainError(f"That email address is not valid: {error}", field="email") from None


def check_password(password: str) -> str:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise DomainError(
            f"A password is {PASSWORD_MIN} to {PASSWORD_MAX} characters long.", field="password"
        )
    return password


def find_by_login(login: str) -> User | None:
    """The account whose username or email is `login`, ignoring case."""
    key = login.strip().lower()
    return db.session.scalar(
        sa.select(User).where(sa.or_(User.username_key == key, User.email_key == key))
    )


def create_account(username: str, email: str, password: str, role: Role = Role.READER) -> User:
    """A new account, after every rule is checked; nothing is written when one fails."""
    username = check_username(username)
    email = check_email(email)
    check_password(password)
    if role not in Role:
        raise DomainError(f"Unknown role {role!r}.", field="role")
    if db.session.scalar(sa.select(User.id).where(User.username_key == username.lower())):
        raise DomainError("That username is taken.", field="username")
    if db.session.scalar(sa.select(User.id).where(User.email_key == email.lower())):
        raise DomainError("An account with that email already exists.", field="email")
    user = User(
        username=username,
        username_key=username.lower(),
        email=email,
        email_key=email.lower(),
        password_hash=hash_password(password),
        role=Role(role),
    )
    try:
        with db.session.begin_nested():  # a concurrent sign-up with the same name loses cleanly
            db.session.add(user)
    except IntegrityError:
        raise DomainError("That username or email was just taken.", field="username") from None
    return user


def authenticate(login: str, password: str) -> User | None:
    """The account these credentials open, or None; upgrades the stored hash when parameters change."""
    hasher, dummy_hash = _hasher()
    user = find_by_login(login) if login.strip() else None
    if user is None:
        try:
            hasher.verify(dummy_hash, password)
        except VerificationError:
            pass
        return None
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def suspension_notice(user: User) -> str:
    """What a suspended person reads when they try to take part."""
    when = "until further notice" if user.suspended_for_good else f"until {user.suspended_until:%-d %B %Y, %H:%M} UTC"
    return f"Your account is suspended {when}. Reason: {user.suspension_reason}"


def ensure_may_take_part(user: User | None) -> None:
    """Suspended accounts may read, not comment, reply, like or report."""
    if user is not None and user.is_authenticated and user.is_suspended:
        raise DomainError(suspension_notice(user), field="body", status=403)
