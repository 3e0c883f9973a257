"""Moderation actions: each checks who may act, changes what it must, keeps the counts true, and
writes exactly one log entry in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from community import text
from community.extensions import db
from community.models import Comment, CommentStatus, LogEntry, Report, Role, User
from community.models.base import utcnow
from community.models.user import SUSPENDED_FOR_GOOD
from community.services import DomainError, NotAllowed
from community.services.comment_status import change_status, delete_or_leave_tombstone, has_replies
from community.services.comments import check_body
from community.services.moderation_log import Action, log_action
from community.services.posts import discussion_changed, lock_discussion
from community.services.settings import store_settings

COMMENT_ACTIONS = (Action.APPROVE, Action.UNAPPROVE, Action.SPAM, Action.TRASH, Action.RESTORE, Action.DELETE)
# Which statuses each status action may start from, and where it leads (restore: see _restored_status).
_ALLOWED_FROM = {
    Action.APPROVE: {CommentStatus.PENDING, CommentStatus.SPAM, CommentStatus.TRASH},
    Action.UNAPPROVE: {CommentStatus.APPROVED},
    Action.SPAM: {CommentStatus.APPROVED, CommentStatus.PENDING, CommentStatus.TRASH},
    Action.TRASH: {CommentStatus.APPROVED, CommentStatus.PENDING, CommentStatus.SPAM},
    Action.RESTORE: {CommentStatus.SPAM, CommentStatus.TRASH},
    Action.DELETE: {CommentStatus.TRASH},
}


def actions_from(status: CommentStatus) -> list[Action]:
    """The status actions a comment of this status takes (what a bulk bar may offer), in order."""
    return [action for action in COMMENT_ACTIONS if status in _ALLOWED_FROM[action]]


def pending_count() -> int:
    """Comments waiting for a moderator (the header's "Moderation (N)")."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Comment).where(Comment.status == CommentStatus.PENDING))


_LEADS_TO = {
    Action.APPROVE: CommentStatus.APPROVED,
    Action.UNAPPROVE: CommentStatus.PENDING,
    Action.SPAM: CommentStatus.SPAM,
    Action.TRASH: CommentStatus.TRASH,
}
PAST_TENSE = {
    Action.APPROVE: "approved", Action.UNAPPROVE: "unapproved", Action.SPAM: "marked as spam",
    Action.TRASH: "moved to the trash", Action.RESTORE: "restored", Action.DELETE: "deleted for good",
}
UNDOABLE = {Action.SPAM, Action.TRASH, Action.UNAPPROVE, Action.AUTO_HIDE}
DELETED_NOT_EDITABLE = "This comment was deleted; there are no words left to edit."
KEPT_AS_TOMBSTONE = "deleted; kept for its replies"


# --- who may do what ---------------------------------------------------------------------------

def can_moderate(user: User | None) -> bool:
    """Moderators and admins, unless suspended themselves."""
    return user is not None and user.is_authenticated and user.is_moderator and not user.is_suspended


def can_administer(user: User | None) -> bool:
    """Admins, unless suspended themselves."""
    return user is not None and user.is_authenticated and user.is_admin and not user.is_suspended


def require_moderator(user: User | None) -> None:
    if not can_moderate(user):
        raise NotAllowed("Only moderators and admins moderate.")


def may_act_on_account(actor: User, account: User) -> bool:
    """Moderators act on readers and authors; admins on anyone but themselves."""
    if actor.id == account.id:
        return False
    if actor.is_admin:
        return True
    return actor.is_moderator and account.role in (Role.READER, Role.AUTHOR)


# --- comments --------------------------------------------------------------------------------------

def _resolve_reports(comment: Comment, moderator: User | None, resolution: str) -> None:
    db.session.execute(
        sa.update(Report)
        .where(Report.comment_id == comment.id, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=moderator.id if moderator else None, resolution=resolution)
    )
    comment.open_report_count = 0


def _restored_status(comment: Comment) -> CommentStatus:
    """The status a comment had before it went to spam or trash, from the log; approved if unknown."""
    before = db.session.scalar(
        sa.select(LogEntry.status_before)
        .where(LogEntry.comment_id == comment.id, LogEntry.status_after == comment.status)
        .order_by(LogEntry.id.desc())
        .limit(1)
    )
    if before in (CommentStatus.APPROVED, CommentStatus.PENDING):
        return CommentStatus(before)
    return CommentStatus.APPROVED


def moderate_comment(moderator: User, comment: Comment, action: Action, reason: str = "", undoes: LogEntry | None = None) -> bool:
    """Apply one action to one comment; False when the comment is not in a state the action fits."""
    require_moderator(moderator)
    if action == Action.DELETE and not can_administer(moderator):
        raise NotAllowed("Only admins delete comments for good.")
    if action not in _ALLOWED_FROM or comment.status not in _ALLOWED_FROM[action]:
        return False
    before = comment.status
    if action == Action.DELETE:
        _delete_for_good(moderator, comment, reason)
        return True
    target = _restored_status(comment) if action == Action.RESTORE else _LEADS_TO[action]
    change_status(comment, target)
    if comment.open_report_count:
        _resolve_reports(comment, moderator, "dismissed" if target == CommentStatus.APPROVED else "acted")
    if target == CommentStatus.APPROVED:
        comment.held_by_rule = None
    log_action(moderator, action, comment, status_before=before, status_after=target, reason=reason, undoes=undoes)
    return True


def _delete_for_good(admin: User, comment: Comment, reason: str) -> None:
    """Delete a trashed comment for good, or leave its tombstone while replies hang under it; its
    words go either way (logged first, so the entry keeps them)."""
    after = KEPT_AS_TOMBSTONE if has_replies(comment) else "deleted"
    log_action(admin, Action.DELETE, comment, status_before=comment.status, status_after=after, reason=reason)
    if not delete_or_leave_tombstone(comment):
        return
    if comment.open_report_count:
        _resolve_reports(comment, admin, "acted")
    comment.held_by_rule = None
    change_status(comment, CommentStatus.APPROVED)  # shown in its place as a tombstone, never counted


@dataclass
class BulkResult:
    done: int
    skipped: int


def moderate_comments(moderator: User, comment_ids: list[int], action: Action, reason: str = "") -> BulkResult:
    """One action on many comments: each gets its own log entry; those it does not fit are skipped."""
    require_moderator(moderator)
    lock_discussion(db.session.scalars(sa.select(Comment.post_id).where(Comment.id.in_(comment_ids))).all())
    # Deepest first: a reply deleted for good before its parent leaves the parent nothing to hold.
    comments = db.session.scalars(
        sa.select(Comment).where(Comment.id.in_(comment_ids)).order_by(Comment.depth.desc(), Comment.id)
    ).all()
    done = 0
    for comment in comments:
        if action == Action.DELETE and db.session.scalar(sa.select(Comment.id).where(Comment.id == comment.id)) is None:
            continue  # gone with an earlier one: a tombstone its last reply no longer needed
        done += moderate_comment(moderator, comment, action, reason)
    db.session.flush()
    return BulkResult(done=done, skipped=len(set(comment_ids)) - done)


def edit_as_moderator(moderator: User, comment: Comment, body: str, reason: str = "") -> None:
    """New words for someone's comment; the log keeps the original and the new in full."""
    require_moderator(moderator)
    lock_discussion(comment.post_id, comment)
    if comment.is_deleted:
        raise DomainError(DELETED_NOT_EDITABLE, field="body", status=409)
    new_body = check_body(body)
    log_action(moderator, Action.EDIT, comment, status_before=comment.status, status_after=comment.status, reason=reason,
               text_before=comment.body_markdown, text_after=new_body)
    comment.body_markdown = new_body
    comment.body_html = text.render_comment(new_body)
    comment.edited_at = utcnow()
    comment.edited_by_moderator = True
    discussion_changed(comment.post_id)
    db.session.flush()


def dismiss_reports(moderator: User, comment: Comment, reason: str = "") -> None:
    """The reports were wrong: close them, and bring back a comment they hid."""
    require_moderator(moderator)
    lock_discussion(comment.post_id, comment)
    if not comment.open_report_count:
        raise DomainError("This comment has no open reports.")
    before = comment.status
    _resolve_reports(comment, moderator, "dismissed")
    if comment.status == CommentStatus.PENDING and comment.held_by_rule == "reports":
        change_status(comment, CommentStatus.APPROVED)
        comment.held_by_rule = None
    log_action(moderator, Action.DISMISS_REPORTS, comment, status_before=before, status_after=comment.status, reason=reason)
    db.session.flush()


def undo(moderator: User, entry: LogEntry) -> None:
    """Reverse a spam, trash, unapprove or automatic hide, if the comment is still where it left it."""
    require_moderator(moderator)
    if entry.action not in UNDOABLE:
        raise DomainError("This action cannot be undone from the log.")
    if entry.post_id is not None:
        lock_discussion(entry.post_id)
    if db.session.scalar(sa.select(LogEntry.id).where(LogEntry.undoes_id == entry.id)):
        raise DomainError("This action was already undone.")
    comment = db.session.get(Comment, entry.comment_id) if entry.comment_id else None
    if comment is None or comment.status != entry.status_after:
        raise DomainError("The comment has changed since; act on it from the queue instead.")
    before = comment.status
    target = CommentStatus(entry.status_before)
    change_status(comment, target)
    if target == CommentStatus.APPROVED:
        comment.held_by_rule = None
    log_action(moderator, Action.RESTORE, comment, status_before=before, status_after=target,
               reason=f"Undid log entry #{entry.id}", undoes=entry)
    db.session.flush()


def is_undoable(entry: LogEntry, undone_ids: set[int]) -> bool:
    return entry.action in UNDOABLE and entry.comment_id is not None and entry.id not in undone_ids


# --- accounts --------------------------------------------------------------------------------------

def suspend(moderator: User, account: User, until: datetime | None, reason: str) -> None:
    """Suspend until a time, or for good when `until` is None; the reason is shown to the person."""
    require_moderator(moderator)
    if not may_act_on_account(moderator, account):
        raise NotAllowed("You may not suspend this account.")
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError("Give a reason; the person will see it.", field="reason")
    if until is not None and until <= utcnow():
        raise DomainError("The end of a suspension must be in the future.", field="days")
    before = "suspended" if account.is_suspended else "active"
    account.suspended_until = until or SUSPENDED_FOR_GOOD
    account.suspension_reason = reason[:500]
    after = "suspended for good" if until is None else f"suspended until {account.suspended_until:%Y-%m-%d %H:%M} UTC"
    log_action(moderator, Action.SUSPEND, account=account, status_before=before, status_after=after, reason=reason)
    db.session.flush()


def lift_suspension(moderator: User, account: User, reason: str = "") -> None:
    require_moderator(moderator)
    if not may_act_on_account(moderator, account):
        raise NotAllowed("You may not change this account.")
    if not account.is_suspended:
        raise DomainError("This account is not suspended.")
    account.suspended_until = None
    account.suspension_reason = None
    log_action(moderator, Action.UNSUSPEND, account=account, status_before="suspended", status_after="active", reason=reason)
    db.session.flush()


def change_role(admin: User, account: User, role: Role) -> None:
    if not can_administer(admin):
        raise NotAllowed("Only admins change roles.")
    if admin.id == account.id:
        raise DomainError("You cannot change your own role; ask another admin.", field="role")
    if role not in Role:
        raise DomainError("Unknown role.", field="role")
    if account.role == role:
        raise DomainError(f"{account.username} is already {role}.", field="role")
    before = account.role
    account.role = Role(role)
    log_action(admin, Action.CHANGE_ROLE, account=account, status_before=before, status_after=role)
    db.session.flush()


# --- the rules ---------------------------------------------------------------------------------------

def save_settings(admin: User, values: dict[str, object]) -> list[str]:
    """Store the rules (services.settings checks them); returns the names of the changed ones. The
    log entry says each change as "max_links: 2 → 5" and keeps the old and new values in full."""
    if not can_administer(admin):
        raise NotAllowed("Only admins change the moderation rules.")
    changes = store_settings(values)
    if changes:
        discussion_changed()  # closing after N days may open or close any discussion
        summary = "; ".join(f"{change.name}: {change.before} → {change.after}" for change in changes)
        log_action(admin, Action.SETTINGS, reason=summary if len(summary) <= 500 else summary[:499] + "…",
                   text_before="\n".join(f"{change.name}: {change.before}" for change in changes),
                   text_after="\n".join(f"{change.name}: {change.after}" for change in changes))
    db.session.flush()
    return [change.name for change in changes]
