"""Steps a person takes in the browser, shared by the journeys."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD


def log_in(page: Page, base: str, name: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("Username or email").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
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
