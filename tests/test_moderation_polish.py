"""What moderators stumbled on (issue 15, item 12): the pending count in the header, a bulk bar of
only the actions that apply to the tab, the log linking to its comments, spam's links as words."""

from __future__ import annotations

import re

import pytest

from community.services.moderation import Action
from tests.factories import make_comment, make_post
from tests.test_moderation_pages import held_comment, moderate


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="Tidewater")


def bulk_buttons(page: str) -> list[str]:
    bar = re.search(r'<fieldset class="bulk-actions">(.*?)</fieldset>', page, re.S).group(1)
    return re.findall(r'name="action" value="([a-z-]+)"', bar)


def test_moderators_see_how_many_comments_wait_in_the_header(client, app, slug, auth):
    auth.login("moderator")
    assert re.search(r'href="/moderation/">Moderation</a>', client.get("/").get_data(as_text=True))
    held_comment(app, slug, "one", "reader")
    held_comment(app, slug, "two", "Ana")
    assert 'href="/moderation/">Moderation (2)</a>' in client.get("/").get_data(as_text=True)


def test_readers_see_no_moderation_link(client, app, slug, auth):
    held_comment(app, slug, "one", "Ana")
    auth.login("reader")
    assert "Moderation" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("tab, offered", [
    ("pending", ["approve", "spam", "trash"]),
    ("reported", ["unapprove", "spam", "trash"]),
    ("spam", ["approve", "trash", "restore"]),
    ("trash", ["approve", "spam", "restore"]),
])
def test_the_bulk_bar_offers_only_what_applies_to_the_tab(client, app, slug, auth, tab, offered):
    comment = held_comment(app, slug, "something to act on", "reader")
    if tab in ("spam", "trash"):
        moderate(app, comment, Action.SPAM if tab == "spam" else Action.TRASH)
    if tab == "reported":
        moderate(app, comment, Action.APPROVE)
        from tests.test_moderation_pages import report

        report(app, comment, "Ana")
    auth.login("moderator")
    assert bulk_buttons(client.get(f"/moderation/?tab={tab}").get_data(as_text=True)) == offered


def test_the_log_links_to_the_comment_it_is_about(client, app, slug, auth):
    approved = make_comment(app, slug, "fine words", "reader")
    spam = make_comment(app, slug, "buy now", "Ana")
    moderate(app, approved, Action.UNAPPROVE)
    moderate(app, approved, Action.APPROVE)
    moderate(app, spam, Action.SPAM)
    auth.login("moderator")
    page = client.get("/moderation/log").get_data(as_text=True)
    assert f'<a href="/comments/{approved}">comment #{approved}: “fine words”</a>' in page
    assert f'<a href="/moderation/?tab=spam#queue-{spam}">comment #{spam}: “buy now”</a>' in page


def test_links_in_spam_are_shown_as_words_not_links(client, app, slug, auth):
    spam = make_comment(app, slug, "Buy [cheap pills](https://spam.example/pills) at https://bare.example", "Ana")
    moderate(app, spam, Action.SPAM)
    auth.login("moderator")
    page = client.get("/moderation/?tab=spam").get_data(as_text=True)
    row = re.search(rf'<tr id="queue-{spam}">(.*?)</tr>', page, re.S).group(1)
    assert "cheap pills (https://spam.example/pills)" in row and "https://bare.example" in row
    assert 'href="https://spam.example' not in row and 'href="https://bare.example' not in row
