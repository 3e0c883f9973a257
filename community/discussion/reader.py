"""Who reads a page, as a value: built once per request from the account's own rules and the
session, and passed to the page explicitly (no template or service looks at `current_user`,
`session` or `request.args` to draw a post page)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from community.models import User
from community.services.accounts import suspension_notice

OWN_PENDING_KEY = "pending_comment_ids"  # a guest's held comments, in their signed session


@dataclass(frozen=True)
class Reader:
    """A page's reader: a guest, an account, or (with no id and no name) any account of a role,
    for whom a shared page is drawn. Each flag is the `User` property of the same name."""

    is_authenticated: bool = False
    id: int | None = None
    username: str = ""
    role: str | None = None
    is_moderator: bool = False
    is_admin: bool = False
    can_write_posts: bool = False
    is_suspended: bool = False
    suspension_notice: str = ""
    held_comment_ids: tuple[int, ...] = ()  # a guest's held comments, shown to them in place
    has_messages: bool = False  # flashed messages wait in the session

    @property
    def is_anonymous(self) -> bool:
        return not self.is_authenticated

    @classmethod
    def guest(cls) -> Reader:
        return cls()

    @classmethod
    def of(cls, user: User, session: Mapping[str, object]) -> Reader:
        """The reader behind a request: its account (or a guest) and its session."""
        held = tuple(session.get(OWN_PENDING_KEY, ()) or ())
        messages = "_flashes" in session
        if not user.is_authenticated:
            return cls(held_comment_ids=held, has_messages=messages)
        return cls(
            is_authenticated=True, id=user.id, username=user.username, role=user.role,
            is_moderator=user.is_moderator, is_admin=user.is_admin, can_write_posts=user.can_write_posts,
            is_suspended=user.is_suspended, suspension_notice=suspension_notice(user) if user.is_suspended else "",
            held_comment_ids=held, has_messages=messages,
        )

    @classmethod
    def any_of_role(cls, role: str) -> Reader:
        """Any account of `role` with nothing of its own: who a shared page is drawn for."""
        return cls.of(User(role=role, username=""), {})
