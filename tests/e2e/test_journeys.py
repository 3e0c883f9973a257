"""Journeys in a real browser: with JavaScript, without it, and by keyboard alone."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from community.extensions import db
from community.models import Comment, CommentStatus, Report
from tests.conftest import PASSWORD
from tests.e2e.helpers import comment_item, log_in, log_out, mark_page, tab_to, was_not_reloaded
from tests.factories import make_comment, make_post, make_thread, stored


@pytest.fixture
def essay(app, users) -> str:
    return make_post(app, title="The Friends We Outgrow", body="An essay about *drift*.\n\nAnd what stays.")


def newest_comment_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(Comment.id)))


def test_reader_registers_comments_replies_likes_and_reports_without_reloads(page: Page, live_server, app, essay):
    base = live_server.url
    thread = make_thread(app, essay, 2, author="Ana")  # depth 1 and 2, by Ana
    page.goto(f"{base}/auth/register")
    page.get_by_label("Username").fill("wren")
    page.get_by_label("Email").fill("wren@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Welcome, wren!")).to_be_visible()

    page.goto(f"{base}/posts/{essay}")
    mark_page(page)
    # A comment, inserted in place.
    page.get_by_label("Comment", exact=True).fill("I still write to the ones who **drifted**.")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator(".comment-list").get_by_text("I still write to the ones who")).to_be_visible()
    expect(page.locator("#comments-title")).to_have_text("3 thoughts on “The Friends We Outgrow”")
    expect(page.locator("#comment-threads strong", has_text="drifted")).to_be_visible()

    # A reply at depth 3: the form moves under the comment, and the reply lands nested there.
    page.get_by_role("link", name="Reply to Ana").nth(1).click()
    expect(page.locator("#reply-title-text")).to_have_text("Leave a reply to Ana")
    expect(page.get_by_label("Comment", exact=True)).to_be_focused()
    expect(comment_item(page, thread[1]).locator("#respond")).to_have_count(1)
    page.get_by_label("Comment", exact=True).fill("Depth three, answering Ana.")
    page.get_by_role("button", name="Post Comment").click()
    reply = comment_item(page, thread[1]).locator("ol.children > li.depth-3")
    expect(reply).to_contain_text("Depth three, answering Ana.")
    expect(page.locator("#reply-title-text")).to_have_text("Leave a Reply")

    # Reply, then think better of it.
    page.get_by_role("link", name="Reply to Ana").first.click()
    page.get_by_role("link", name="Cancel reply").click()
    expect(page.locator("#reply-title-text")).to_have_text("Leave a Reply")
    expect(page.locator("#respond-home + #respond")).to_have_count(1)

    # Like and unlike a comment, then the post.
    ana_first = comment_item(page, thread[0]).locator(":scope > .comment__body")
    ana_first.get_by_role("button", name=re.compile("^Like")).click()
    expect(ana_first.locator(".like-count")).to_have_text("Liked by 1 person")
    expect(ana_first.get_by_role("button", name=re.compile("^Liked"))).to_have_attribute("aria-pressed", "true")
    ana_first.get_by_role("button", name=re.compile("^Liked")).click()
    expect(ana_first.locator(".like-count")).to_have_text("")
    post_likes = page.locator("#likes")
    post_likes.get_by_role("button", name=re.compile("^Like")).click()
    expect(post_likes.locator(".like-count")).to_have_text("Liked by 1 person")
    assert was_not_reloaded(page)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 4

    # Report a comment.
    ana_first.get_by_role("link", name=re.compile("^Report")).click()
    page.get_by_label("It harasses or attacks someone").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Thank you. A moderator will look at this comment.")).to_be_visible()
    with app.app_context():
        assert db.session.scalar(sa.select(Report.reason)) == "harassment"


def test_a_refused_like_is_rolled_back_with_a_message(page: Page, live_server, app, essay):
    from community.services.moderation import suspend
    from tests.factories import user_named

    comment_id = make_comment(app, essay, "likeable", author="Ana")
    log_in(page, live_server.url, "reader")
    page.goto(f"{live_server.url}/posts/{essay}")
    with app.app_context():  # suspended while the page is open
        suspend(user_named("moderator"), user_named("reader"), None, "Cooling off")
        db.session.commit()
    body = comment_item(page, comment_id).locator(":scope > .comment__body")
    body.get_by_role("button", name=re.compile("^Like")).click()
    expect(body.locator(".like-error")).to_contain_text("Reason: Cooling off")
    expect(body.get_by_role("button", name=re.compile("^Like"))).to_have_attribute("aria-pressed", "false")
    expect(body.locator(".like-count")).to_have_text("")


def test_comment_errors_show_at_the_field_and_preview_comes_from_the_server(page: Page, live_server, app, essay):
    page.goto(f"{live_server.url}/posts/{essay}")
    page.get_by_label("Comment", exact=True).fill("**bold** <script>alert(1)</script>")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#comment-preview")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview).to_contain_text("<script>alert(1)</script>")  # shown as text, never run
    page.get_by_role("button", name="Post Comment").click()  # a guest without name or email
    expect(page.locator("#name-error")).to_have_text("Please give your name.")
    expect(page.get_by_label("Name")).to_be_focused()
    expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Comment", exact=True)).to_have_value("**bold** <script>alert(1)</script>")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_new_comments_can_be_loaded_without_reloading(page: Page, live_server, app, essay):
    make_comment(app, essay, "first one")
    page.goto(f"{live_server.url}/posts/{essay}")
    mark_page(page)
    make_comment(app, essay, "written while you read", author="Ana")
    page.evaluate("document.dispatchEvent(new Event('community:check-new-comments'))")
    page.get_by_role("button", name="1 new comment").click()
    expect(page.get_by_text("written while you read")).to_be_visible()
    expect(page.locator("#comments-title")).to_have_text("2 thoughts on “The Friends We Outgrow”")
    assert was_not_reloaded(page)


def test_guest_comment_is_held_and_a_moderator_approves_it(browser: Browser, live_server, app, essay):
    app.config["HOLD_FIRST_COMMENT"] = True
    guest = browser.new_page()
    guest.goto(f"{live_server.url}/posts/{essay}")
    guest.get_by_label("Comment", exact=True).fill("A first visit, a first word.")
    guest.get_by_label("Name").fill("Juniper")
    guest.get_by_label("Email").fill("juniper@example.net")
    guest.get_by_role("button", name="Post Comment").click()
    held = guest.locator(".comment__body--held")
    expect(held).to_contain_text("Your comment is awaiting moderation.")
    expect(held).to_contain_text("A first visit, a first word.")

    moderator = browser.new_page()
    log_in(moderator, live_server.url, "moderator")
    moderator.get_by_role("link", name="Moderation").click()
    expect(moderator.get_by_role("link", name="Pending (1)")).to_be_visible()
    row = moderator.locator("tr", has_text="A first visit, a first word.")
    expect(row).to_contain_text("juniper@example.net")
    expect(row).to_contain_text("first-comment")
    row.get_by_role("button", name="Approve").click()
    expect(moderator.get_by_text("1 comment approved.")).to_be_visible()

    stranger = browser.new_page()
    stranger.goto(f"{live_server.url}/posts/{essay}")
    expect(stranger.get_by_text("A first visit, a first word.")).to_be_visible()
    expect(stranger.get_by_text("Your comment is awaiting moderation.")).to_have_count(0)
    for opened in (guest, moderator, stranger):
        opened.close()


def test_the_same_journey_works_without_javascript(browser: Browser, live_server, app, essay):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    thread = make_thread(app, essay, 2, author="Ana")
    log_in(page, live_server.url, "reader")
    page.goto(f"{live_server.url}/posts/{essay}")
    page.get_by_label("Comment", exact=True).fill("Plain forms still work.")
    page.get_by_role("button", name="Post Comment").click()
    new_id = newest_comment_id(app)
    assert page.url.endswith(f"#comment-{new_id}")
    expect(comment_item(page, new_id)).to_contain_text("Plain forms still work.")

    page.get_by_role("link", name="Reply to Ana").nth(1).click()
    assert f"replytocom={thread[1]}" in page.url
    expect(page.locator("#reply-title-text")).to_have_text("Leave a reply to Ana")
    page.get_by_label("Comment", exact=True).fill("A reply, no script needed.")
    page.get_by_role("button", name="Post Comment").click()
    expect(comment_item(page, thread[1]).locator("li.depth-3")).to_contain_text("A reply, no script needed.")

    page.get_by_role("link", name="Reply to Ana").first.click()
    page.get_by_role("link", name="Cancel reply").click()
    expect(page.locator("#reply-title-text")).to_have_text("Leave a Reply")

    body = comment_item(page, thread[0]).locator(":scope > .comment__body")
    body.get_by_role("button", name=re.compile("^Like")).click()
    body = comment_item(page, thread[0]).locator(":scope > .comment__body")
    expect(body.locator(".like-count")).to_have_text("Liked by 1 person")
    body.get_by_role("button", name=re.compile("^Liked")).click()
    expect(comment_item(page, thread[0]).locator(":scope > .comment__body .like-count")).to_have_text("")
    page.locator("#likes").get_by_role("button", name=re.compile("^Like")).click()
    expect(page.locator("#likes .like-count")).to_have_text("Liked by 1 person")

    comment_item(page, thread[0]).locator(":scope > .comment__body").get_by_role("link", name=re.compile("^Report")).click()
    page.get_by_label("It is off-topic").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Thank you. A moderator will look at this comment.")).to_be_visible()
    assert stored(app, Comment, thread[0], "open_report_count") == 1
    context.close()


def test_the_journey_by_keyboard_alone(page: Page, live_server, app, essay):
    thread = make_thread(app, essay, 1, author="Ana")
    page.goto(f"{live_server.url}/auth/login")
    tab_to(page, page.get_by_label("Username or email"))
    page.keyboard.type("reader")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Signed in as reader")).to_be_visible()
    page.goto(f"{live_server.url}/posts/{essay}")

    # The skip link comes first and takes focus to the main content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

    tab_to(page, page.get_by_role("link", name="Reply to Ana"))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Comment", exact=True)).to_be_focused()
    page.keyboard.type("Typed without a mouse.")
    tab_to(page, page.get_by_role("button", name="Post Comment"))
    page.keyboard.press("Enter")
    reply = comment_item(page, thread[0]).locator("li.depth-2")
    expect(reply).to_contain_text("Typed without a mouse.")
    expect(reply.locator(".comment__body")).to_be_focused()

    like = comment_item(page, thread[0]).locator(":scope > .comment__body").get_by_role("button", name=re.compile("^Like"))
    tab_to(page, like)
    with page.expect_response(lambda response: "/likes/comments/" in response.url):
        page.keyboard.press("Space")
    expect(comment_item(page, thread[0]).locator(":scope > .comment__body .like-count")).to_have_text("Liked by 1 person")
    with app.app_context():
        assert stored(app, Comment, thread[0], "like_count") == 1
        assert db.session.scalar(sa.select(Comment.status).where(Comment.id == thread[0])) == CommentStatus.APPROVED
