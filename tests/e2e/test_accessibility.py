"""axe-core finds no serious or critical violation on the pages people use most, in both themes;
screenshots of the post page at two widths and in both themes go to tests/artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AXE_JS
from tests.e2e.helpers import emailed_signup_link, log_in
from tests.factories import like_comment, make_post, make_thread
from tests.signup_mail import mails_logged

pytestmark = pytest.mark.axe


@pytest.fixture
def deep_essay(app, users) -> str:
    slug = make_post(app, title="A Long Goodbye", body="Paragraph one, with a [link](https://example.org).\n\n> A quote.\n\n- a list\n- of things")
    for _ in range(3):
        chain = make_thread(app, slug, 5, author="Ana")
        like_comment(app, chain[0], "reader")
    return slug


def serious_violations(page: Page) -> list[str]:
    # Evaluated through the DevTools protocol: the site's Content-Security-Policy (rightly) refuses
    # the inline <script> that add_script_tag would insert.
    page.evaluate(AXE_JS.read_text() + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — {[node['target'] for node in violation['nodes']][:3]}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_public_pages_have_no_serious_violations(page: Page, live_server, deep_essay, scheme):
    page.emulate_media(color_scheme=scheme)
    for path in ("/", f"/posts/{deep_essay}", f"/posts/{deep_essay}?replytocom=1#respond", "/auth/login", "/auth/register",
                 "/auth/password/forgot"):
        page.goto(live_server.url + path)
        assert serious_violations(page) == [], path


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_moderation_pages_have_no_serious_violations(page: Page, live_server, app, deep_essay, scheme):
    app.config["HOLD_FIRST_COMMENT"] = True
    from tests.factories import make_comment

    make_comment(app, deep_essay, "held for review", author="other_author")
    page.emulate_media(color_scheme=scheme)
    log_in(page, live_server.url, "admin")
    for path in ("/moderation/", "/moderation/settings", "/moderation/log", f"/posts/{deep_essay}"):
        page.goto(live_server.url + path)
        assert serious_violations(page) == [], path


def test_form_errors_page_has_no_serious_violations(page: Page, live_server, deep_essay):
    page.goto(f"{live_server.url}/auth/register")
    page.get_by_role("button", name="Create account").click()
    assert serious_violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_sign_up_steps_have_no_serious_violations(page: Page, live_server, scheme):
    """The "check your inbox" page, the emailed link's password form (with an error at a field), and
    a link that no longer works."""
    page.emulate_media(color_scheme=scheme)
    with mails_logged() as mails:
        page.goto(f"{live_server.url}/auth/register")
        page.get_by_label("Username").fill("newcomer")
        page.get_by_label("Email", exact=True).fill("newcomer@example.org")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    assert serious_violations(page) == [], "check your inbox"
    page.goto(live_server.url + emailed_signup_link(mails))
    assert serious_violations(page) == [], "choose a password"
    page.get_by_label("Password", exact=True).fill("password123")
    page.get_by_label("Repeat password").fill("password123")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#password-error")).to_be_visible()
    assert serious_violations(page) == [], "choose a password, refused"
    page.goto(f"{live_server.url}/auth/register/confirm/not-a-token")
    expect(page.get_by_text("This link is not valid")).to_be_visible()
    assert serious_violations(page) == [], "a bad link"


def test_post_page_screenshots(page: Page, live_server, deep_essay, artifacts):
    for width, height in ((1280, 900), (375, 812)):
        page.set_viewport_size({"width": width, "height": height})
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.goto(f"{live_server.url}/posts/{deep_essay}")
            target = artifacts / f"post-{width}-{scheme}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 10_000
            # Nothing is wider than the screen: no sideways scrolling on a phone.
            assert page.evaluate("document.documentElement.scrollWidth") <= width
