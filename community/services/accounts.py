"""Accounts: registration, credentials and roles."""

from __future__ import annotations

import re

import sqlalchemy as sa
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError

from community.extensions import db
from community.models import Role, User
from community.services import DomainError
from community.services.passwords import (  # noqa: F401  (the password rules, importable from here)
    PASSWORD_MAX,
    PASSWORD_MIN,
    check_new_password,
    check_password,
    hash_password,
    hasher,
)

USERNAME_RULE = re.compile(r"[A-Za-z0-9_-]{3,30}")
USERNAME_HELP = "3 to 30 letters, digits, _ or -"


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
    check_new_password(password, username, email)
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
    argon2, dummy_hash = hasher()
    user = find_by_login(login) if login.strip() else None
    if user is None:
        try:
            argon2.verify(dummy_hash, password)
        except VerificationError:
            pass
        return None
    try:
        argon2.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if argon2.check_needs_rehash(user.password_hash):
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
