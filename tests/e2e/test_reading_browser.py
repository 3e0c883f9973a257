"""How a reader moves through a discussion, in the browser (issue 15): a guest's saved details fill
the form next time, errors clear as they are corrected, Escape cancels a moved reply, the links to
the form and to the discussion, previous and next essays, and the order of the threads."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import comment_item
from tests.e2e.test_accessibility import serious_violations
from tests.factories import make_comment, make_post


def fill_guest_form(page: Page, text: str, name: str = "Wren Ó", email: str = "wren@example.net") -> None:
    page.get_by_label("Comment", exact=True).fill(text)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Email", exact=True).fill(email)


def post_and_wait(page: Page) -> None:
    with page.expect_response(lambda response: response.request.method == "POST" and "/comments" in response.url):
        page.get_by_role("button", name="Post Comment").click()


def test_a_guests_saved_details_fill_the_form_next_time_and_unticking_forgets_them(page: Page, live_server, app, users):
    slug = make_post(app, title="Remembered")
    page.goto(f"{live_server.url}/posts/{slug}")
    save = page.get_by_label("Save my name, email, and website in this browser for the next time I comment.")
    expect(save).not_to_be_checked()
    fill_guest_form(page, "First visit.")
    page.get_by_label("Website", exact=True).fill("https://wren.example/")
    save.check()
    post_and_wait(page)

    page.goto(f"{live_server.url}/posts/{slug}")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Wren Ó")
    expect(page.get_by_label("Email", exact=True)).to_have_value("wren@example.net")
    expect(page.get_by_label("Website", exact=True)).to_have_value("https://wren.example/")
    expect(save).to_be_checked()

    # Another guest on the same (shared, cached) page sees empty fields.
    other = page.context.browser.new_context().new_page()
    other.goto(f"{live_server.url}/posts/{slug}")
    expect(other.get_by_label("Name", exact=True)).to_have_value("")
    other.context.close()

    page.get_by_label("Comment", exact=True).fill("Second visit, forget me.")
    save.uncheck()
    post_and_wait(page)
    page.goto(f"{live_server.url}/posts/{slug}")
    expect(page.get_by_label("Name", exact=True)).to_have_value("")
    expect(save).not_to_be_checked()


def test_without_script_the_save_box_is_not_offered(browser, live_server, app, users):
    slug = make_post(app, title="Plain")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/posts/{slug}")
    expect(page.get_by_label("Name", exact=True)).to_be_visible()
    expect(page.get_by_text("Save my name, email, and website")).to_be_hidden()
    context.close()


def test_an_email_error_clears_once_corrected_and_the_fields_turn_red(page: Page, live_server, app, users):
    slug = make_post(app, title="Corrected")
    page.goto(f"{live_server.url}/posts/{slug}")
    page.get_by_label("Comment", exact=True).fill("Worth saying.")
    email = page.get_by_label("Email", exact=True)
    email.fill("not an address")
    post_and_wait(page)
    name = page.get_by_label("Name", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_attribute("aria-invalid", "true")  # left empty
    error_colour = page.evaluate("getComputedStyle(document.querySelector('.field__error')).color")
    for field in (name, email):
        assert field.evaluate("node => getComputedStyle(node).borderTopColor") == error_colour
    email.fill("wren@example.net")
    expect(email).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email-error")).to_have_count(0)
    assert email.evaluate("node => getComputedStyle(node).borderTopColor") != error_colour
    expect(name).to_have_attribute("aria-invalid", "true")  # untouched, still wrong


def test_escape_cancels_a_moved_reply_and_the_links_lead_to_the_form(page: Page, live_server, app, users):
    slug = make_post(app, title="By Keyboard")
    first = make_comment(app, slug, "Answer me.", "Ana")
    make_comment(app, slug, "Me too.", "Ana")
    page.goto(f"{live_server.url}/posts/{slug}")

    page.locator(".essay__header").get_by_role("link", name="2 comments").click()
    assert page.url.endswith("#comments")

    reply = comment_item(page, first).get_by_role("link", name="Reply to Ana")
    reply.focus()
    page.keyboard.press("Enter")
    box = page.get_by_label("Comment", exact=True)
    expect(box).to_be_focused()
    expect(comment_item(page, first).locator("#respond")).to_have_count(1)
    box.type("half a thought")
    page.keyboard.press("Escape")
    expect(page.locator("#reply-title-text")).to_have_text("Leave a Reply")
    expect(comment_item(page, first).locator("#respond")).to_have_count(0)
    expect(reply).to_be_focused()
    expect(box).to_have_value("half a thought")
    assert page.locator("#comment_parent").input_value() == ""

    # "Leave a comment" takes a moved form home before jumping to it.
    page.keyboard.press("Enter")
    expect(comment_item(page, first).locator("#respond")).to_have_count(1)
    page.get_by_role("link", name="Leave a comment").click()
    assert page.url.endswith("#respond")
    expect(comment_item(page, first).locator("#respond")).to_have_count(0)
    expect(page.locator("#reply-title-text")).to_have_text("Leave a Reply")
    assert serious_violations(page) == []


def test_previous_and_next_essays_lead_on(page: Page, live_server, app, users):
    first = make_post(app, title="The First", days_ago=2)
    second = make_post(app, title="The Second", days_ago=1)
    page.goto(f"{live_server.url}/posts/{first}")
    more = page.get_by_role("navigation", name="More essays")
    expect(more.get_by_role("link", name="The Second")).to_be_visible()
    assert serious_violations(page) == []
    more.get_by_role("link", name="The Second").click()
    expect(page).to_have_url(f"{live_server.url}/posts/{second}")
    expect(page.get_by_role("navigation", name="More essays").get_by_role("link", name="The First")).to_be_visible()


def test_sort_comments_with_and_without_script_and_the_choice_is_kept(browser, live_server, app, users):
    slug = make_post(app, title="Sorted")
    first = make_comment(app, slug, "The first root.", "Ana")
    make_comment(app, slug, "A reply to the first.", "reader", parent_id=first)
    make_comment(app, slug, "The second root.", "Ana")
    for script in (True, False):
        context = browser.new_context(java_script_enabled=script)
        page = context.new_page()
        page.goto(f"{live_server.url}/posts/{slug}")
        roots = page.locator(".comment-list > li > .comment__body .comment__content")
        expect(roots).to_have_text(["The first root.", "The second root."])
        page.get_by_label("Sort comments").select_option(label="Newest first")
        page.get_by_role("button", name="Sort").click()
        expect(roots).to_have_text(["The second root.", "The first root."])
        assert "corder=newest" in page.url and page.url.endswith("#comments")
        expect(page.locator(f"#comment-{first} .children")).to_contain_text("A reply to the first.")  # whole thread
        if script:
            assert serious_violations(page) == []
        page.goto(f"{live_server.url}/posts/{slug}")  # the choice is kept for this reader
        expect(roots).to_have_text(["The second root.", "The first root."])
        expect(page.get_by_label("Sort comments")).to_have_value("newest")
        context.close()


def test_newest_first_a_new_comment_is_inserted_at_the_top(page: Page, live_server, app, users):
    slug = make_post(app, title="Newest On Top")
    make_comment(app, slug, "An older root.", "Ana")
    make_comment(app, slug, "A newer root.", "Ana")
    page.goto(f"{live_server.url}/posts/{slug}?corder=newest")
    fill_guest_form(page, "The newest of all.")
    post_and_wait(page)
    roots = page.locator(".comment-list > li > .comment__body .comment__content")
    expect(roots.first).to_have_text("The newest of all.")
    page.reload()
    expect(roots).to_have_text(["The newest of all.", "A newer root.", "An older root."])
