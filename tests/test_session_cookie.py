"""The session cookie: Flask's signed format, with a serializer kept per key."""

from __future__ import annotations

from community import create_app
from tests.conftest import PASSWORD, post_form, test_config


def signed_in_cookie(app) -> str:
    client = app.test_client()
    post_form(client, "/auth/login", {"login": "reader", "password": PASSWORD})
    return client.get_cookie("session").value


def page_for(app, cookie: str) -> str:
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client.get("/").get_data(as_text=True)


def test_a_rotated_secret_key_keeps_people_signed_in_through_its_fallback(app, users, migrated_database):
    cookie = signed_in_cookie(app)
    rotated = create_app(test_config(migrated_database, SECRET_KEY="the new key",
                                     SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]]))
    assert "Signed in as <strong>reader</strong>" in page_for(rotated, cookie)


def test_a_cookie_signed_with_another_key_is_not_trusted(app, users, migrated_database):
    cookie = signed_in_cookie(app)
    stranger = create_app(test_config(migrated_database, SECRET_KEY="somebody else's key"))
    page = page_for(stranger, cookie)
    assert "Signed in as" not in page and "Log in" in page
