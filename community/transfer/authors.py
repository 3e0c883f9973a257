"""The accounts imported words belong to: an existing account matched by login or email, else a
new one that cannot log in until its owner resets the password (its hash is no Argon2 hash)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from community.extensions import db
from community.models import Role, User
from community.services.accounts import USERNAME_RULE
from community.transfer.report import ImportReport

NO_PASSWORD = "!imported: set by a password reset"  # never verifies: authenticate() refuses it
IMPORTED_EMAIL_DOMAIN = "imported.invalid"  # for authors whose export gave no address


def username_like(wanted: str) -> str:
    """A valid username as close to `wanted` as the rule allows ("jane.doe" -> "jane-doe")."""
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", wanted).strip("-")[:26] or "author"
    return base if len(base) >= 3 else f"{base}---"[:3]


def _free_username(wanted: str) -> str:
    base = username_like(wanted)
    candidate, number = base, 1
    while db.session.scalar(sa.select(User.id).where(User.username_key == candidate.lower())):
        number += 1
        candidate = f"{base[:26]}-{number}"
    return candidate


def find_account(login: str, email: str) -> User | None:
    """By login or email; a login the username rule refused is also looked for as it was made
    into a username on an earlier import ("jane.doe" as "jane-doe")."""
    keys = [key for key in (login.strip().lower(), email.strip().lower()) if key]
    if login.strip() and not USERNAME_RULE.fullmatch(login.strip()):
        made = username_like(login.strip()).lower()
        keys += [made, f"{made}@{IMPORTED_EMAIL_DOMAIN}"]
    if not keys:
        return None
    return db.session.scalar(
        sa.select(User).where(sa.or_(User.username_key.in_(keys), User.email_key.in_(keys))).order_by(User.id).limit(1)
    )


def account_for(login: str, email: str, report: ImportReport, role: Role = Role.AUTHOR) -> User:
    """The account matched by login or email, or a new one that cannot log in yet."""
    found = find_account(login, email)
    if found is not None:
        report.authors_matched += 1
        return found
    username = login if USERNAME_RULE.fullmatch(login or "") else _free_username(login or email.partition("@")[0])
    email = email.strip() or f"{username.lower()}@{IMPORTED_EMAIL_DOMAIN}"
    if db.session.scalar(sa.select(User.id).where(User.email_key == email.lower())):
        email = f"{username.lower()}@{IMPORTED_EMAIL_DOMAIN}"
    user = User(username=username, username_key=username.lower(), email=email, email_key=email.lower(),
                password_hash=NO_PASSWORD, role=role)
    db.session.add(user)
    db.session.flush()
    report.authors_created += 1
    return user
