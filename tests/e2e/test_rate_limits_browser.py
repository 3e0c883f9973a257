"""A comment past its budget, in a real browser: the refusal is said at the comment box and the text
stays, with JavaScript and without it."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from community.extensions import db
from community.models import Comment
from tests.e2e.helpers import log_in, mark_page, was_not_reloaded
from tests.factories import make_post

REFUSAL = re.compile(r"You are commenting faster than this site allows\. Try again in \d+ (seconds?|minutes?)\.")


@pytest.fixture
def app_settings() -> dict[str, object]:
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_COMMENTS": "1 per minute"}


@pytest.fixture
def essay(app, users) -> str:
    return make_post(app, title="The Friends We Outgrow")


def comment_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Comment))


def test_the_script_shows_the_refusal_at_the_field_and_keeps_the_text(page: Page, live_server, app, essay):
    log_in(page, live_server.url, "reader")
    page.goto(f"{live_server.url}/posts/{essay}")
    mark_page(page)
    box = page.get_by_label("Comment", exact=True)
    box.fill("The first one goes through.")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator(".comment-list")).to_contain_text("The first one goes through.")
    box.fill("The second one must wait.")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator("#body-error")).to_have_text(REFUSAL)
    expect(box).to_have_value("The second one must wait.")
    expect(box).to_have_attribute("aria-invalid", "true")
    assert was_not_reloaded(page) and comment_count(app) == 1


def test_without_javascript_the_page_comes_back_with_the_text(browser: Browser, live_server, app, essay):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, "reader")
    page.goto(f"{live_server.url}/posts/{essay}")
    page.get_by_label("Comment", exact=True).fill("The first one goes through.")
    page.get_by_role("button", name="Post Comment").click()
    page.get_by_label("Comment", exact=True).fill("The second one must wait.")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator("#body-error")).to_have_text(REFUSAL)
    expect(page.get_by_label("Comment", exact=True)).to_have_value("The second one must wait.")
    assert comment_count(app) == 1
    context.close()
