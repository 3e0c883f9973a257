"""People pages and account settings in the browser: a name in a comment leads to the person's page;
the settings page changes the display name; axe's verdict on both pages in both themes."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import log_in, open_account_menu
from tests.e2e.test_accessibility import serious_violations
from tests.factories import make_comment, make_post


@pytest.fixture
def essay(app, users) -> str:
    slug = make_post(app, title="Walking the Heron Coast", body="The tide came over the salt marsh.")
    make_comment(app, slug, "The marsh smelled of rain.", "Ana")
    return slug


def test_a_name_in_a_comment_leads_to_the_persons_page(page: Page, live_server, essay):
    page.goto(f"{live_server.url}/posts/{essay}")
    page.locator(".comment__author").get_by_role("link", name="Ana").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana")
    expect(page.get_by_text("The marsh smelled of rain.")).to_be_visible()


def test_changing_the_display_name_in_settings(page: Page, live_server, essay):
    log_in(page, live_server.url, "Ana")
    open_account_menu(page).get_by_role("link", name="Account settings").click()
    page.get_by_label("Display name").fill("Ana Lindqvist")
    page.get_by_label("About you").fill("I walk *coasts*.")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    page.get_by_role("link", name="See your public page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Lindqvist")
    expect(page.locator(".person__bio em")).to_have_text("coasts")
    page.goto(f"{live_server.url}/posts/{essay}")
    expect(page.locator(".comment__author")).to_have_text("Ana Lindqvist")


@pytest.mark.axe
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_people_and_settings_pages_have_no_serious_violations(page: Page, live_server, essay, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live_server.url}/people/Ana")
    assert serious_violations(page) == [], "people page"
    page.goto(f"{live_server.url}/account/email/confirm/not-a-token")
    assert serious_violations(page) == [], "bad confirmation link"
    log_in(page, live_server.url, "Ana")
    page.goto(f"{live_server.url}/account")
    assert serious_violations(page) == [], "settings"
    page.get_by_label("Display name").fill("x" * 61)
    page.get_by_role("button", name="Save profile").click()
    assert serious_violations(page) == [], "settings with an error"
