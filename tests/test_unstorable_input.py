"""Input no field expects never becomes a 500, on SQLite or PostgreSQL (which refuses NUL in text):
a JSON body where a form belongs is refused before any form reads it."""

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
