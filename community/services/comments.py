"""Writing comments: who may comment, the rules for a body, a guest and a reply; authors editing and
deleting their own words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from community import text
from community.extensions import db
from community.notifications import events as notifications
from community.models import Comment, CommentStatus, Post, User
from community.models.base import utcnow
from community.models.comment import path_segment
from community.services import DomainError, NotAllowed
from community.services.accounts import ensure_may_take_part
from community.services.comment_status import change_comment_count, change_status, delete_or_leave_tombstone
from community.services.matching import comparable
from community.services.moderation_log import Action, log_action
from community.services.posts import discussion_changed, lock_discussion
from community.services.settings import current_settings, edit_window_minutes
from community.spam.form_token import NOT_CHECKED, FormEvidence
from community.spam.signals import assess, remember
from community.services.rules import Verdict, check_flood, comments_closed, content_verdict, judge_new_comment

BODY_MAX = 5_000
GUEST_NAME_MAX = 60
WEBSITE_MAX = 200


@dataclass(frozen=True)
class Guest:
    """Who a signed-out commenter says they are."""

    name: str
    email: str
    website: str | None = None
    key: str | None = None  # the browser's key (comments.guest_browser); None for imports and the demo


def check_body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError("Please write a comment before posting.", field="body")
    if len(body) > BODY_MAX:
        raise DomainError(
            f"A comment is at most {BODY_MAX:,} characters; this one has {len(body):,}.", field="body"
        )
    return body


NAME_OF_AN_ACCOUNT = ("That is the name of an account here. If it is yours, log in to comment; "
                      "otherwise choose another name.")


def check_guest_name(name: str | None) -> str:
    """A name to show, which may not pass for an account's: compared as readers see it (case,
    lookalike letters, invisible characters; services.matching)."""
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Please give your name.", field="name")
    if len(name) > GUEST_NAME_MAX:
        raise DomainError(f"A name is at most {GUEST_NAME_MAX} characters.", field="name")
    key = comparable(name).strip()
    if db.session.scalar(sa.select(User.id).where(sa.or_(User.username_key == key, User.display_name_key == key)).limit(1)):
        raise DomainError(NAME_OF_AN_ACCOUNT, field="name")
    return name


def check_guest_email(email: str | None) -> str:
    """A valid address, lower-cased so "has commented before" finds it by index."""
    email = (email or "").strip()
    if not email:
        raise DomainError("Please give your email address; it is never shown.", field="email")
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise DomainError("That email address is not valid.", field="email") from None


# A host name's labels once in ASCII (IDNA): letters, digits and inner hyphens, dot-separated.
_HOST_NAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
# What an address never holds unencoded; printed in an href, these only confuse.
_NOT_IN_A_URL = re.compile(r'[\s<>"`\\{}|^\x00-\x1f\x7f]')


def check_website(website: str | None) -> str | None:
    """An http or https address on a real host name, or None when left blank."""
    website = (website or "").strip()
    if not website:
        return None
    if "://" not in website:
        website = "https://" + website
    refusal = DomainError("A website is an http or https address, like https://example.com.", field="website")
    if len(website) > WEBSITE_MAX or _NOT_IN_A_URL.search(website):
        raise refusal
    try:
        parts = urlsplit(website)
        host = (parts.hostname or "").encode("idna").decode("ascii")
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except (ValueError, UnicodeError):  # "https://[x]", a bad port, or a label IDNA refuses
        raise refusal from None
    if parts.scheme not in ("http", "https") or "." not in host or not _HOST_NAME.fullmatch(host):
        raise refusal
    return website


def can_comment_on(post: Post) -> bool:
    return not comments_closed(post)


class ThreadTooDeep(DomainError):
    """The comment being answered is at the deepest level replies nest to (THREAD_DEPTH)."""


def find_reply_target(post: Post, parent_id: int) -> Comment:
    """The comment being answered, which must be a visible comment of this post with room below it."""
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.post_id != post.id or not parent.is_public:
        raise DomainError(
            "The comment you are replying to is not part of this discussion any more.", field="body"
        )
    if parent.depth >= current_app.config["THREAD_DEPTH"]:
        raise ThreadTooDeep("This thread is as deep as it can go; reply further up instead.", field="body")
    return parent


def add_comment(
    post: Post,
    body: str,
    author: User | None = None,
    guest: Guest | None = None,
    parent_id: int | None = None,
    ip_address: str | None = None,
    form: FormEvidence = NOT_CHECKED,
) -> Comment:
    """A new comment or reply, rendered once and judged by the moderation rules and the spam
    filter's signals (`form`: what the posted form showed); the post's count moves in the same
    transaction when it is published at once. A held or spammed comment is logged with its signals."""
    if comments_closed(post):
        raise DomainError("Comments are closed.", status=403)
    ensure_may_take_part(author)
    body = check_body(body)
    if author is None:
        if not current_app.config["GUEST_COMMENTS"]:
            raise DomainError("Please log in to comment.", status=403)
        if guest is None:
            raise DomainError("Please give your name.", field="name")
        guest = Guest(check_guest_name(guest.name), check_guest_email(guest.email), check_website(guest.website),
                      guest.key)
    lock_discussion(post.id)
    parent = find_reply_target(post, parent_id) if parent_id is not None else None
    check_flood(author, ip_address, current_settings())

    body_html = text.render_comment(body)
    signals = assess(body, guest.website if guest and not author else None, form, current_settings())
    verdict = judge_new_comment(post, author, guest.email if guest else None, ip_address, body, body_html,
                                guest_key=guest.key if guest else None,
                                spam_signals=Verdict(signals.status, signals.rule) if signals.status else None)
    comment = Comment(
        post_id=post.id,
        parent_id=parent.id if parent else None,
        depth=parent.depth + 1 if parent else 1,
        author=author,
        guest_name=guest.name if guest and not author else None,
        guest_email=guest.email if guest and not author else None,
        guest_website=guest.website if guest and not author else None,
        guest_key=guest.key if guest and not author else None,
        ip_address=ip_address,
        body_markdown=body,
        body_html=body_html,
        status=verdict.status,
        held_by_rule=verdict.rule,
        created_at=utcnow(),
    )
    db.session.add(comment)
    db.session.flush()  # the id is needed for the root and the path
    comment.root_id = parent.root_id if parent else comment.id
    comment.path = f"{parent.path}/{path_segment(comment.id)}" if parent else path_segment(comment.id)
    if comment.is_public:
        change_comment_count(post.id, +1)
    remember(comment, signals)
    if verdict.status != CommentStatus.APPROVED:
        _log_automatic_decision(comment, verdict, signals.notes)
    db.session.flush()
    notifications.comment_status_changed(comment)
    return comment


def _log_automatic_decision(comment: Comment, verdict: Verdict, notes: list[str]) -> None:
    """Every status the system chose for a new comment is in the log, with all the signals seen."""
    action = Action.AUTO_SPAM if verdict.status == CommentStatus.SPAM else Action.AUTO_HOLD
    reason = f"{'Sent to spam' if verdict.status == CommentStatus.SPAM else 'Held'} by the rule “{verdict.rule}”"
    log_action(None, action, comment, status_before="new", status_after=verdict.status, reason="; ".join([reason, *notes]))


# --- an author's own words ---------------------------------------------------------------------------

def edit_window_ends(comment: Comment):
    return comment.created_at + timedelta(minutes=edit_window_minutes())


def can_edit_own(user: User | None, comment: Comment) -> bool:
    return (
        user is not None and user.is_authenticated and comment.author_id == user.id and not user.is_suspended
        and not comment.is_deleted
        and comment.status in (CommentStatus.APPROVED, CommentStatus.PENDING, CommentStatus.SPAM)  # spam looks held
        and utcnow() < edit_window_ends(comment)
    )


def can_delete_own(user: User | None, comment: Comment) -> bool:
    """The comment's author, not suspended (a suspension stops every write, deletions too)."""
    return (user is not None and user.is_authenticated and comment.author_id == user.id and not user.is_suspended
            and not comment.is_deleted)


