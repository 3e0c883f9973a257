"""Accounts: sign up (the steps themselves in tests/test_signup.py), log in by name or email, log out by POST, and being sent to log in and back."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Role, User
from community.services.accounts import authenticate, create_account
from tests.conftest import PASSWORD, csrf_token, post_form
from tests.signup_mail import sign_up


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(User.id)))


def register(client, **fields):
    """The first step of signing up: a username and an email (the password comes behind the link)."""
    data = {"username": "newbie", "email": "newbie@example.org"}
    data.update(fields)
    return post_form(client, "/auth/register", data)


def test_register_creates_a_reader_and_logs_in(client, app):
    response = sign_up(client, "newbie")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Signed in as <strong>newbie</strong>" in page
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username_key == "newbie"))
        assert user.role == Role.READER
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"username": "ab"}, "username", "A username is 3 to 30 letters"),
        ({"username": "a" * 31}, "username", "A username is 3 to 30 letters"),
        ({"username": "no spaces"}, "username", "A username is 3 to 30 letters"),
        ({"username": "émile"}, "username", "A username is 3 to 30 letters"),
        ({"email": "not-an-email"}, "email", "That email address is not valid"),
        ({"email": ""}, "email", "Give your email address"),
        ({"username": ""}, "username", "Choose a username"),
    ],
)
def test_bad_registration_shows_the_error_at_the_field_and_saves_nothing(client, app, fields, field_id, message):
    response = register(client, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field_id}-error"' in page and message in page
    assert 'value="newbie@example.org"' in page or "email" in fields  # what was typed is kept
    assert count_users(app) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "short", "confirm": "short"}, "8 to 128 characters"),
        ({"password": "x" * 129, "confirm": "x" * 129}, "8 to 128 characters"),
        ({"confirm": "something else"}, "The two passwords differ"),
    ],
)
def test_a_bad_password_behind_the_link_shows_the_error_at_the_field_and_saves_nothing(client, app, fields, message):
    field_id = "confirm" if "password" not in fields else "password"
    response = sign_up(client, "newbie", password=fields.get("password", PASSWORD), confirm=fields.get("confirm"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field_id}-error"' in page and message in page
    assert count_users(app) == 0


def test_a_taken_username_is_refused_ignoring_case(client, app, users):
    before = count_users(app)
    response = register(client, username="READER")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="username-error"' in page and "That username is taken." in page
    assert 'value="newbie@example.org"' in page
    assert count_users(app) == before


def test_register_without_csrf_token_is_refused(client, app):
    response = client.post("/auth/register", data={"username": "x1x", "email": "x@example.org", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert count_users(app) == 0


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_register_refuses_other_methods_and_makes_no_account(client, app, method):
    data = {"username": "newbie", "email": "newbie@example.org", "password": PASSWORD, "confirm": PASSWORD}
    response = client.open("/auth/register", method=method, data=data)
    assert response.status_code == 405 and {"GET", "POST"} <= set(response.headers["Allow"].split(", "))
    assert "This address does not accept that kind of request." in response.get_data(as_text=True)
    assert count_users(app) == 0


def test_signed_in_visitor_is_sent_away_from_register(client, users, auth):
    auth.login()
    assert client.get("/auth/register").status_code == 302


@pytest.mark.parametrize("login", ["reader", "READER", "reader@example.org", "Reader@Example.ORG"])
def test_login_by_username_or_email_ignoring_case(client, users, auth, login):
    auth.login(login)
    assert "Signed in as <strong>reader</strong>" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(("login", "password"), [("reader", "wrong password"), ("nobody", PASSWORD), ("nobody@example.org", "x" * 10)])
def test_wrong_credentials_get_one_message_that_reveals_nothing(client, users, login, password):
    response = post_form(client, "/auth/login", {"login": login, "password": password})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "That username or email and password do not match an account." in page
    assert f'value="{login}"' in page  # the login is kept, the password is not
    assert "Signed in as" not in page


def test_login_without_csrf_token_is_refused(client, users):
    response = client.post("/auth/login", data={"login": "reader", "password": PASSWORD})
    assert response.status_code == 400
    assert "Signed in as" not in client.get("/").get_data(as_text=True)


def test_remember_me_sets_a_lasting_cookie(client, users, auth):
    response = auth.login(remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "Expires=" in remember[0]


def test_login_without_remember_me_sets_no_remember_cookie(client, users, auth):
    response = auth.login()
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]


def test_logout_by_post_ends_the_session(client, users, auth):
    auth.login()
    response = auth.logout()
    assert response.status_code == 302
    assert "Signed in as" not in client.get("/").get_data(as_text=True)


def test_logout_by_get_is_not_allowed(client, users, auth):
    auth.login()
    assert client.get("/auth/logout").status_code == 405
    assert "Signed in as" in client.get("/").get_data(as_text=True)


def test_logout_without_csrf_token_is_refused(client, users, auth):
    auth.login()
    assert client.post("/auth/logout").status_code == 400
    assert "Signed in as" in client.get("/").get_data(as_text=True)


def test_a_page_that_needs_login_sends_you_there_and_back(client, users, auth):
    response = client.get("/posts/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/posts/new"' in login_page
    back = post_form(client, "/auth/login", {"login": "author", "password": PASSWORD, "next": "/posts/new"})
    assert back.headers["Location"] == "/posts/new"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "http:/evil", "\\\\evil"],
)
def test_login_never_redirects_off_site(client, users, target):
    response = post_form(client, "/auth/login", {"login": "reader", "password": PASSWORD, "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_login_form_drops_an_off_site_next(client):
    page = client.get("/auth/login?next=https://evil.example/").get_data(as_text=True)
    assert "evil.example" not in page


def test_authenticate_upgrades_an_outdated_hash(app, users):
    with app.app_context():
        app.config["PASSWORD_HASH_PARAMS"] = {"time_cost": 2, "memory_cost": 2048, "parallelism": 1}
        user = authenticate("reader", PASSWORD)
        assert user is not None and "t=2" in user.password_hash and "m=2048" in user.password_hash


def test_create_account_refuses_a_taken_name_in_another_case(app, users):
    from community.services import DomainError

    with app.app_context(), pytest.raises(DomainError, match="taken"):
        create_account("ReAdEr", "fresh@example.org", PASSWORD)


def test_every_page_carries_a_csrf_token(client):
    assert len(csrf_token(client, "/auth/login")) > 20
