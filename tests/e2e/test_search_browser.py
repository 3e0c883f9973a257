"""Search in the browser: the header's box on every page, the results page with its marked words,
and axe's verdict on it in both themes."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import serious_violations
from tests.factories import make_comment, make_post


@pytest.fixture
def essay(app, users) -> str:
    slug = make_post(app, title="Walking the Heron Coast", body="The tide came over the salt marsh.")
    make_comment(app, slug, "The marsh smelled of rain.", "reader")
    return slug


def test_searching_from_the_header_finds_marked_posts_and_comments(page: Page, live_server, essay):
    page.goto(f"{live_server.url}/posts/{essay}")
    box = page.get_by_role("search").get_by_label("Search")
    box.fill("marsh")
    box.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/search?q=marsh")
    expect(page.locator(".search__summary")).to_have_text("Results 1–2 for “marsh”, best matches first.")
    expect(page.locator(".search-results mark").first).to_have_text("marsh")
    page.get_by_role("link", name="Comment by reader").click()
    expect(page).to_have_url(f"{live_server.url}/posts/{essay}#comment-1")


@pytest.mark.axe
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_page_has_no_serious_violations(page: Page, live_server, essay, scheme):
    page.emulate_media(color_scheme=scheme)
    for path in ("/search", "/search?q=marsh", "/search?q=zeppelin", "/search?q=" + "y" * 201):
        page.goto(live_server.url + path)
        assert serious_violations(page) == [], path
