"""Ids a database cannot hold, or digits int() refuses, get a clear 404 or 400, never a 500: in
addresses (the bounded <int:...> converter), in forms and in query strings (community.routing)."""

from __future__ import annotations

import html
import re

import pytest

from community.models import Comment, LogEntry
from community.routing import MAX_ID, parse_id
from tests.conftest import post_form
from tests.factories import count_rows, make_comment, make_post

NOT_FOUND = "There is nothing at this address."
# Just past PostgreSQL's 32-bit integer (2**31; a DataError there, not on SQLite), 18 digits, 2**63
# and far beyond, zero, a superscript two (int() refuses it), an Arabic-Indic three (int() takes it,
# but no link of ours writes it), and a negative number.
BAD_IDS = ["2147483648", "999999999999999999", "9223372036854775808", "99999999999999999999999999", "0",
           "%C2%B2", "%D9%A3", "-1"]

# Every route with an id in its address, and the method that reaches it.
ID_ROUTES = [
    ("GET", "/comments/{id}"),
    ("GET", "/comments/{id}/edit"),
    ("POST", "/comments/{id}/edit"),
    ("GET", "/comments/{id}/delete"),
    ("POST", "/comments/{id}/delete"),
    ("GET", "/comments/{id}/report"),
    ("POST", "/comments/{id}/report"),
    ("POST", "/likes/posts/{id}"),
    ("POST", "/likes/comments/{id}"),
    ("GET", "/moderation/accounts/{id}"),
    ("POST", "/moderation/accounts/{id}/suspend"),
    ("POST", "/moderation/accounts/{id}/unsuspend"),
    ("POST", "/moderation/accounts/{id}/role"),
    ("POST", "/moderation/log/{id}/undo"),
    ("POST", "/moderation/comments/{id}/dismiss-reports"),
    ("GET", "/moderation/comments/{id}/edit"),
    ("POST", "/moderation/comments/{id}/edit"),
]


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="Old Friends")


def flashes(page: str) -> list[str]:
    return [html.unescape(message) for message in re.findall(r'<p class="flash flash--\w+">(.*?)</p>', page)]


def test_parse_id_takes_plain_ascii_digits_within_the_id_columns_only():
    assert MAX_ID == 2**31 - 1  # the id columns are `integer`: 32 bits signed on PostgreSQL
    assert parse_id("42") == 42 and parse_id(str(MAX_ID)) == MAX_ID
    assert parse_id(str(MAX_ID + 1)) is None and parse_id("999999999999999999") is None
    assert [parse_id(raw) for raw in ("", "0", "-1", "+1", " 1", "1.0", "²", "٣", str(MAX_ID + 1), None)] == [None] * 10


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize(("method", "route"), ID_ROUTES)
def test_an_id_out_of_range_is_a_clear_404(client, app, slug, auth, method, route, bad_id):
    auth.login("admin")
    url = route.format(id=bad_id)
    response = client.get(url) if method == "GET" else post_form(client, url, {"body": "x", "reason": "spam"})
    assert response.status_code == 404
    assert NOT_FOUND in response.get_data(as_text=True)
    assert count_rows(app, LogEntry) == 0


@pytest.mark.parametrize(("method", "route"), ID_ROUTES)
def test_the_largest_id_is_looked_up_and_simply_not_found(client, app, slug, auth, method, route):
    auth.login("admin")
    url = route.format(id=MAX_ID)
    response = client.get(url) if method == "GET" else post_form(client, url, {"body": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize("bad_id", ["2147483648", "9223372036854775808"])
def test_a_script_gets_the_404_as_json(client, slug, auth, bad_id):
    auth.login("reader")
    response = post_form(client, f"/likes/comments/{bad_id}", {"liked": "1"}, headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.get_json()["error"] == NOT_FOUND


@pytest.mark.parametrize("selection", [["²"], ["2147483648"], ["9223372036854775808"], ["-3"], ["x"]])
def test_a_garbled_selection_in_the_queue_is_a_clear_400_and_changes_nothing(client, app, slug, auth, selection):
    kept = make_comment(app, slug, "Still approved.")
    auth.login("moderator")
    response = post_form(client, "/moderation/comments", {"action": "trash", "comment_ids": [str(kept), *selection]})
    assert response.status_code == 400
    assert "The selection names something that is not a comment" in response.get_data(as_text=True)
    assert count_rows(app, LogEntry) == 0
    from tests.factories import stored

    assert stored(app, Comment, kept, "status") == "approved"


@pytest.mark.parametrize("raw", ["2147483648", "9999999999", "9223372036854775808", "%C2%B2", "0"])
def test_replying_to_an_impossible_comment_offers_the_plain_form(client, slug, raw):
    response = client.get(f"/posts/{slug}?replytocom={raw}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The comment you wanted to reply to is not available any more" in page
    assert "Leave a Reply" in page


@pytest.mark.parametrize("parent_id", ["2147483648", "9999999999", "999999999999999999", "9223372036854775808", "²", "abc"])
def test_a_comment_form_with_an_impossible_parent_is_refused_and_keeps_the_text(client, app, slug, auth, parent_id):
    auth.login("reader")
    response = post_form(client, f"/posts/{slug}/comments", {"body": "My words stay.", "parent_id": parent_id})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "That reply target is not valid." in page
    assert "My words stay.</textarea>" in page
    assert count_rows(app, Comment) == 0
    response = post_form(client, f"/posts/{slug}/comments", {"body": "My words stay.", "parent_id": parent_id},
                         headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert response.get_json()["errors"]["parent_id"] == ["That reply target is not valid."]


@pytest.mark.parametrize("path", ["/moderation/", "/moderation/log", "/moderation/accounts"])
@pytest.mark.parametrize("page", ["9223372036854775807", "99999999999999999999", "%C2%B2", "0", "-2"])
def test_a_page_number_no_database_can_reach_is_a_clear_404(client, slug, auth, path, page):
    auth.login("moderator")
    response = client.get(f"{path}?page={page}")
    assert response.status_code == 404
    assert "There is no such page." in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/moderation/", "/moderation/log", "/moderation/accounts"])
def test_the_first_page_is_the_default_and_page_one_is_the_same(client, slug, auth, path):
    auth.login("moderator")
    assert client.get(path).status_code == 200
    assert client.get(f"{path}?page=1").status_code == 200
