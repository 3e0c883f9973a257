"""The look of every page, measured where the browser put things: the header on one line for every
role, one grid of left and right edges, the reading face, comment rows that hold together at depth,
dates in the reader's own time zone, and a quiet focus ring on a comment just posted."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import account_menu, log_in, open_account_menu
from community.services.comments import Guest
from tests.factories import like_comment, make_comment, make_post, make_thread

WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
ROLES = ["reader", "author", "moderator", "admin"]


@pytest.fixture
def essay(app, users) -> str:
    app.config["HOLD_FIRST_COMMENT"] = False
    slug = make_post(app, title="A Long Goodbye", body="Letting go of a friend is rarely a single moment. " * 20)
    make_thread(app, slug, 5, author="Ana")
    make_comment(app, slug, "A guest's thought.", author=None, guest=Guest("Juniper", "juniper@example.net"))
    return slug


def box(page: Page, selector: str) -> dict[str, float]:
    return page.locator(selector).first.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, height: r.height}; }")


def line_height(page: Page, selector: str) -> float:
    """The height one line of the element's text takes."""
    return page.locator(selector).first.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e); return r.getClientRects()[0].height; }")


def header_is_one_line(page: Page) -> None:
    """Every item of the header sits on one row: their vertical middles agree, and the header is as
    tall as its tallest item (the site's name) and its padding, no taller."""
    items = page.locator(".site-header__inner > *, .site-nav > *").evaluate_all(
        "items => items.filter(e => e.getClientRects().length).map(e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; })")
    middles = [(top + bottom) / 2 for top, bottom in items]
    assert len(items) >= 3 and max(middles) - min(middles) <= 4, items
    inner = page.locator(".site-header__inner").evaluate(
        "e => { const s = getComputedStyle(e); return e.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom); }")
    assert inner <= max(bottom - top for top, bottom in items) + 1, (inner, items)


@pytest.mark.parametrize("role", ROLES)
def test_the_signed_in_header_is_one_line_at_1280_and_on_a_phone(page: Page, live_server, essay, role):
    if role == "moderator":
        live_server.app.config["HOLD_FIRST_COMMENT"] = True
        make_comment(live_server.app, essay, "Held for a look.", author="other_author")
    log_in(page, live_server.url, role)
    for viewport in (WIDE, PHONE):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/posts/{essay}")
        header_is_one_line(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        if role in ("moderator", "admin"):
            expect(page.locator(".site-header").get_by_role("link", name="Moderation")).to_be_visible()
    if role == "moderator":
        expect(page.get_by_role("link", name="Moderation (1)")).to_be_visible()


def test_the_account_menu_opens_by_keyboard_and_closes_on_escape_and_outside(page: Page, live_server, essay):
    log_in(page, live_server.url, "author")
    menu = account_menu(page)
    summary = menu.locator("summary")
    expect(menu.get_by_role("link", name="Drafts")).to_be_hidden()
    summary.focus()
    page.keyboard.press("Enter")
    expect(menu.get_by_role("link", name="Drafts")).to_be_visible()
    expect(menu).to_contain_text("Signed in as author")
    page.keyboard.press("Escape")
    expect(menu.get_by_role("link", name="Drafts")).to_be_hidden()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    open_account_menu(page)
    page.mouse.click(5, 500)  # somewhere else on the page
    expect(menu.get_by_role("link", name="Drafts")).to_be_hidden()


def test_the_account_menu_works_without_javascript(browser, live_server, essay):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, "reader")
    open_account_menu(page).get_by_role("link", name="Account settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account settings")
    open_account_menu(page).get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    context.close()


@pytest.mark.parametrize("who", [None, "moderator"])
def test_header_essay_discussion_and_footer_share_their_edges(page: Page, live_server, essay, who):
    if who:
        log_in(page, live_server.url, who)
    page.set_viewport_size(WIDE)
    page.goto(f"{live_server.url}/posts/{essay}")
    parts = [".site-header__inner", ".essay", ".essay__body", ".discussion", "#respond", ".site-footer"]
    edges = {part: box(page, part) for part in parts}
    for part in parts:
        assert abs(edges[part]["left"] - edges[".essay"]["left"]) <= 1, (part, edges)
        assert abs(edges[part]["right"] - edges[".essay"]["right"]) <= 1, (part, edges)
    # The header's last item ends at the same right edge.
    assert abs(box(page, ".site-nav")["right"] - edges[".essay"]["right"]) <= 1


def test_moderation_pages_are_wider_but_aligned_with_the_header(page: Page, live_server, essay):
    log_in(page, live_server.url, "moderator")
    page.set_viewport_size(WIDE)
    page.goto(f"{live_server.url}/posts/{essay}")
    essay_width = box(page, ".essay")["right"] - box(page, ".essay")["left"]
    for path in ("/moderation/", "/moderation/log"):
        page.goto(live_server.url + path)
        header, main, footer = box(page, ".site-header__inner"), box(page, ".site-main"), box(page, ".site-footer")
        assert main["right"] - main["left"] > essay_width + 200, path
        for part in (main, footer):
            assert abs(part["left"] - header["left"]) <= 1 and abs(part["right"] - header["right"]) <= 1, path


def test_settings_have_styled_number_inputs_and_checkboxes(page: Page, live_server, essay):
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/moderation/settings")
    number = page.get_by_label("Hold a comment with more links than")
    width = box(page, "#max_links")["right"] - box(page, "#max_links")["left"]
    assert 80 <= width <= 160, width  # room for a few digits, no more
    assert number.evaluate("e => getComputedStyle(e).borderRadius") == "6px"
    checkbox = page.locator("input[type=checkbox]").first
    assert checkbox.evaluate("e => getComputedStyle(e).accentColor") != "auto"
    assert checkbox.evaluate("e => e.getBoundingClientRect().width") >= 20


