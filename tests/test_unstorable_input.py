"""Input no field expects never becomes a 500, on SQLite or PostgreSQL (which refuses NUL in text):
a JSON body where a form belongs is refused before any form reads it, and NUL in a form or a query
string arrives as U+FFFD."""

from __future__ import annotations

import pytest

from community.models import Comment, User
from tests.conftest import PASSWORD, csrf_token
from tests.factories import count_rows, make_post

FORMS_ONLY = "Send this as a form (application/x-www-form-urlencoded or multipart/form-data), as the site's pages do."


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="Old Friends")


def json_post(client, path: str, body: object):
    """A script sending JSON with a valid CSRF token in its header, as the page's script sends it."""
    return client.post(path, json=body, headers={"X-CSRFToken": csrf_token(client), "Accept": "application/json"})


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/auth/login", {"login": "reader\x00", "password": PASSWORD}),
        ("/auth/login", {"login": 5, "password": ["x"]}),
        ("/auth/register", {"username": "wren", "email": "wren\x00@example.org", "password": PASSWORD, "confirm": PASSWORD}),
        ("/posts/{slug}/comments", {"body": "before\x00after", "name": "Wren", "email": "wren@example.org"}),
        ("/posts/{slug}/comments", {"body": "hi", "name": "Wr\x00en", "email": "wren@example.org"}),
        ("/posts/{slug}/comments", {"body": 7, "name": {"first": "Wren"}, "email": "wren@example.org"}),
        ("/posts/{slug}/comments", [1, 2]),
        ("/comments/preview", {"body": "x\x00"}),
    ],
)
def test_a_json_body_where_a_form_belongs_is_a_clear_415_and_saves_nothing(client, app, slug, path, body):
    users_before = count_rows(app, User)
    response = json_post(client, path.format(slug=slug), body)
    assert response.status_code == 415
    assert response.get_json() == {"error": FORMS_ONLY, "status": 415}
    assert count_rows(app, Comment) == 0 and count_rows(app, User) == users_before


def test_a_json_body_without_the_csrf_token_is_still_a_csrf_refusal(client, slug):
    response = client.post(f"/posts/{slug}/comments", json={"body": "hi"}, headers={"Accept": "application/json"})
    assert response.status_code == 400 and "This form has expired" in response.get_json()["error"]


def test_the_same_fields_as_a_form_still_work(client, app, slug):
    token = csrf_token(client)
    response = client.post(f"/posts/{slug}/comments", headers={"Accept": "application/json"},
                           data={"csrf_token": token, "body": "As a form.", "name": "Wren", "email": "wren@example.org"})
    assert response.status_code == 201 and response.get_json()["status"] == "approved"
    assert count_rows(app, Comment) == 1


# NUL in a form field or a query string becomes U+FFFD before any view reads it (community.request_text);
# tests/test_properties.py drives every form with it. These are the places no form field names.

def test_nul_in_a_field_no_form_has_is_ignored_and_the_comment_posted(client, app, slug):
    token = csrf_token(client)
    response = client.post(f"/posts/{slug}/comments", data={
        "csrf_token": token, "body": "Plain words.", "name": "Wren", "email": "wren@example.org",
        "surprise\x00": "value\x00", "parent_id\x00": "1",
    })
    assert response.status_code == 302 and "#comment-" in response.headers["Location"]
    assert count_rows(app, Comment) == 1


def test_nul_in_a_guest_name_is_stored_as_a_replacement_character(client, app, slug):
    token = csrf_token(client)
    response = client.post(f"/posts/{slug}/comments",
                           data={"csrf_token": token, "body": "hi", "name": "Wr\x00en", "email": "wren@example.org"})
    assert response.status_code == 302
    assert "Wr\ufffden" in client.get(f"/posts/{slug}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "status"),
    [("/?page=%00", 404), ("/posts/{slug}?cpage=%00", 200), ("/posts/{slug}/threads?cpage=%00", 200),
     ("/auth/login?next=%00", 200), ("/auth/register?next=/%00", 200), ("/posts/{slug}/comments/count?x=%00", 200)],
)
def test_nul_in_a_query_string_of_a_public_page_is_no_500(client, slug, path, status):
    assert client.get(path.format(slug=slug)).status_code == status


def test_nul_in_replytocom_offers_the_plain_form(client, slug):
    response = client.get(f"/posts/{slug}?replytocom=1%00")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "not available any more" in page and "Leave a Reply" in page


def test_nul_in_a_login_form_is_the_one_wrong_credentials_answer(client, users):
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"csrf_token": token, "login": "reader\x00", "password": PASSWORD})
    assert response.status_code == 422
    assert "reader\ufffd" in response.get_data(as_text=True)  # what was typed, as it arrived