def edit_own_comment(user: User, comment: Comment, body: str) -> None:
    """New words within the edit window, rendered again and judged again by the content rules."""
    if comment.author_id != user.id:
        raise NotAllowed("You can only edit your own comments.")
    ensure_may_take_part(user)
    lock_discussion(comment.post_id, comment)
    if comment.is_deleted:
        raise DomainError("You deleted this comment; there is nothing left to edit.", field="body", status=403)
    if not can_edit_own(user, comment):
        raise DomainError(
            f"Comments can be edited for {edit_window_minutes()} minutes after posting; "
            "this one can no longer be changed.", field="body", status=403,
        )
    original = comment.body_markdown
    comment.body_markdown = check_body(body)
    comment.body_html = text.render_comment(comment.body_markdown)
    comment.edited_at = utcnow()
    settings = current_settings()
    verdict = content_verdict(comment.body_markdown, comment.body_html, settings)
    signals = assess(comment.body_markdown, comment.guest_website, NOT_CHECKED, settings, edited=comment.id)
    remember(comment, signals)  # the queue shows what the new words scored
    if comment.status == CommentStatus.APPROVED and not user.is_moderator:
        verdict = edit_verdict(verdict, signals, trusted=user.id == comment.post.author_id)
        if verdict:
            _hide_after_edit(comment, verdict, original, signals.notes)
    discussion_changed(comment.post_id)
    db.session.flush()


def edit_verdict(words: Verdict | None, signals, trusted: bool) -> Verdict | None:
    """What new words in a published comment call for. The word lists as for a new comment; the
    spam filter's signals (links, blocked domains, chatbot leftovers, duplicates, the learned
    score) only hold it: the words were public, a person already let them through, and an edit
    is its author's, so a moderator decides (Mark as spam teaches the filter). The post's author
    is spared the filter, as on a new comment; a moderator's edit is never judged."""
    if words and words.status == CommentStatus.SPAM:
        return words
    if signals.status and not trusted:
        return Verdict(CommentStatus.PENDING, signals.rule)
    return words


def _hide_after_edit(comment: Comment, verdict: Verdict, original: str, notes: list[str] = ()) -> None:
    """New words a rule holds or sends to spam: the status changes, logged as done by the system
    with the rule (and the filter's signals), as the report threshold's hide is."""
    change_status(comment, verdict.status)
    comment.held_by_rule = verdict.rule
    reason = f"Edited by its author; {'sent to spam' if verdict.status == CommentStatus.SPAM else 'held'} by the rule “{verdict.rule}”"
    log_action(None, Action.AUTO_HIDE, comment, status_before=CommentStatus.APPROVED, status_after=verdict.status,
               reason="; ".join([reason, *notes]), text_before=original, text_after=comment.body_markdown)


def delete_own_comment(user: User, comment: Comment) -> None:
    """Gone, or a tombstone "This comment was deleted." while replies hang under it."""
    lock_discussion(comment.post_id, comment)
    if not can_delete_own(user, comment):
        raise NotAllowed("You can only delete your own comments.")
    delete_or_leave_tombstone(comment)
    db.session.flush()
