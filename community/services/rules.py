"""The rules a new comment meets: closed discussions, flood control, blocks, word lists, links and
first comments. Each hold or spam verdict names the rule that gave it."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, CommentStatus, ModerationSettings, Post, User
from community.models.base import utcnow
from community.services import DomainError
from community.services.matching import find_phrase
from community.services.settings import current_settings, lines
from community.text import plain_text


@dataclass(frozen=True)
class Verdict:
    status: CommentStatus
    rule: str | None = None


def comments_closed(post: Post, settings: ModerationSettings | None = None) -> bool:
    """Closed by the author's toggle, or automatically CLOSE_AFTER_DAYS after publication."""
    return discussion_closed(post, (settings or current_settings()).close_after_days)


def discussion_closed(post, close_after_days: int) -> bool:
    """The rule itself, for a post or any object with its status, toggle and publication date."""
    if not post.is_published or post.comments_closed:
        return True
    if close_after_days and post.published_at is not None:
        return utcnow() > post.published_at + timedelta(days=close_after_days)
    return False


def _address_blocked(ip_address: str | None, entries: list[str]) -> bool:
    if not ip_address:
        return False
    try:
        address = ipaddress.ip_address(ip_address)
    except ValueError:
        return False
    for entry in entries:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _email_blocked(email: str | None, entries: list[str]) -> bool:
    """Entries are whole addresses or "@domain"."""
    if not email:
        return False
    email = email.lower()
    return any(email == entry or (entry.startswith("@") and email.endswith(entry)) for entry in entries)


def check_flood(author: User | None, ip_address: str | None, settings: ModerationSettings) -> None:
    """The same account or address may not post twice within the flood interval; moderators may."""
    if not settings.flood_seconds or (author is not None and author.is_moderator):
        return
    since = utcnow() - timedelta(seconds=settings.flood_seconds)
    who = []
    if author is not None:
        who.append(Comment.author_id == author.id)
    if ip_address:
        who.append(Comment.ip_address == ip_address)
    if not who:
        return
    latest = db.session.scalar(
        sa.select(sa.func.max(Comment.created_at)).where(sa.or_(*who), Comment.created_at > since)
    )
    if latest is not None:
        wait = max(1, int((latest - since).total_seconds()) + 1)
        raise DomainError(
            f"You are posting too quickly. Please wait {wait} second{'s' if wait != 1 else ''} and try again.",
            field="body",
            status=429,
        )


def content_verdict(body_markdown: str, body_html: str, settings: ModerationSettings) -> Verdict | None:
    """What the words alone decide: spam for a disallowed phrase, a hold for a watched one or too
    many links. Lists are matched against the text readers see (the rendered HTML's words, entities
    decoded, markup gone), compared as services.matching says: lookalikes and inflections too."""
    seen = plain_text(body_html)
    if find_phrase(seen, lines(settings.disallowed_words)):
        return Verdict(CommentStatus.SPAM, "disallowed-words")
    if find_phrase(seen, lines(settings.moderation_words)):
        return Verdict(CommentStatus.PENDING, "moderation-words")
    if body_html.count("<a ") > settings.max_links:
        return Verdict(CommentStatus.PENDING, "too-many-links")
    return None


def judge_new_comment(
    post: Post,
    author: User | None,
    guest_email: str | None,
    ip_address: str | None,
    body_markdown: str,
    body_html: str,
    guest_key: str | None = None,
    spam_signals: Verdict | None = None,
) -> Verdict:
    """The status a new comment starts in, and the rule that chose it. A guest's earlier approved
    comment counts only when it came from the same browser (`guest_key`), never by email alone.
    `spam_signals` is the spam filter's call (community.spam), which trusted authors are spared as
    they are the word lists'."""
    settings = current_settings()
    if _email_blocked(author.email if author else guest_email, lines(settings.blocked_emails)):
        return Verdict(CommentStatus.SPAM, "blocked-email")
    if _address_blocked(ip_address, lines(settings.blocked_addresses)):
        return Verdict(CommentStatus.SPAM, "blocked-address")
    verdict = content_verdict(body_markdown, body_html, settings)
    if verdict and verdict.status == CommentStatus.SPAM:
        return verdict
    # Moderators and the post's own author are trusted with their own discussion.
    if author is not None and (author.is_moderator or author.id == post.author_id):
        return Verdict(CommentStatus.APPROVED)
    if spam_signals and spam_signals.status == CommentStatus.SPAM:
        return spam_signals
    if verdict:
        return verdict
    if spam_signals:
        return spam_signals
    if settings.hold_all_comments:
        return Verdict(CommentStatus.PENDING, "hold-all")
    if settings.hold_first_comment and not _has_approved_comment(author, guest_email, guest_key):
        return Verdict(CommentStatus.PENDING, "first-comment")
    return Verdict(CommentStatus.APPROVED)


def _has_approved_comment(author: User | None, guest_email: str | None, guest_key: str | None) -> bool:
    if author is not None:
        who = Comment.author_id == author.id
    elif guest_email and guest_key:
        # Stored lower-cased (check_guest_email), so the bare column is compared and its index used.
        who = sa.and_(Comment.guest_email == guest_email.lower(), Comment.guest_key == guest_key)
    else:
        return False
    return db.session.scalar(
        sa.select(Comment.id).where(who, Comment.status == CommentStatus.APPROVED).limit(1)
    ) is not None
