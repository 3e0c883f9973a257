"""The XSS corpus in a real browser: pages holding every vector (an essay's body, comments, guest
names and websites) loaded in Chromium, as a guest, a reader and a moderator. No dialog may open,
no alert() may run, no request may leave 127.0.0.1 and no page may navigate away."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page

from community.extensions import db
from community.models import Comment
from community.services import DomainError
from community.services.comments import Guest, add_comment, check_guest_name, check_website
from community.services.moderation import Action, moderate_comments
from community.services.posts import BODY_MAX
from community.text import storable
from tests.e2e.helpers import log_in
from tests.factories import make_post, post_by_slug, user_named
from tests.xss import vectors

# Recorded in the page before any of its own script runs: a vector that calls one of these leaves
# a mark even if the dialog never shows.
TRAPS = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = function (...args) { window.__xss.push(name + "(" + args.join(",") + ")"); console.log("xss:" + name); };
}
"""
# Event handlers a vector might carry, fired on everything that shows user text.
FIRE_EVENTS = """
() => {
  const events = ["mouseover", "mouseenter", "focus", "focusin", "pointerover", "animationstart", "toggle", "load", "error"];
  for (const element of document.querySelectorAll(".prose *, .comment__author *, .queue *")) {
    for (const type of events) element.dispatchEvent(new Event(type, {bubbles: true}));
  }
  return window.__xss;
}
"""


@pytest.fixture
def app_settings():
    """Every comment on one page of the discussion."""
    return {"COMMENTS_PER_PAGE": 5_000, "MAX_LINKS": 100}


def _acceptable(check, value: str, fallback):
    try:
        check(value)
    except DomainError:
        return fallback
    return value


@pytest.fixture
def corpus_pages(app, users) -> list[str]:
    """Essays whose bodies hold every vector, and one discussion with each as a reader's comment
    and a guest's (named and linked by it where those fields accept it); a third of the comments
    held for the moderation queue. Returns the essays' slugs, the discussion's first."""
    slugs, body = [make_post(app, title="Every vector, in comments")], ""
    # Given to the services as a request delivers it (community.request_text: NUL as U+FFFD).
    corpus = [storable(vector) for vector in vectors()]
    for vector in corpus:
        if len(body) + len(vector) > BODY_MAX - 10:
            slugs.append(make_post(app, title=f"Every vector, part {len(slugs)}", body=body))
            body = ""
        body += vector + "\n\n"
    slugs.append(make_post(app, title=f"Every vector, part {len(slugs)}", body=body))
    with app.app_context():
        post, reader = post_by_slug(slugs[0]), user_named("reader")
        for vector in corpus:
            body = vector if vector.strip() else "(blank)"
            add_comment(post, body, author=reader)
            guest = Guest(_acceptable(check_guest_name, vector, "Guest"), "guest@example.net",
                          _acceptable(check_website, vector, None))
            add_comment(post, body, guest=guest, ip_address="127.0.0.1")
        ids = db.session.scalars(sa.select(Comment.id).order_by(Comment.id)).all()
        moderate_comments(user_named("moderator"), ids[::3], Action.UNAPPROVE, reason="for the queue")
        db.session.commit()
    return slugs


class Watch:
    """What a page did that a vector could have caused."""

    def __init__(self, page: Page, base: str) -> None:
        self.dialogs: list[str] = []
        self.console: list[str] = []
        self.foreign: list[str] = []
        self.host = urlsplit(base).hostname
        page.add_init_script(TRAPS)
        page.on("dialog", self._dialog)
        page.on("console", lambda message: self.console.append(message.text))
        page.context.route("**/*", self._route)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _route(self, route) -> None:
        url = route.request.url
        if urlsplit(url).hostname != self.host:
            self.foreign.append(url)
            route.abort()  # recorded, and nothing actually leaves the machine
        else:
            route.continue_()

    def visit(self, page: Page, url: str) -> None:
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{url}: {response and response.status}"
        page.wait_for_load_state("load")
        fired = page.evaluate(FIRE_EVENTS)
        assert page.url.split("#")[0] == url, f"{url} navigated to {page.url}"
        assert not fired, f"{url}: {fired[:5]}"
        assert not self.dialogs, f"{url}: dialogs {self.dialogs[:5]}"
        assert not [text for text in self.console if text.startswith("xss:")], f"{url}: {self.console[:5]}"
        assert not self.foreign, f"{url} asked for {self.foreign[:5]}"


def test_pages_holding_every_vector_run_nothing_and_ask_nothing_abroad(browser: Browser, live_server, app, corpus_pages):
    base = live_server.url
    for who in (None, "reader", "moderator"):
        context = browser.new_context()
        page = context.new_page()
        watch = Watch(page, base)
        if who:
            log_in(page, base, who)
        for slug in corpus_pages:
            watch.visit(page, f"{base}/posts/{slug}")
        watch.visit(page, f"{base}/")
        if who == "moderator":
            with app.app_context():
                held = db.session.scalar(sa.select(sa.func.count()).where(Comment.status == "pending"))
            pages = -(-held // 50)  # 50 a page
            for number in range(1, pages + 1):
                watch.visit(page, f"{base}/moderation/?tab=pending&page={number}")
            watch.visit(page, f"{base}/moderation/log")
        context.close()
