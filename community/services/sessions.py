"""Sessions that end everywhere at once: every session and remember-me cookie carries the
account's session_version ("id:version", User.get_id), and moving the version ends them all."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from community.extensions import db
from community.models import User


def account_for_login_id(login_id: str) -> User | None:
    """The account a session or remember-me cookie names, if its version is still the account's.

    Anything else (an ended session, a bare "id" from before versions, a mangled value) is None.
    """
    user_id, separator, version = login_id.partition(":")
    if not separator or not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def end_all_sessions(user: User) -> None:
    """Every session and remember-me cookie of this account stops working on its next request."""
    version = db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)  # in SQL: two at once both count
        .returning(User.session_version)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(user, "session_version", version)
