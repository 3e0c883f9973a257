"""The moderation settings, every one: the saved row (`moderation_settings`, one row an admin
edits) read once per request with the configured defaults standing in while none is saved, what
each is called, which values are valid, and how a change is told in the log; and the two set by
the environment only (the report threshold, the edit window)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, g

from community.extensions import db
from community.models import ModerationSettings
from community.services import DomainError
from community.spam.features import check_domain_list

SETTINGS_ROW_ID = 1

# Every setting an admin edits, with the words the settings page and its "Settings saved: …" use.
SETTING_LABELS = {
    "hold_all_comments": "hold every comment",
    "hold_first_comment": "hold first comments",
    "max_links": "most links",
    "flood_seconds": "seconds between comments",
    "close_after_days": "close after days",
    "moderation_words": "moderation words",
    "disallowed_words": "disallowed words",
    "blocked_emails": "blocked emails",
    "blocked_addresses": "blocked addresses",
    "blocked_domains": "blocked link domains",
    "chatbot_phrases": "chatbot phrases",
    "spam_threshold": "spam score that sends to spam",
    "spam_hold_threshold": "spam score that holds",
    "spam_min_decisions": "decisions before the filter may spam",
    "min_fill_seconds": "fewest seconds to write a comment",
}


def current_settings() -> ModerationSettings:
    """The saved rules, or the configured defaults while no admin has saved any (once per request)."""
    if "moderation_settings" not in g:
        saved = db.session.get(ModerationSettings, SETTINGS_ROW_ID)
        g.moderation_settings = saved or default_settings()
    return g.moderation_settings


def default_settings() -> ModerationSettings:
    """The rules before an admin saves any: the environment's (config.py) and the filter's own."""
    config = current_app.config
    return ModerationSettings(
        id=SETTINGS_ROW_ID,
        hold_all_comments=config["HOLD_ALL_COMMENTS"],
        hold_first_comment=config["HOLD_FIRST_COMMENT"],
        max_links=config["MAX_LINKS"],
        flood_seconds=config["FLOOD_SECONDS"],
        close_after_days=config["CLOSE_AFTER_DAYS"],
        moderation_words="",
        disallowed_words="",
        blocked_emails="",
        blocked_addresses="",
        blocked_domains="",
        chatbot_phrases=config["SPAM_CHATBOT_PHRASES"],
        spam_threshold=0.9,
        spam_hold_threshold=0.5,
        spam_min_decisions=50,
        min_fill_seconds=3,
    )


def saved_close_after_days() -> sa.ScalarSelect:
    """The saved `close_after_days` as a subquery (NULL while none is saved), for a query that
    reads a post and its closing rule at once; `close_after_days_or_default` reads the answer."""
    return sa.select(ModerationSettings.close_after_days).where(ModerationSettings.id == SETTINGS_ROW_ID).scalar_subquery()


def close_after_days_or_default(saved: int | None) -> int:
    return current_app.config["CLOSE_AFTER_DAYS"] if saved is None else saved


def report_hide_threshold() -> int:
    """Open reports from different readers that hold a comment until a moderator looks."""
    return current_app.config["REPORT_HIDE_THRESHOLD"]


def edit_window_minutes() -> int:
    """How long authors may edit their comment after posting (deleting it has no window)."""
    return current_app.config["EDIT_WINDOW_MINUTES"]


def lines(text: str | None) -> list[str]:
    """The entries of a one-per-line list, trimmed, without blanks or duplicates."""
    seen: dict[str, None] = {}
    for line in (text or "").splitlines():
        entry = line.strip()
        if entry:
            seen.setdefault(entry.lower(), None)
    return list(seen)


def check_address_list(entries: str) -> str:
    """Blocked addresses: one IP address or network (CIDR) a line."""
    for entry in lines(entries):
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise DomainError(f"“{entry}” is not an IP address or network like 203.0.113.0/24.", field="blocked_addresses") from None
    return entries


def check_email_list(entries: str) -> str:
    """Blocked emails: one address, or @domain, a line."""
    for entry in lines(entries):
        if "@" not in entry or " " in entry:
            raise DomainError(f"“{entry}” is not an email address or @domain.", field="blocked_emails")
    return entries


def setting_text(value: object) -> str:
    """A setting's value as the log shows it: on/off, a number, or a list's lines joined."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, str):
        return ", ".join(value.splitlines()) or "(none)"
    return str(value)


@dataclass(frozen=True)
class SettingChange:
    name: str
    before: str  # as setting_text says it
    after: str


def store_settings(values: dict[str, object]) -> list[SettingChange]:
    """Check the values and store those that differ in the row (made from the defaults on the first
    save); the changes in SETTING_LABELS' order. Who may, and the log, are the caller's."""
    check_address_list(str(values.get("blocked_addresses", "")))
    check_email_list(str(values.get("blocked_emails", "")))
    check_domain_list(str(values.get("blocked_domains", "")))
    settings = db.session.get(ModerationSettings, SETTINGS_ROW_ID)
    if settings is None:
        settings = default_settings()
        db.session.add(settings)
    if float(values.get("spam_hold_threshold", settings.spam_hold_threshold)) > float(values.get("spam_threshold", settings.spam_threshold)):
        raise DomainError("The score that holds must not be above the one that sends to spam.", field="spam_hold_threshold")
    changes = [SettingChange(name, setting_text(getattr(settings, name)), setting_text(values[name]))
               for name in SETTING_LABELS if name in values and getattr(settings, name) != values[name]]
    for change in changes:
        setattr(settings, change.name, values[change.name])
    g.pop("moderation_settings", None)
    return changes
