"""What a newcomer stumbled on, in the browser: without script a refused comment opens at the form
with its errors summed up and linked to their fields; Register brings one back to the post."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORD
from tests.e2e.helpers import choose_password, emailed_signup_link
from tests.e2e.test_accessibility import serious_violations
from tests.factories import make_comment, make_post
from tests.signup_mail import mails_logged


def test_without_script_a_refused_comment_opens_at_the_form_with_a_summary(browser: Browser, live_server, app, users):
    slug = make_post(app, title="Long Essay", body="\n\n".join(["A paragraph of the essay."] * 80))
    for number in range(12):
        make_comment(app, slug, f"Comment number {number}.", "Ana")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}/posts/{slug}")
    page.get_by_label("Name", exact=True).fill("Wren")
    page.get_by_label("Email", exact=True).fill("not an address")
    page.get_by_role("button", name="Post Comment").click()
    assert page.url.endswith("#respond")
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_in_viewport()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Wren")
    summary.get_by_role("link", name="That email address is not valid.").click()
    assert page.url.endswith("#email")
    context.close()


def test_error_summary_has_no_serious_violations(page: Page, live_server, app, users):
    slug = make_post(app, title="Short")
    page.goto(f"{live_server.url}/posts/{slug}")
    # Submit the plain form as a browser without script would (the page's script sends JSON instead).
    page.evaluate("HTMLFormElement.prototype.submit.call(document.getElementById('commentform'))")
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_be_visible()
    assert serious_violations(page) == []


def test_register_from_a_post_comes_back_to_it(page: Page, live_server, app, users):
    slug = make_post(app, title="Worth Joining")
    page.goto(f"{live_server.url}/posts/{slug}")
    with mails_logged() as mails:
        page.get_by_role("link", name="Register").click()
        page.get_by_label("Username").fill("newcomer")
        page.get_by_label("Email", exact=True).fill("newcomer@example.org")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_text("Check your inbox: we sent a link to newcomer@example.org")).to_be_visible()
    choose_password(page, live_server.url, emailed_signup_link(mails), "newcomer")  # the link carries where to
    expect(page).to_have_url(f"{live_server.url}/posts/{slug}")
    expect(page.get_by_text("Welcome, newcomer!")).to_be_visible()


def test_a_guests_like_is_explained_then_applied_after_logging_in(page: Page, live_server, app, users):
    slug = make_post(app, title="Likeable")
    comment_id = make_comment(app, slug, "Worth a like.", "Ana")
    page.goto(f"{live_server.url}/posts/{slug}")
    page.locator(f"#comment-{comment_id} .like-button").click()
    expect(page.get_by_text("Log in to like this comment")).to_be_visible()
    page.get_by_label("Username or email").fill("reader")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert page.url.endswith(f"/posts/{slug}#comment-{comment_id}")
    expect(page.locator(f"#comment-{comment_id} .like-button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#comment-{comment_id} .like-count")).to_have_text("You like this")
