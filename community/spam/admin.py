"""The spam filter's place in the settings: what it has learned, and an admin's reset (logged)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from community.extensions import db
from community.models import SpamTotals, User
from community.services import NotAllowed
from community.services.moderation import can_administer
from community.services.moderation_log import Action, log_action
from community.spam import classifier


@dataclass(frozen=True)
class FilterState:
    learned_spam: int
    learned_ham: int
    tokens: int
    reset_at: datetime | None


def filter_state() -> FilterState:
    spam, ham = classifier.totals()
    row = db.session.get(SpamTotals, classifier.TOTALS_ID)
    return FilterState(spam, ham, classifier.token_count(), row.reset_at if row else None)


def reset_filter(admin: User) -> str:
    """Forget every learned token and count; returns what was forgotten, as the log says it."""
    if not can_administer(admin):
        raise NotAllowed("Only admins reset the spam filter.")
    spam, ham = classifier.totals()
    forgotten = f"{spam} spam and {ham} good comment{'s' if ham != 1 else ''}"
    classifier.reset()
    log_action(admin, Action.SETTINGS, reason=f"Spam filter reset: forgot what it learned from {forgotten}",
               text_before=f"learned: {spam} spam, {ham} good", text_after="learned: 0 spam, 0 good")
    db.session.flush()
    return forgotten
