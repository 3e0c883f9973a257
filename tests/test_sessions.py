"""Sessions end everywhere: the account's session version, carried by every session and remember-me
cookie, is checked on every request; logging out and changing a password move it."""

from __future__ import annotations

import re

import pytest
from flask_login.utils import encode_cookie

from community.extensions import db
from community.models import User
from community.security import SESSION_ENDED
from community.services.sessions import account_for_login_id, end_all_sessions
from tests.conftest import PASSWORD, AuthActions, post_form
from tests.factories import make_post, post_by_slug, stored, user_named

NEW_PASSWORD = "a longer and newer secret"
SIGNED_IN = "Signed in as <strong>reader</strong>"


def home(client) -> str:
    return client.get("/").get_data(as_text=True)


@pytest.fixture
def second_device(app):
    """The same person's other browser."""
    client = app.test_client()
    return client, AuthActions(client)


def change_password(client, current=PASSWORD, new=NEW_PASSWORD):
    return post_form(client, "/auth/password", {"current_password": current, "password": new, "confirm": new})


def test_the_session_carries_the_account_and_its_version(client, app, users, auth):
    auth.login()
    with client.session_transaction() as session:
        assert session["_user_id"] == f"{users.reader.id}:0"


def test_logging_out_ends_every_session_of_the_account(client, app, users, auth, second_device):
    other, other_auth = second_device
    auth.login()
    other_auth.login(remember="y")
    response = auth.logout()
    assert response.status_code == 302
    page = home(client)
    assert "You are logged out, here and on every other device" in page and SIGNED_IN not in page
    # The other browser is signed out on its next request, session and remember-me cookie alike.
    page = home(other)
    assert SIGNED_IN not in page and SESSION_ENDED in page
    assert other.get_cookie("remember_token") is None
    assert SIGNED_IN not in home(other)
    assert stored(app, User, users.reader.id, "session_version") == 1


def test_logging_out_leaves_other_accounts_signed_in(client, app, users, auth, second_device):
    other, other_auth = second_device
    auth.login("reader")
    other_auth.login("Ana")
    auth.logout()
    assert "Signed in as <strong>Ana</strong>" in home(other)


def test_a_remember_me_cookie_alone_is_refused_after_logout_elsewhere(client, app, users, auth, second_device):
    other, other_auth = second_device
    other_auth.login(remember="y")
    cookie = other.get_cookie("remember_token").value
    auth.login()
    auth.logout()
    browser = app.test_client()  # the browser restarted: its session is gone, the cookie stays
    browser.set_cookie("remember_token", cookie)
    page = home(browser)
    assert SIGNED_IN not in page and SESSION_ENDED in page
    assert browser.get_cookie("remember_token") is None  # deleted, so it is not tried again


def test_a_remember_me_cookie_still_signs_in_while_the_version_holds(client, app, users, auth):
    auth.login(remember="y")
    browser = app.test_client()
    browser.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert SIGNED_IN in home(browser)


def test_changing_the_password_keeps_this_session_and_ends_the_others(client, app, users, auth, second_device):
    other, other_auth = second_device
    auth.login(remember="y")
    other_auth.login(remember="y")
    response = change_password(client)
    assert response.status_code == 302
    page = home(client)
    assert SIGNED_IN in page and "You are still signed in here; every other session" in page
    assert SIGNED_IN not in home(other)
    # This browser's remember-me cookie was issued again with the new version: it still works alone.
    browser = app.test_client()
    browser.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert SIGNED_IN in home(browser)


@pytest.mark.parametrize("stale", ["{id}", "{id}:", ":0", "{id}:x", "{id}:0:0", "abc", "{id}:-1", "²:0", "{id}:٠"])
def test_an_old_or_mangled_session_id_is_signed_out_gracefully(client, app, users, stale):
    with client.session_transaction() as session:
        session["_user_id"] = stale.format(id=users.reader.id)
        session["_fresh"] = True
    response = client.get("/")
    assert response.status_code == 200
    assert SIGNED_IN not in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session


@pytest.mark.parametrize("stale", ["{id}", "{id}:7", "junk"])
def test_an_old_or_mangled_remember_cookie_is_refused_gracefully(client, app, users, stale):
    with app.app_context():  # signed with the app's key, as a cookie from before versions was
        client.set_cookie("remember_token", encode_cookie(stale.format(id=users.reader.id)))
    response = client.get("/")
    assert response.status_code == 200 and SIGNED_IN not in response.get_data(as_text=True)
    assert client.get_cookie("remember_token") is None


def test_a_forged_remember_cookie_is_ignored(client, users):
    client.set_cookie("remember_token", f"{users.reader.id}:0|not-the-signature")
    assert SIGNED_IN not in home(client)


def test_a_session_of_a_deleted_account_ends(client, app, users, auth):
    auth.login()
    with app.app_context():
        db.session.delete(db.session.get(User, users.reader.id))
        db.session.commit()
    response = client.get("/")
    assert response.status_code == 200 and SIGNED_IN not in response.get_data(as_text=True)


def test_an_ended_session_cannot_act(client, app, users, auth, second_device):
    """Checked on every request, JSON endpoints included: the other browser cannot like or post."""
    slug = make_post(app)
    with app.app_context():
        post_id = post_by_slug(slug).id
    other, other_auth = second_device
    other_auth.login()
    token_page = other.get("/").get_data(as_text=True)
    auth.login()
    auth.logout()
    token = re.search(r'name="csrf-token" content="([^"]+)"', token_page).group(1)
    response = other.post(f"/likes/posts/{post_id}", data={"csrf_token": token, "liked": "1"},
                          headers={"Accept": "application/json"})
    assert response.status_code == 401 and response.get_json()["error"] == "Please log in to like."
    with app.app_context():
        assert post_by_slug(slug).like_count == 0


def test_logout_without_csrf_changes_nothing(client, app, users, auth):
    auth.login()
    assert client.post("/auth/logout").status_code == 400
    assert SIGNED_IN in home(client)
    assert stored(app, User, users.reader.id, "session_version") == 0


def test_ending_sessions_counts_in_sql(app, users):
    with app.app_context():
        first, second = db.session.get(User, users.reader.id), db.session.get(User, users.reader.id)
        end_all_sessions(first)
        end_all_sessions(second)
        db.session.commit()
        assert first.session_version == 2
        assert account_for_login_id(f"{users.reader.id}:1") is None
        assert account_for_login_id(f"{users.reader.id}:2") == user_named("reader")
