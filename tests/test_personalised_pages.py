"""Informational findings: a session that signs in gets a new CSRF secret, and pages made for one
reader say Cache-Control: private, no-store besides Vary: Cookie."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, csrf_token, post_form
from tests.factories import make_post


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="Private Pages")


def test_signing_in_rotates_the_csrf_secret(client, users):
    before = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"csrf_token": before, "login": "reader", "password": PASSWORD})
    assert response.status_code == 302
    assert client.post("/auth/logout", data={"csrf_token": before}).status_code == 400  # the old token is dead
    assert post_form(client, "/auth/logout").status_code == 302  # a new page's token works


@pytest.mark.parametrize("signed_in", [False, True])
def test_pages_with_a_token_or_an_account_are_private_and_not_stored(client, auth, slug, signed_in):
    if signed_in:
        auth.login("reader")
    for path in ("/", f"/posts/{slug}", f"/posts/{slug}", "/auth/password/forgot"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-store", path
        assert "Cookie" in response.headers.get("Vary", ""), path


def test_shared_assets_stay_cacheable(client, auth, users):
    auth.login("reader")
    page = client.get("/").get_data(as_text=True)
    avatar = re.search(r'src="(/avatars/[0-9a-f]+\.svg)"', page)
    stylesheet = re.search(r'href="(/static/[^"]+\.css[^"]*)"', page).group(1)
    assert "private" not in client.get(stylesheet).headers.get("Cache-Control", "")
    if avatar:
        assert client.get(avatar.group(1)).headers["Cache-Control"].startswith("public")