def test_the_essay_is_set_in_the_sites_own_face_fetched_once_from_the_site(page: Page, live_server, essay):
    fonts: list[tuple[str, int]] = []
    page.on("response", lambda response: fonts.append((response.url, len(response.body())))
            if response.request.resource_type == "font" else None)
    page.goto(f"{live_server.url}/posts/{essay}")
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('1em \"Source Serif 4\"')")
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family.replaceAll('\"', ''))")
    assert "Source Serif 4" in loaded
    urls = [url for url, _ in fonts]
    assert urls and len(urls) == len(set(urls)), urls  # the preloaded face is the stylesheet's: not fetched twice
    assert all(url.startswith(f"{live_server.url}/static/fonts/") and "?v=" in url for url in urls), urls
    assert sum(size for _, size in fonts) <= 80 * 1024


@pytest.mark.parametrize(("viewport", "depth"), [(WIDE, 3), (WIDE, 5), (PHONE, 2), (PHONE, 4)])
def test_a_comments_date_stays_beside_its_avatar(page: Page, live_server, essay, viewport, depth):
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/posts/{essay}")
    heading = f"li.depth-{depth} > .comment__body > .comment__meta"
    avatar, date, name = box(page, f"{heading} > .avatar"), box(page, f"{heading} time"), box(page, f"{heading} .comment__author")
    assert date["left"] >= avatar["right"] and name["left"] >= avatar["right"]
    assert name["top"] < date["top"] < avatar["bottom"], (avatar, name, date)  # the date starts in the avatar's row
    assert date["height"] <= line_height(page, f"{heading} time") + 1  # the date on one line


def test_reply_stands_in_one_place_with_or_without_likes_and_is_no_bolder_than_like(page: Page, live_server, app, essay):
    liked, unliked = make_comment(app, essay, "Liked twice.", "Ana"), make_comment(app, essay, "Liked by nobody.", "Ana")
    like_comment(app, liked, "reader")
    like_comment(app, liked, "author")
    page.set_viewport_size(WIDE)
    page.goto(f"{live_server.url}/posts/{essay}")
    expect(page.locator(f"#comment-{liked} .like-count")).to_have_text("Liked by 2 people")

    def reply_offset(comment_id: int) -> float:
        return box(page, f"#comment-{comment_id} .comment__reply")["left"] - box(page, f"#comment-{comment_id} .comment__body")["left"]

    def weight(selector: str) -> int:
        return int(page.locator(selector).first.evaluate("e => getComputedStyle(e).fontWeight"))

    assert reply_offset(liked) == reply_offset(unliked)
    assert weight(f"#comment-{unliked} .comment__reply") <= weight(f"#comment-{unliked} .like-button")


def test_on_a_phone_a_reply_form_under_a_deep_comment_takes_the_column(page: Page, live_server, essay):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/posts/{essay}")
    page.locator("li.depth-4 > .comment__body .comment__reply").click()
    respond, column = box(page, "#respond"), box(page, ".discussion")
    assert respond["right"] - respond["left"] >= column["right"] - column["left"] - 1, (respond, column)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    cancel = page.get_by_role("link", name="Cancel reply")
    expect(cancel).to_be_visible()
    assert cancel.evaluate("e => e.getClientRects().length") == 1  # "Cancel reply" never breaks


def test_dates_are_in_the_readers_time_zone_with_script_and_say_utc_without(browser, live_server, essay):
    for zone, script in (("Asia/Tokyo", True), ("Asia/Tokyo", False)):
        context = browser.new_context(timezone_id=zone, java_script_enabled=script)
        page = context.new_page()
        page.goto(f"{live_server.url}/posts/{essay}")
        time = page.locator(".comment__meta time").first
        moment = time.get_attribute("datetime")
        assert moment.endswith("+00:00")  # machine-readable, the same for everyone
        if script:
            expected = page.evaluate("""(moment) => new Intl.DateTimeFormat("en-GB", {day: "numeric", month: "long",
                year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "Asia/Tokyo"}).format(new Date(moment))""", moment)
            expect(time).to_contain_text(expected)
            expect(time).to_contain_text("GMT+9")
            assert "UTC" in time.get_attribute("title")
        else:
            expect(time).to_contain_text("UTC")
        context.close()


def test_a_new_comment_keeps_the_focus_with_the_usual_ring_on_its_heading(page: Page, live_server, essay):
    log_in(page, live_server.url, "reader")
    page.goto(f"{live_server.url}/posts/{essay}")
    page.get_by_label("Comment", exact=True).fill("Focus lands here.")
    page.get_by_role("button", name="Post Comment").click()
    article = page.locator("article.comment__body", has_text="Focus lands here.")
    expect(article).to_be_focused()
    assert article.evaluate("e => getComputedStyle(e).outlineStyle") == "none"
    ring = article.locator(".comment__meta").evaluate("e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]")
    assert ring == ["solid", "3px"]


@pytest.mark.axe
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_open_account_menu_on_a_phone_has_no_serious_violations(page: Page, live_server, essay, scheme):
    from tests.e2e.test_accessibility import serious_violations

    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "author")
    page.goto(f"{live_server.url}/posts/{essay}")
    open_account_menu(page)
    expect(page.locator(".account-menu").get_by_role("link", name="Write a post")).to_be_visible()
    assert serious_violations(page) == []
