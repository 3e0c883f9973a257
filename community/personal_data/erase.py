"""Erasing a person: an account (at its owner's request or by an admin) or the guest comments
under an email address. Their comments go (a tombstone stays where others replied, through the
comment services' own deletion) or stay anonymised as "Deleted account"; likes and reports go
with their counters; the moderation log keeps its entries without their words or their account.
One entry records the erasure itself, naming no one."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, CommentLike, LogEntry, Post, PostLike, Report, Role, User
from community.personal_data.collect import guest_comments_of, references_to_users
from community.services import DomainError, NotAllowed
from community.services.comment_status import delete_or_leave_tombstone
from community.services.moderation import can_administer
from community.services.moderation_log import log_action
from community.services.posts import discussion_changed, lock_discussion

DELETED_ACCOUNT = "Deleted account"
ERASE = "erase"  # the log entry's action


@dataclass(frozen=True)
class Erased:
    comments_deleted: int
    tombstones: int
    comments_anonymised: int


def _anonymise(comment: Comment) -> None:
    comment.author_id = None
    comment.guest_name = DELETED_ACCOUNT
    comment.guest_email = ""
    comment.guest_website = None
    comment.ip_address = None
    discussion_changed(comment.post_id)


def _erase_comments(where: sa.ColumnElement[bool], keep: bool) -> tuple[Erased, list[int]]:
    """Delete (or anonymise) the comments `where` selects, deepest first, so a thread of one's
    own goes whole and a comment others answered stays as a tombstone."""
    found = db.session.execute(sa.select(Comment.id, Comment.post_id, Comment.depth).where(where)).all()
    ids = [row.id for row in sorted(found, key=lambda row: (-row.depth, row.id))]
    lock_discussion(sorted({row.post_id for row in found}))
    deleted = tombstones = anonymised = 0
    for comment_id in ids:
        comment = db.session.execute(
            sa.select(Comment).where(Comment.id == comment_id).execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if comment is None:  # gone with a bare tombstone above it
            continue
        if keep:
            _anonymise(comment)
            anonymised += 1
            continue
        if delete_or_leave_tombstone(comment):
            _anonymise(comment)
            tombstones += 1
        else:
            deleted += 1
    db.session.flush()
    return Erased(deleted, tombstones, anonymised), ids


def _forget_in_log(comment_ids: list[int], account_id: int | None) -> None:
    """The log keeps what was done, not the erased words nor whose they were."""
    for start in range(0, len(comment_ids), 500):
        db.session.execute(sa.update(LogEntry).where(LogEntry.comment_id.in_(comment_ids[start:start + 500]))
                           .values(excerpt="", text_before=None, text_after=None))
    if account_id is not None:
        db.session.execute(sa.update(LogEntry).where(LogEntry.account_id == account_id).values(account_id=None))
        db.session.execute(sa.update(LogEntry).where(LogEntry.moderator_id == account_id).values(moderator_id=None))


def _drop_likes_and_reports(user_id: int) -> None:
    """Counters move in SQL with the rows they count."""
    liked_posts = sa.select(PostLike.post_id).where(PostLike.user_id == user_id)
    db.session.execute(sa.update(Post).where(Post.id.in_(liked_posts))
                       .values(like_count=Post.like_count - 1, discussion_version=Post.discussion_version + 1))
    liked_comments = sa.select(CommentLike.comment_id).where(CommentLike.user_id == user_id)
    db.session.execute(sa.update(Post).where(Post.id.in_(sa.select(Comment.post_id).where(Comment.id.in_(liked_comments))))
                       .values(discussion_version=Post.discussion_version + 1))
    db.session.execute(sa.update(Comment).where(Comment.id.in_(liked_comments)).values(like_count=Comment.like_count - 1))
    open_reports = sa.select(Report.comment_id).where(Report.reporter_id == user_id, Report.resolved_at.is_(None))
    db.session.execute(sa.update(Comment).where(Comment.id.in_(open_reports))
                       .values(open_report_count=Comment.open_report_count - 1))
    db.session.execute(sa.delete(PostLike).where(PostLike.user_id == user_id))
    db.session.execute(sa.delete(CommentLike).where(CommentLike.user_id == user_id))
    db.session.execute(sa.delete(Report).where(Report.reporter_id == user_id))
    db.session.execute(sa.update(Report).where(Report.resolved_by_id == user_id).values(resolved_by_id=None))


def check_may_erase(actor: User, account: User) -> None:
    if actor.id != account.id and not can_administer(actor):
        raise NotAllowed("Only the account's owner or an admin may erase it.")
    if db.session.scalar(sa.select(Post.id).where(Post.author_id == account.id).limit(1)) is not None:
        raise DomainError("This account wrote posts; an admin has to delete them or give them to another "
                          "author before the account can be erased.", field="keep_comments")
    if account.role == Role.ADMIN and not db.session.scalar(
            sa.select(User.id).where(User.role == Role.ADMIN, User.id != account.id).limit(1)):
        raise DomainError("This is the only admin account; make another admin first.", field="keep_comments")


def erase_account(actor: User, account: User, keep_comments: bool) -> Erased:
    """Erase `account` and what belongs to it (see the module's docstring)."""
    check_may_erase(actor, account)
    user_id, by_admin = account.id, actor.id != account.id
    erased, comment_ids = _erase_comments(Comment.author_id == user_id, keep_comments)
    _drop_likes_and_reports(user_id)
    _forget_in_log(comment_ids, user_id)
    for table, column in references_to_users():  # subscriptions and the like, whoever added them
        if column.nullable:
            db.session.execute(sa.update(table).where(column == user_id).values({column.name: None}))
        else:
            db.session.execute(sa.delete(table).where(column == user_id))
    db.session.execute(sa.delete(User).where(User.id == user_id))
    db.session.expunge(account)
    log_action(actor if by_admin else None, ERASE,
               reason=f"An account was erased {'by an admin' if by_admin else 'at its owner’s request'}; "
                      f"{_summary(erased)}.")
    db.session.flush()
    return erased


def erase_guest(email: str, keep_comments: bool) -> Erased:
    """Erase the guest comments under `email` (the mailed link proved the address is theirs)."""
    erased, comment_ids = _erase_comments(guest_comments_of(email), keep_comments)
    if not comment_ids:
        return erased
    _forget_in_log(comment_ids, None)
    log_action(None, ERASE, reason=f"A guest’s comments were erased at their request; {_summary(erased)}.")
    db.session.flush()
    return erased


def _summary(erased: Erased) -> str:
    return (f"{erased.comments_deleted} comments deleted, {erased.tombstones} left as tombstones, "
            f"{erased.comments_anonymised} kept as “{DELETED_ACCOUNT}”")
