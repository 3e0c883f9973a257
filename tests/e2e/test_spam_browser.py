"""The spam filter's form fields in a real browser, with JavaScript and without: a person never
meets the honeypot (not seen, not reached by Tab), a comment written at a person's pace is
published, one sent at once is held, and one whose honeypot a script filled goes to spam while its
author is told what a held comment's author is told."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from community.extensions import db
from community.models import Comment
from tests.factories import make_post


@pytest.fixture
def essay(app, users) -> str:
    app.config["SPAM_FORM_CHECKS"] = True
    return make_post(app, title="The Year I Stopped Running", body="An essay about *stopping*.")


@pytest.fixture
def seconds_later(form_sent_after):
    return form_sent_after


def statuses(app) -> list[tuple[str, str | None]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(sa.select(Comment.status, Comment.held_by_rule).order_by(Comment.id))]


def write_as_guest(page: Page, text: str) -> None:
    page.get_by_label("Comment", exact=True).fill(text)
    page.get_by_label("Name", exact=True).fill("Juniper")
    page.get_by_label("Email", exact=True).fill("juniper@example.net")
    page.get_by_role("button", name="Post Comment").click()


def test_the_honeypot_is_never_seen_or_reached_by_tab(page: Page, live_server, essay):
    page.goto(f"{live_server.url}/posts/{essay}")
    honeypot = page.locator("#comment_subject")
    expect(honeypot).to_be_hidden()
    expect(page.get_by_label("Subject (leave this empty)")).to_be_hidden()
    page.get_by_label("Comment", exact=True).focus()
    for _ in range(12):  # through the form, past Post Comment
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") != "comment_subject"


def test_with_javascript_a_person_posts_twice_from_one_page_and_both_are_published(page: Page, live_server, app, essay, seconds_later):
    page.goto(f"{live_server.url}/posts/{essay}")
    write_as_guest(page, "I stopped too, the winter my knee gave out. Walking saved me.")
    expect(page.locator(".comment-list").get_by_text("Walking saved me.")).to_be_visible()
    page.get_by_label("Comment", exact=True).fill("And I kept the shoes by the door for a year.")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator(".comment-list").get_by_text("kept the shoes by the door")).to_be_visible()
    assert statuses(app) == [("approved", None), ("approved", None)]  # the second form was a new one


def test_with_javascript_a_filled_honeypot_is_spam_and_its_author_sees_only_awaiting(page: Page, live_server, app, essay, seconds_later):
    page.goto(f"{live_server.url}/posts/{essay}")
    page.evaluate("document.getElementById('comment_subject').value = 'cheap watches'")  # as a script fills every field
    write_as_guest(page, "Great post, visit my site for great deals on shoes.")
    expect(page.get_by_text("Your comment is awaiting moderation.").first).to_be_visible()
    assert statuses(app) == [("spam", "honeypot")]


def test_without_javascript_a_comment_at_a_persons_pace_is_published_and_one_sent_at_once_is_held(
        browser: Browser, live_server, app, essay, seconds_later):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/posts/{essay}")
        write_as_guest(page, "Reading this on the night bus. I stopped running after my father died.")
        expect(page.locator(".comment-list").get_by_text("night bus")).to_be_visible()
        seconds_later(1)
        page.goto(f"{live_server.url}/posts/{essay}")
        write_as_guest(page, "A second thought, sent the moment the page appeared.")
        expect(page.get_by_text("Your comment is awaiting moderation.").first).to_be_visible()
        assert statuses(app) == [("approved", None), ("pending", "too-fast")]
    finally:
        context.close()
