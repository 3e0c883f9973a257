"""The notification journey in a real browser, with a real SMTP server (aiosmtpd): a guest ticks
"Notify me of replies to my comment", confirms from the email, someone replies, the guest gets
the reply by email and unsubscribes from it."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from community.extensions import db
from community.models import Comment, Subscription
from tests.factories import make_comment, make_post
from tests.test_notifications import smtp, text_of, work  # noqa: F401  (smtp: a fixture, the server)


@pytest.fixture
def app_settings(smtp) -> dict[str, object]:
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp[1], "MAIL_USE_TLS": False, "NOTIFY_BATCH_MINUTES": 0,
            "SITE_URL": "http://127.0.0.1:1"}  # replaced by the live server's address below


def link_in(message, path: str) -> str:
    return next(link for link in re.findall(r"http://127\.0\.0\.1:\d+/\S+", text_of(message)) if path in link)


def test_a_guest_is_told_of_a_reply_and_unsubscribes(page: Page, live_server, app, users, smtp):
    inbox, _port = smtp
    app.config["SITE_URL"] = live_server.url  # links in the emails lead to this server
    slug = make_post(app, title="Letters Unsent", body="On writing back.")
    page.goto(f"{live_server.url}/posts/{slug}")
    page.get_by_label("Comment", exact=True).fill("I keep a drawer of them.")
    page.get_by_label("Name", exact=True).fill("Juniper")
    page.get_by_label("Email", exact=True).fill("juniper@example.net")
    page.get_by_label("Notify me of replies to my comment").check()
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator("#comment-form-notice")).to_contain_text("Check your inbox to confirm")

    work(app)
    [confirmation] = inbox.to("juniper@example.net")
    page.goto(link_in(confirmation, "/notifications/confirm/"))
    page.get_by_role("button", name="Confirm my subscription").click()
    expect(page.get_by_text("Your address is confirmed")).to_be_visible()

    with app.app_context():
        juniper = db.session.scalar(sa.select(Comment.id).where(Comment.guest_email == "juniper@example.net"))
    make_comment(app, slug, "Send one of them, just one.", "Ana", parent_id=juniper)
    work(app)
    reply = inbox.to("juniper@example.net")[-1]
    assert reply["Subject"] == "Ana replied to your comment on “Letters Unsent”"
    assert "Send one of them, just one." in text_of(reply)

    page.goto(reply["List-Unsubscribe"].strip("<>"))
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 0
