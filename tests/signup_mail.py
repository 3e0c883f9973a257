"""Signing up as a person does, for tests: the form, then the link from the email the app wrote.
With MAIL_SERVER unset the app writes every email to its log in full; `mails_logged` collects them."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask.testing import FlaskClient

from tests.conftest import PASSWORD, post_form

SIGNUP_LINK = re.compile(r"(https?://[^/\s]+)(/auth/register/confirm/[A-Za-z0-9_.\-]+)")


class _Collector(logging.Handler):
    def __init__(self, mails: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.mails = mails

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "this email was not sent" in message:
            self.mails.append(message)


@contextmanager
def mails_logged() -> Iterator[list[str]]:
    """The emails the app writes to its log while the block runs (from any thread), in full."""
    mails: list[str] = []
    logger = logging.getLogger("community")
    handler, level = _Collector(mails), logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
    try:
        yield mails
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def signup_links(mails: list[str]) -> list[str]:
    """The paths of the sign-up links in these emails."""
    return [match.group(2) for mail in mails for match in SIGNUP_LINK.finditer(mail)]


def ask_to_sign_up(client: FlaskClient, username: str, email: str, next_path: str | None = None, **kwargs):
    """The first step: the form with a username and an email; returns the answer and the link mailed."""
    data = {"username": username, "email": email, **({"next": next_path} if next_path else {})}
    with mails_logged() as mails:
        answer = post_form(client, "/auth/register", data, **kwargs)
    links = signup_links(mails)
    return answer, (links[-1] if links else None)


def sign_up(client: FlaskClient, username: str, email: str | None = None, password: str = PASSWORD,
            next_path: str | None = None, confirm: str | None = None, **kwargs):
    """Both steps: ask, follow the emailed link, choose the password; returns the last answer."""
    answer, link = ask_to_sign_up(client, username, email or f"{username}@example.org", next_path, **kwargs)
    if link is None:
        return answer
    return post_form(client, link, {"password": password, "confirm": password if confirm is None else confirm},
                     **kwargs)
