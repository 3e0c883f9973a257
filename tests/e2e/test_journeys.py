"""Journeys in a real browser: with JavaScript, without it, and by keyboard alone."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from community.extensions import db
from community.models import Comment, CommentStatus, PostLike, Report
from tests.conftest import PASSWORD
from community.services.comments import Guest
from tests.e2e.helpers import (
    account_menu, approve_from_the_queue, comment_as_guest, comment_item, emailed_signup_link, log_in, mark_page, register,
    settles_to, tab_and_press, tab_and_type, tab_to, wait_for_likes_to_land, was_not_reloaded,
)
from tests.factories import make_comment, make_post, make_thread, stored
from tests.signup_mail import mails_logged


@pytest.fixture
def essay(app, users) -> str:
    return make_post(app, title="The Friends We Outgrow", body="An essay about *drift*.\n\nAnd what stays.")


def newest_comment_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(Comment.id)))


def test_reader_registers_comments_replies_likes_and_reports_without_reloads(page: Page, live_server, app, essay):
    base = live_server.url
    thread = make_thread(app, essay, 2, author="Ana")  # depth 1 and 2, by Ana
    register(page, base, "wren")

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
    expect(ana_first.locator(".like-count")).to_have_text("You like this")
    expect(ana_first.get_by_role("button", name=re.compile("^Liked"))).to_have_attribute("aria-pressed", "true")
    ana_first.get_by_role("button", name=re.compile("^Liked")).click()
    expect(ana_first.locator(".like-count")).to_have_text("")
    post_likes = page.locator("#likes")
    post_likes.get_by_role("button", name=re.compile("^Like")).click()
    expect(post_likes.locator(".like-count")).to_have_text("You like this")
    post_likes.get_by_role("button", name=re.compile("^Liked")).click()
    expect(post_likes.locator(".like-count")).to_have_text("")
    expect(post_likes.get_by_role("button", name=re.compile("^Like"))).to_have_attribute("aria-pressed", "false")
    assert was_not_reloaded(page)
    wait_for_likes_to_land(page)
    assert settles_to(lambda: stored(app, Comment, thread[0], "like_count"), 0)

    def post_likes_stored() -> int:
        with app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(PostLike))

    assert settles_to(post_likes_stored, 0)
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


@pytest.mark.parametrize(("presses", "liked"), [(2, False), (3, True)])
def test_quick_presses_of_like_end_where_the_last_press_left_them(page: Page, live_server, app, essay, presses, liked):
    """Pressed again before the server answered: the last press wins, on the page and in the database."""
    comment_id = make_comment(app, essay, "likeable", author="Ana")
    log_in(page, live_server.url, "reader")
    page.goto(f"{live_server.url}/posts/{essay}")
    body = comment_item(page, comment_id).locator(":scope > .comment__body")
    button = body.locator(".like-button")
    button.evaluate("(button, presses) => { for (let i = 0; i < presses; i++) button.click(); }", presses)
    expect(button).to_have_attribute("aria-pressed", "true" if liked else "false")
    expect(body.locator(".like-count")).to_have_text("You like this" if liked else "")
    # The button shows the last press at once; the database follows when its requests land.
    wait_for_likes_to_land(page)
    assert settles_to(lambda: stored(app, Comment, comment_id, "like_count"), int(liked))
    page.reload()
    expect(comment_item(page, comment_id).locator(":scope > .comment__body .like-button")).to_have_attribute(
        "aria-pressed", "true" if liked else "false")


def test_comment_errors_show_at_the_field_and_preview_comes_from_the_server(page: Page, live_server, app, essay):
    page.goto(f"{live_server.url}/posts/{essay}")
    page.get_by_label("Comment", exact=True).fill("**bold** <script>alert(1)</script>")
    page.get_by_role("tab", name="Preview").click()
    preview = page.get_by_role("tabpanel", name="Preview")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview).to_contain_text("<script>alert(1)</script>")  # shown as text, never run
    page.get_by_role("button", name="Post Comment").click()  # a guest without name or email
    expect(page.get_by_role("tab", name="Write")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#name-error")).to_have_text("Please give your name.")
    expect(page.get_by_label("Name", exact=True)).to_be_focused()
    expect(page.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Comment", exact=True)).to_have_value("**bold** <script>alert(1)</script>")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_write_and_preview_are_a_tab_pair_that_arrow_keys_move_between(page: Page, live_server, app, essay):
    log_in(page, live_server.url, "reader")
    page.goto(f"{live_server.url}/posts/{essay}")
    tablist = page.get_by_role("tablist", name="Your comment")
    write, preview = tablist.get_by_role("tab", name="Write"), tablist.get_by_role("tab", name="Preview")
    expect(write).to_have_attribute("aria-selected", "true")
    expect(preview).to_have_attribute("aria-selected", "false")
    expect(page.locator("button[name=preview]")).to_be_hidden()  # the no-script fallback gives way
    page.get_by_label("Comment", exact=True).fill("*soft* words")
    tab_to(page, write)
    page.keyboard.press("ArrowRight")
    expect(preview).to_be_focused()
    expect(preview).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Preview").locator("em")).to_have_text("soft")
    expect(page.get_by_label("Comment", exact=True)).to_be_hidden()
    page.keyboard.press("ArrowLeft")
    expect(write).to_be_focused()
    expect(write).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Write").get_by_label("Comment", exact=True)).to_have_value("*soft* words")
    page.keyboard.press("End")
    expect(preview).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Home")
    expect(write).to_have_attribute("aria-selected", "true")
    # Only the chosen tab is a Tab stop.
    expect(write).to_have_attribute("tabindex", "0")
    expect(preview).to_have_attribute("tabindex", "-1")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator(".comment-list em")).to_have_text("soft")


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
    comment_as_guest(guest, live_server.url, essay, "A first visit, a first word.")
    held = guest.locator(".comment__body--held")
    expect(held).to_contain_text("Your comment is awaiting moderation.")
    expect(held).to_contain_text("A first visit, a first word.")

    moderator = browser.new_page()
    approve_from_the_queue(moderator, live_server.url, "A first visit, a first word.")

    stranger = browser.new_page()
    stranger.goto(f"{live_server.url}/posts/{essay}")
    expect(stranger.get_by_text("A first visit, a first word.")).to_be_visible()
    expect(stranger.get_by_text("Your comment is awaiting moderation.")).to_have_count(0)
    for opened in (guest, moderator, stranger):
        opened.close()


def test_the_same_journey_works_without_javascript(browser: Browser, live_server, app, essay):
    thread = make_thread(app, essay, 2, author="moderator")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    register(page, live_server.url, "wren")
    page.goto(f"{live_server.url}/posts/{essay}")

    # Preview is a plain button: the page comes back with the server's HTML and the text kept.
    page.get_by_label("Comment", exact=True).fill("Plain forms **still** work.")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#comment-preview strong")).to_have_text("still")
    expect(page.get_by_label("Comment", exact=True)).to_have_value("Plain forms **still** work.")
    page.get_by_role("button", name="Post Comment").click()
    new_id = newest_comment_id(app)
    assert page.url.endswith(f"#comment-{new_id}")
    expect(comment_item(page, new_id)).to_contain_text("Plain forms still work.")

    page.get_by_role("link", name="Reply to moderator").nth(1).click()
    assert f"replytocom={thread[1]}" in page.url
    expect(page.locator("#reply-title-text")).to_have_text("Leave a reply to moderator")
    page.get_by_label("Comment", exact=True).fill("A reply, no script needed.")
    page.get_by_role("button", name="Post Comment").click()
    expect(comment_item(page, thread[1]).locator("li.depth-3")).to_contain_text("A reply, no script needed.")

    page.get_by_role("link", name="Reply to moderator").first.click()
    page.get_by_role("link", name="Cancel reply").click()
    expect(page.locator("#reply-title-text")).to_have_text("Leave a Reply")

    body = comment_item(page, thread[0]).locator(":scope > .comment__body")
    body.get_by_role("button", name=re.compile("^Like")).click()
    body = comment_item(page, thread[0]).locator(":scope > .comment__body")
    expect(body.locator(".like-count")).to_have_text("You like this")
    body.get_by_role("button", name=re.compile("^Liked")).click()
    expect(comment_item(page, thread[0]).locator(":scope > .comment__body .like-count")).to_have_text("")
    page.locator("#likes").get_by_role("button", name=re.compile("^Like")).click()
    expect(page.locator("#likes .like-count")).to_have_text("You like this")
    page.locator("#likes").get_by_role("button", name=re.compile("^Liked")).click()
    expect(page.locator("#likes .like-count")).to_have_text("")

    comment_item(page, thread[0]).locator(":scope > .comment__body").get_by_role("link", name=re.compile("^Report")).click()
    page.get_by_label("It is off-topic").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Thank you. A moderator will look at this comment.")).to_be_visible()
    assert stored(app, Comment, thread[0], "open_report_count") == 1
    context.close()

    # A guest's first comment is held, and a moderator approves it from the queue: still no script.
    app.config["HOLD_FIRST_COMMENT"] = True
    guest_context = browser.new_context(java_script_enabled=False)
    guest = guest_context.new_page()
    comment_as_guest(guest, live_server.url, essay, "A first visit, without scripts.")
    expect(guest.locator(".flash")).to_contain_text("Your comment is awaiting moderation.")
    held = guest.locator(".comment__body--held")
    expect(held).to_contain_text("A first visit, without scripts.")

    moderator_context = browser.new_context(java_script_enabled=False)
    approve_from_the_queue(moderator_context.new_page(), live_server.url, "A first visit, without scripts.")
    guest.reload()
    expect(guest.get_by_text("A first visit, without scripts.")).to_be_visible()
    expect(guest.locator(".comment__body--held")).to_have_count(0)
    guest_context.close()
    moderator_context.close()


def test_the_journey_by_keyboard_alone(page: Page, live_server, app, essay):
    thread = make_thread(app, essay, 1, author="moderator")
    app.config["HOLD_FIRST_COMMENT"] = True  # the guests' first comments wait for a moderator
    held = [make_comment(app, essay, f"Held guest words {n}.", author=None,
                         guest=Guest(f"Guest {n}", f"guest{n}@example.net")) for n in (1, 2)]
    app.config["HOLD_FIRST_COMMENT"] = False
    base = live_server.url

    # Register: a username and an email, then a password behind the emailed link.
    with mails_logged() as mails:
        page.goto(f"{base}/auth/register")
        tab_and_type(page, page.get_by_label("Username"), "wren")
        tab_and_type(page, page.get_by_label("Email", exact=True), "wren@example.org")
        page.keyboard.press("Enter")
        expect(page.get_by_text("we sent a link to wren@example.org")).to_be_visible()
    page.goto(f"{base}{emailed_signup_link(mails)}")
    tab_and_type(page, page.get_by_label("Password", exact=True), PASSWORD)
    tab_and_type(page, page.get_by_label("Repeat password"), PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Welcome, wren!")).to_be_visible()
    page.goto(f"{base}/posts/{essay}")

    # The skip link comes first and takes focus to the main content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

    # Comment.
    tab_and_type(page, page.get_by_label("Comment", exact=True), "Typed without a mouse.")
    tab_and_press(page, page.get_by_role("button", name="Post Comment"))
    mine = page.locator(".comment-list > li", has_text="Typed without a mouse.")
    expect(mine.locator(".comment__body")).to_be_focused()

    # Reply.
    tab_and_press(page, page.get_by_role("link", name="Reply to moderator"))
    expect(page.get_by_label("Comment", exact=True)).to_be_focused()
    page.keyboard.type("A reply, by keyboard.")
    tab_and_press(page, page.get_by_role("button", name="Post Comment"))
    reply = comment_item(page, thread[0]).locator("li.depth-2")
    expect(reply).to_contain_text("A reply, by keyboard.")
    expect(reply.locator(".comment__body")).to_be_focused()

    # Reply, then cancel: the form goes back and the focus returns to the Reply link.
    reply_link = page.get_by_role("link", name="Reply to moderator")
    tab_and_press(page, reply_link)
    expect(page.get_by_label("Comment", exact=True)).to_be_focused()
    tab_and_press(page, page.get_by_role("link", name="Cancel reply"))
    expect(page.locator("#reply-title-text")).to_have_text("Leave a Reply")
    expect(reply_link).to_be_focused()

    # Like, then unlike.
    body = comment_item(page, thread[0]).locator(":scope > .comment__body")
    tab_to(page, body.get_by_role("button", name=re.compile("^Like")))
    with page.expect_response(lambda response: "/likes/comments/" in response.url):
        page.keyboard.press("Space")
    expect(body.locator(".like-count")).to_have_text("You like this")
    expect(body.get_by_role("button", name=re.compile("^Liked"))).to_be_focused()
    with page.expect_response(lambda response: "/likes/comments/" in response.url):
        page.keyboard.press("Space")
    expect(body.locator(".like-count")).to_have_text("")
    assert stored(app, Comment, thread[0], "like_count") == 0

    # Report: the radio group is one Tab stop; arrow keys choose within it.
    tab_and_press(page, body.get_by_role("link", name=re.compile("^Report")))
    tab_and_press(page, page.get_by_label("It is spam or advertising"), "Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("It is off-topic")).to_be_checked()
    tab_and_press(page, page.get_by_role("button", name="Send report"))
    expect(page.get_by_text("Thank you. A moderator will look at this comment.")).to_be_visible()
    with app.app_context():
        assert db.session.scalar(sa.select(Report.reason)) == "off-topic"
    tab_and_press(page, account_menu(page).locator("summary"))  # the account menu opens by keyboard
    tab_and_press(page, page.get_by_role("button", name="Log out"))
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    # A moderator selects both held comments in the queue and approves them at once.
    page.goto(f"{base}/auth/login")
    tab_and_type(page, page.get_by_label("Username or email"), "moderator")
    tab_and_type(page, page.get_by_label("Password"), PASSWORD)
    page.keyboard.press("Enter")
    expect(account_menu(page)).to_contain_text("moderator")
    tab_and_press(page, page.get_by_role("link", name="Moderation"))
    expect(page.get_by_role("link", name="Pending (2)")).to_be_visible()
    for comment_id in held:
        checkbox = page.locator(f"#select-{comment_id}")
        tab_and_press(page, checkbox, "Space")
        expect(checkbox).to_be_checked()
    tab_and_press(page, page.locator(".bulk-actions").get_by_role("button", name="Approve", exact=True))
    expect(page.get_by_text("2 comments approved.")).to_be_visible()
    assert [stored(app, Comment, comment_id, "status") for comment_id in held] == [CommentStatus.APPROVED] * 2
