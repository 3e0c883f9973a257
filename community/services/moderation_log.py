"""The moderation log: what was done, by whom (or by the system), to which comment or account. The
floor under every service that records a decision: comments (automatic holds), reports and
moderators' actions."""

from __future__ import annotations

from enum import StrEnum

from community import text
from community.extensions import db
from community.models import Comment, LogEntry, User
from community.models.base import utcnow


class Action(StrEnum):
    APPROVE = "approve"
    UNAPPROVE = "unapprove"
    SPAM = "spam"
    TRASH = "trash"
    RESTORE = "restore"
    DELETE = "delete"
    EDIT = "edit"
    DISMISS_REPORTS = "dismiss-reports"
    AUTO_HIDE = "auto-hide"
    AUTO_HOLD = "auto-hold"  # a new comment held by a rule or the spam filter, with its signals
    AUTO_SPAM = "auto-spam"
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    CHANGE_ROLE = "change-role"
    SETTINGS = "settings"


def log_action(
    moderator: User | None,
    action: Action,
    comment: Comment | None = None,
    account: User | None = None,
    status_before: str | None = None,
    status_after: str | None = None,
    reason: str = "",
    undoes: LogEntry | None = None,
    text_before: str | None = None,
    text_after: str | None = None,
) -> LogEntry:
    """One entry, added to the session of the action it records: both commit together or neither.
    The excerpt is the comment's words as they stand now, so log before changing them."""
    entry = LogEntry(
        moderator_id=moderator.id if moderator else None,
        action=action,
        comment_id=comment.id if comment else None,
        post_id=comment.post_id if comment else None,
        account_id=account.id if account else (comment.author_id if comment else None),
        status_before=status_before,
        status_after=status_after,
        reason=reason[:500],
        excerpt=text.plain_text(comment.body_html)[:200] if comment else "",
        undoes_id=undoes.id if undoes else None,
        text_before=text_before,
        text_after=text_after,
        created_at=utcnow(),
    )
    db.session.add(entry)
    return entry
