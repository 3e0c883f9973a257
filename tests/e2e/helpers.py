"""Steps a person takes in the browser, shared by the journeys."""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD
from tests.signup_mail import mails_logged, signup_links


def log_in(page: Page, base: str, name: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("Username or email").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(account_menu(page)).to_contain_text(name)


def register(page: Page, base: str, name: str, password: str = PASSWORD) -> None:
    """Sign up as a person does: the form, then the link in the email (written to the app's log,
    the live server running in this process), then a password."""
    with mails_logged() as mails:
        page.goto(f"{base}/auth/register")
        page.get_by_label("Username").fill(name)
        page.get_by_label("Email", exact=True).fill(f"{name}@example.org")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_text(f"we sent a link to {name}@example.org")).to_be_visible()
    choose_password(page, base, emailed_signup_link(mails), name, password)


def emailed_signup_link(mails: list[str]) -> str:
    """The path of the one sign-up link these emails hold."""
    [link] = signup_links(mails)
    return link


def choose_password(page: Page, base: str, link: str, name: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}{link}")
    expect(page.get_by_role("heading", name="Choose a password")).to_be_visible()
    expect(page.get_by_text(f"{name}@example.org")).to_be_visible()
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(f"Welcome, {name}! Your account is ready.")).to_be_visible()


def comment_as_guest(page: Page, base: str, slug: str, text: str) -> None:
    page.goto(f"{base}/posts/{slug}")
    page.get_by_label("Comment", exact=True).fill(text)
    page.get_by_label("Name", exact=True).fill("Juniper")
    page.get_by_label("Email", exact=True).fill("juniper@example.net")
    page.get_by_role("button", name="Post Comment").click()


def approve_from_the_queue(page: Page, base: str, text: str) -> None:
    """A moderator finds the held comment in the queue, with who wrote it and why it waits, and approves it."""
    log_in(page, base, "moderator")
    page.get_by_role("link", name="Moderation").click()
    expect(page.get_by_role("link", name="Pending (1)")).to_be_visible()
    row = page.locator("tr", has_text=text)
    expect(row).to_contain_text("juniper@example.net")
    expect(row).to_contain_text("first-comment")
    row.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("1 comment approved.")).to_be_visible()


def account_menu(page: Page) -> Locator:
    """The header's account menu (a <details>): its summary shows the signed-in name."""
    return page.locator("header details.account-menu")


def open_account_menu(page: Page) -> Locator:
    menu = account_menu(page)
    if not menu.evaluate("menu => menu.open"):
        menu.locator("summary").click()
    return menu


def log_out(page: Page) -> None:
    open_account_menu(page).get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def comment_item(page: Page, comment_id: int) -> Locator:
    return page.locator(f"#comment-{comment_id}")


def mark_page(page: Page) -> None:
    """Leave a mark in the page's window; a reload would wipe it."""
    page.evaluate("window.__notReloaded = true")


def was_not_reloaded(page: Page) -> bool:
    return page.evaluate("window.__notReloaded === true")


def tab_to(page: Page, target: Locator, limit: int = 250) -> None:
    """Press Tab until the target has the focus, as a keyboard user would."""
    handle = target.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("element => document.activeElement === element", handle):
            return
    raise AssertionError(f"Tab never reached {target}")


def tab_and_press(page: Page, target: Locator, key: str = "Enter") -> None:
    """Tab to the target, then press a key on it."""
    tab_to(page, target)
    page.keyboard.press(key)


def tab_and_type(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def settles_to(read: Callable[[], object], expected: object, within: float = 30.0) -> bool:
    """Whether `read()` comes to equal `expected`. The page shows a Like at once and its request
    finishes later, so a test reads the database until the request has landed, however slow the
    machine (a generous bound, never a measure of speed)."""
    deadline = time.monotonic() + within
    while (value := read()) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return value == expected


def wait_for_likes_to_land(page: Page) -> None:
    """Waits until no Like is on its way: a like form is `aria-busy` from its press until the server
    holds what its button shows (the database alone cannot tell, when it starts where it ends)."""
    expect(page.locator(".like-form[aria-busy=true]")).to_have_count(0, timeout=30_000)
