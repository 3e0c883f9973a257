"""Filters and globals the templates share."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app


def human_date(value: datetime) -> str:
    """'28 November 2026', the way a blog dates its posts."""
    return f"{value.day} {value:%B %Y}"


def human_datetime(value: datetime) -> str:
    """'28 November 2026 at 17:30 UTC'."""
    return f"{human_date(value)} at {value:%H:%M} UTC"


def register(app: Flask) -> None:
    app.add_template_filter(human_date)
    app.add_template_filter(human_datetime)

    @app.context_processor
    def site_globals() -> dict[str, object]:
        return {"site_name": current_app.config["SITE_NAME"]}
