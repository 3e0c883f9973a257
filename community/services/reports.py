"""Readers' reports: one per reader and comment; enough of them hide a comment until a moderator looks."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from community.extensions import db
from community.models import Comment, CommentStatus, Report, ReportReason, User
from community.models.base import utcnow
from community.services import DomainError, NotAllowed
from community.services.accounts import ensure_may_take_part
from community.services.comment_status import change_status
from community.services.moderation_log import Action, log_action
from community.services.posts import lock_discussion
from community.services.settings import report_hide_threshold

DETAILS_MAX = 500


def check_report(reason: str | None, details: str | None) -> tuple[ReportReason, str]:
    if reason not in set(ReportReason):
        raise DomainError("Choose why you are reporting this comment.", field="reason")
    details = " ".join((details or "").split())
    if reason == ReportReason.OTHER and not details:
        raise DomainError("Tell the moderators what is wrong.", field="details")
    if len(details) > DETAILS_MAX:
        raise DomainError(f"At most {DETAILS_MAX} characters, please.", field="details")
    return ReportReason(reason), details


def has_reported(reader: User, comment: Comment) -> bool:
    return db.session.scalar(
        sa.select(Report.id).where(Report.comment_id == comment.id, Report.reporter_id == reader.id)
    ) is not None


def report_comment(reader: User, comment: Comment, reason: str, details: str = "") -> Report:
    """File a report; at REPORT_HIDE_THRESHOLD open reports from different people the comment is
    held for review, and the log says the system did it."""
    if reader is None or not reader.is_authenticated:
        raise NotAllowed("Log in to report a comment.")
    ensure_may_take_part(reader)
    lock_discussion(comment.post_id, comment, gone="This comment is not public, so it cannot be reported.")
    if not comment.is_public:
        raise DomainError("This comment is not public, so it cannot be reported.", status=404)
    if comment.author_id == reader.id:
        raise DomainError("You cannot report your own comment; you can edit or delete it.", field="reason")
    reason_value, details = check_report(reason, details)
    if has_reported(reader, comment):
        raise DomainError("You have already reported this comment; the moderators will look at it.", field="reason")
    report = Report(comment_id=comment.id, reporter_id=reader.id, reason=reason_value, details=details, created_at=utcnow())
    try:
        with db.session.begin_nested():  # a double submit loses to the unique constraint, cleanly
            db.session.add(report)
    except IntegrityError:
        raise DomainError("You have already reported this comment; the moderators will look at it.", field="reason") from None
    db.session.execute(
        sa.update(Comment).where(Comment.id == comment.id).values(open_report_count=Comment.open_report_count + 1)
    )
    db.session.refresh(comment, ["open_report_count"])
    if comment.open_report_count >= report_hide_threshold() and comment.status == CommentStatus.APPROVED:
        change_status(comment, CommentStatus.PENDING)
        comment.held_by_rule = "reports"
        log_action(None, Action.AUTO_HIDE, comment, status_before=CommentStatus.APPROVED, status_after=CommentStatus.PENDING,
                   reason=f"{comment.open_report_count} readers reported it")
    db.session.flush()
    return report
