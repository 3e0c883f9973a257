"""Filters and globals the templates share."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app
from markupsafe import Markup


def human_date(value: datetime) -> str:
    """'28 November 2026', the way a blog dates its posts."""
    return f"{value.day} {value:%B %Y}"


def human_datetime(value: datetime) -> str:
    """'28 November 2026 at 17:30 UTC'."""
    return f"{human_date(value)} at {value:%H:%M} UTC"


def local_time(value: datetime, shows: str = "minute") -> Markup:
    """A <time> that says its moment in UTC, the same bytes for every reader (pages are shared);
    js/site.js rewrites the words in the reader's own time zone. `shows`: "minute" or "date"."""
    words = human_datetime(value) if shows == "minute" else human_date(value)
    return Markup('<time data-local="{}" datetime="{}">{}</time>').format(shows, value.isoformat(), words)


def liked_by(count: int, you: bool = False) -> str:
    """'Liked by 1 person', 'Liked by 3 people'; empty at zero, where the count is hidden. When the
    reader is one of them: 'You like this', 'You and 1 other like this', 'You and 4 others like this'."""
    if count <= 0:
        return ""
    if you:
        others = count - 1
        return "You like this" if others == 0 else f"You and {others:,} other{'s' if others != 1 else ''} like this"
    return "Liked by 1 person" if count == 1 else f"Liked by {count:,} people"


def links_as_text(body_html: str) -> Markup:
    """Stored comment HTML with its links made words, each followed by its address as text (for
    spam in the moderation queue: nothing to click by mistake)."""
    from community.text import links_as_text as unlink

    return Markup(unlink(body_html))


def thoughts_heading(count: int, title: str) -> str:
    """The discussion's heading, as a WordPress theme words it."""
    if count == 0:
        return "No comments yet"
    if count == 1:
        return f"One thought on “{title}”"
    return f"{count:,} thoughts on “{title}”"


def comment_count_label(count: int) -> str:
    """The link under an essay's title to its discussion (never "No comments yet", the heading's words)."""
    if count == 0:
        return "No comments"
    return "1 comment" if count == 1 else f"{count:,} comments"


def register(app: Flask) -> None:
    from community.avatars import avatar_url
    from community.forms import field_attributes
    from community.services.accounts import suspension_notice
    from community.services.comments import can_edit_own

    app.add_template_filter(human_date)
    app.add_template_filter(human_datetime)
    app.add_template_filter(liked_by)
    app.add_template_filter(links_as_text)
    app.add_template_global(thoughts_heading)
    app.add_template_global(comment_count_label)
    app.add_template_global(local_time)
    app.add_template_global(avatar_url)
    app.add_template_global(suspension_notice)
    app.add_template_global(field_attributes)
    app.add_template_global(can_edit_own)

    @app.template_global()
    def moderation_pending() -> int:
        from community.services.moderation import pending_count

        return pending_count()

    @app.context_processor
    def reader_slots() -> dict[str, object]:
        """Pages that name no reader draw their slots for the signed-in account (or the guest)."""
        from flask_login import current_user

        from community.discussion.slots import Slots

        return {"slot": Slots(current_user)}

    @app.context_processor
    def site_globals() -> dict[str, object]:
        return {"site_name": current_app.config["SITE_NAME"]}
