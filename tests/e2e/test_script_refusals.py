"""With JavaScript on, a refusal reads the same as without it: flood control and a suspension say
why at the comment box and keep the text; a failed load of new comments says so."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from community.extensions import db
from community.models import Comment
from tests.e2e.helpers import log_in, mark_page, was_not_reloaded
from tests.factories import make_comment, make_post, user_named


@pytest.fixture
def essay(app, users) -> str:
    return make_post(app, title="The Friends We Outgrow", body="An essay about *drift*.")


def comment_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Comment))


def post_a_comment(page: Page, text: str) -> None:
    page.get_by_label("Comment", exact=True).fill(text)
    page.get_by_role("button", name="Post Comment").click()


def expect_refused_at_the_box(page: Page, sentence: str, text: str) -> None:
    box = page.get_by_label("Comment", exact=True)
    expect(page.locator("#body-error")).to_contain_text(sentence)
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_value(text)
    expect(box).to_be_focused()
    expect(page.locator("#comment-form-error")).to_be_hidden()
    expect(page.locator("#live-status")).to_contain_text("Your comment was not posted.")
    expect(page.locator("#live-status")).to_contain_text(sentence)


def test_posting_too_soon_says_how_long_to_wait_at_the_box(page: Page, live_server, app, essay):
    app.config["FLOOD_SECONDS"] = 600
    log_in(page, live_server.url, "reader")
    page.goto(f"{live_server.url}/posts/{essay}")
    mark_page(page)
    post_a_comment(page, "A first thought.")
    expect(page.locator(".comment-list")).to_contain_text("A first thought.")
    post_a_comment(page, "A second thought, too soon.")
    expect_refused_at_the_box(page, "You are posting too quickly. Please wait", "A second thought, too soon.")
    assert comment_count(app) == 1 and was_not_reloaded(page)


def test_a_suspended_reader_reads_why_at_the_box(page: Page, live_server, app, essay):
    from community.services.moderation import suspend

    log_in(page, live_server.url, "reader")
    page.goto(f"{live_server.url}/posts/{essay}")
    with app.app_context():  # suspended while the page is open
        suspend(user_named("moderator"), user_named("reader"), None, "Cooling off")
        db.session.commit()
    post_a_comment(page, "Words I still want to say.")
    expect_refused_at_the_box(page, "Reason: Cooling off", "Words I still want to say.")
    assert comment_count(app) == 0


def test_new_comments_that_fail_to_load_say_so_and_can_be_tried_again(page: Page, live_server, app, essay):
    make_comment(app, essay, "first one")
    page.goto(f"{live_server.url}/posts/{essay}")
    make_comment(app, essay, "written while you read", author="Ana")
    page.evaluate("document.dispatchEvent(new Event('community:check-new-comments'))")
    button = page.get_by_role("button", name="1 new comment")
    page.route("**/threads*", lambda route: route.fulfill(status=503, body="busy"))
    button.click()
    expect(page.locator("#new-comments-error")).to_have_text(
        "The new comments could not be loaded. Please try again, or reload the page.")
    expect(page.get_by_text("written while you read")).to_have_count(0)
    expect(page.locator("#live-status")).not_to_contain_text("New comments loaded.")
    expect(button).to_be_visible()

    page.unroute("**/threads*")
    button.click()
    expect(page.get_by_text("written while you read")).to_be_visible()
    expect(page.locator("#new-comments-error")).to_be_hidden()
    expect(page.locator("#live-status")).to_have_text("New comments loaded.")
    expect(page.locator("#comments-title")).to_have_text("2 thoughts on “The Friends We Outgrow”")
