"""Passwords: what a new one may not be, hashes upgraded on login, changing one while signed in,
and resetting a forgotten one by an emailed link that works once and expires within an hour."""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from unittest import mock

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from community import create_app, mail
from community.extensions import db
from community.models import User
from community.services import DomainError
from community.services.passwords import (
    LIKE_YOUR_NAME, LINK_EXPIRED, LINK_INVALID, LINK_USED, NOT_CURRENT, RESET_SALT, SAME_AS_BEFORE, TOO_COMMON,
    check_new_password, common_passwords, reset_token,
)
from tests.conftest import PASSWORD, AuthActions, post_form
from tests.factories import count_rows, stored, user_named
from tests.signup_mail import sign_up

NEW_PASSWORD = "a longer and newer secret"
SIGNED_IN = "Signed in as <strong>reader</strong>"
RESET_LINK = re.compile(r"(https?://[^/\s]+)(/auth/password/reset/[A-Za-z0-9_.\-]+)")


def logs_in(app, login: str, password: str) -> bool:
    client = app.test_client()
    response = post_form(client, "/auth/login", {"login": login, "password": password})
    return response.status_code == 302


def password_hash(app, username: str = "reader") -> str:
    with app.app_context():
        return user_named(username).password_hash


def session_version(app, username: str = "reader") -> int:
    with app.app_context():
        return user_named(username).session_version


def error_at(response, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    assert match, f"no error at {field}"
    return match.group(1)


# --- what a new password may not be -----------------------------------------------------------------

def test_the_shipped_list_holds_the_ten_thousand_most_common_passwords():
    passwords = common_passwords()
    assert len(passwords) == 10_000
    assert {"password", "12345678", "iloveyou", "trustno1", "football"} <= passwords
    assert not any(entry.startswith("#") for entry in passwords)  # the notes at its top are not passwords


@pytest.mark.parametrize("password", ["password", "PASSWORD", "Password1", "  qwertyuiop  ", "BaseBall"])
def test_a_common_password_is_refused_whatever_its_case(app, password):
    with app.app_context(), pytest.raises(DomainError, match="10,000 most common"):
        check_new_password(password, "someone", "someone@example.org")


@pytest.mark.parametrize("password", ["Nightingale_7", "nightingale_7@example.org", "NIGHTINGALE_7@EXAMPLE.ORG"])
def test_a_password_equal_to_the_username_or_email_is_refused(app, password):
    with app.app_context(), pytest.raises(DomainError) as refusal:
        check_new_password(password, "Nightingale_7", "nightingale_7@example.org")
    assert refusal.value.message == LIKE_YOUR_NAME and refusal.value.field == "password"


def test_an_uncommon_password_of_the_right_length_passes(app):
    with app.app_context():
        assert check_new_password(NEW_PASSWORD, "reader", "reader@example.org") == NEW_PASSWORD


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "Password1", "confirm": "Password1"}, TOO_COMMON),
        ({"password": "newbie@example.org", "confirm": "newbie@example.org"}, LIKE_YOUR_NAME),
        ({"username": "longusername", "password": "LongUserName", "confirm": "LongUserName"}, LIKE_YOUR_NAME),
    ],
)
def test_registration_refuses_a_weak_password_at_its_field(client, app, fields, message):
    data = {"username": "newbie", "email": "newbie@example.org", **fields}
    response = sign_up(client, data["username"], data["email"], password=data["password"])
    assert response.status_code == 422
    assert error_at(response, "password") == message
    assert data["username"] in response.get_data(as_text=True)  # whose account it is stays in view
    assert count_rows(app, User) == 0


def test_create_user_refuses_a_common_password(app, runner):
    result = runner.invoke(args=["create-user", "boss", "--email", "boss@example.org", "--password-stdin"],
                           input="iloveyou1\n")
    assert result.exit_code != 0 and "10,000 most common" in result.output
    assert count_rows(app, User) == 0


# --- hashes upgraded on login ---------------------------------------------------------------------------

def test_logging_in_upgrades_a_hash_made_with_old_parameters(app, users):
    before = password_hash(app)
    app.config["PASSWORD_HASH_PARAMS"] = {"time_cost": 2, "memory_cost": 2048, "parallelism": 1}
    assert logs_in(app, "reader", PASSWORD)
    after = password_hash(app)
    assert after != before and "m=2048,t=2,p=1" in after and "m=1024,t=1,p=1" in before
    assert logs_in(app, "reader", PASSWORD)  # the new hash opens the account
    assert password_hash(app) == after  # and is not rewritten again


def test_logging_in_with_current_parameters_leaves_the_hash_alone(app, users):
    before = password_hash(app)
    assert logs_in(app, "reader", PASSWORD)
    assert password_hash(app) == before


def test_a_wrong_password_never_upgrades_the_hash(app, users):
    before = password_hash(app)
    app.config["PASSWORD_HASH_PARAMS"] = {"time_cost": 2, "memory_cost": 2048, "parallelism": 1}
    assert not logs_in(app, "reader", "not the password")
    assert password_hash(app) == before


# --- changing the password -------------------------------------------------------------------------------

def change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None, **extra):
    return post_form(client, "/auth/password", {"current_password": current, "password": new,
                                                "confirm": new if confirm is None else confirm, **extra})


def test_the_page_asks_for_the_current_password_and_the_new_one_twice(client, users, auth):
    auth.login()
    response = client.get("/auth/password")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for label in ("Current password", "New password", "Repeat the new password"):
        assert f">{label}</label>" in page
    assert 'autocomplete="current-password"' in page and 'autocomplete="new-password"' in page


def test_signed_in_readers_find_the_page_from_the_header(client, users, auth):
    """The header's account menu links to the settings page, which holds the password form."""
    auth.login()
    assert 'href="/account">Account settings</a>' in client.get("/").get_data(as_text=True)
    assert 'action="/auth/password"' in client.get("/account").get_data(as_text=True)


def test_changing_the_password(client, app, users, auth):
    auth.login()
    response = change(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Your password is changed." in client.get("/").get_data(as_text=True)
    assert logs_in(app, "reader", NEW_PASSWORD) and not logs_in(app, "reader", PASSWORD)
    assert session_version(app) == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_signed_out_visitors_are_sent_to_log_in(client, app, users, method):
    before = password_hash(app)
    if method == "get":
        response = client.get("/auth/password")
    else:
        response = change(client)
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login?next=")
    assert password_hash(app) == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"current": "not my password"}, "current_password", NOT_CURRENT),
        ({"confirm": "a different new secret"}, "confirm", "The two passwords differ."),
        ({"new": "iloveyou1"}, "password", TOO_COMMON),
        ({"new": "reader@example.org"}, "password", LIKE_YOUR_NAME),
        ({"new": PASSWORD}, "password", SAME_AS_BEFORE),
        ({"new": "short"}, "password", "A password is 8 to 128 characters long."),
        ({"new": "x" * 129}, "password", "A password is 8 to 128 characters long."),
        ({"current": ""}, "current_password", "Give your current password."),
    ],
)
def test_a_refused_change_says_why_at_the_field_and_changes_nothing(client, app, users, auth, fields, field, message):
    auth.login()
    before = password_hash(app)
    response = change(client, **fields)
    assert response.status_code == 422
    assert error_at(response, field) == message
    assert 'value="' + NEW_PASSWORD not in response.get_data(as_text=True)  # passwords are never printed back
    assert password_hash(app) == before and session_version(app) == 0
    assert SIGNED_IN in client.get("/").get_data(as_text=True)


def test_a_change_without_the_csrf_token_is_refused(client, app, users, auth):
    auth.login()
    before = password_hash(app)
    response = client.post("/auth/password", data={"current_password": PASSWORD, "password": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD})
    assert response.status_code == 400 and "This form has expired" in response.get_data(as_text=True)
    assert password_hash(app) == before


def test_opening_the_page_changes_nothing(client, app, users, auth):
    auth.login()
    before = (password_hash(app), session_version(app))
    client.get(f"/auth/password?current_password={PASSWORD}&password={NEW_PASSWORD}&confirm={NEW_PASSWORD}")
    assert (password_hash(app), session_version(app)) == before


# --- asking for a reset link ------------------------------------------------------------------------

@pytest.fixture
def mail_log(caplog):
    caplog.set_level(logging.WARNING, logger="community")
    return caplog


def emails(mail_log) -> list[str]:
    return [record.getMessage() for record in mail_log.records if "this email was not sent" in record.getMessage()]


def reset_links(mail_log) -> list[str]:
    return [match.group(2) for text in emails(mail_log) for match in RESET_LINK.finditer(text)]


def forgot(client, login: str, **kwargs):
    return post_form(client, "/auth/password/forgot", {"login": login}, **kwargs)


def test_the_login_page_links_to_the_reset(client):
    assert 'href="/auth/password/forgot">Forgot your password?</a>' in client.get("/auth/login").get_data(as_text=True)


@pytest.mark.parametrize("login", ["reader", "READER", "reader@example.org", "Reader@Example.ORG"])
def test_asking_by_username_or_email_mails_a_link_to_the_account(client, users, mail_log, login):
    response = forgot(client, login)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    [email] = emails(mail_log)
    assert "To: reader@example.org" in email and "Subject: Choose a new password for Community" in email
    assert "within 60 minutes" in email and "Hello reader," in email
    assert len(reset_links(mail_log)) == 1


def flashed_answer(client) -> str:
    page = client.get("/auth/login").get_data(as_text=True)
    return re.search(r'<div class="flashes".*?</div>', page, re.DOTALL).group(0)


def test_the_answer_is_the_same_whether_or_not_an_account_matches(app, users, mail_log):
    known, unknown = app.test_client(), app.test_client()
    first, second = forgot(known, "reader"), forgot(unknown, "nobody@example.org")
    assert (first.status_code, first.headers["Location"]) == (second.status_code, second.headers["Location"])
    answer = flashed_answer(known)
    assert answer == flashed_answer(unknown)
    assert "If that is the username or email of an account, we have sent" in answer
    assert len(emails(mail_log)) == 1  # only the real account got mail


def test_a_request_without_the_csrf_token_sends_nothing(client, users, mail_log):
    response = client.post("/auth/password/forgot", data={"login": "reader"})
    assert response.status_code == 400 and emails(mail_log) == []


def test_opening_the_form_sends_nothing(client, users, mail_log):
    response = client.get("/auth/password/forgot?login=reader")
    assert response.status_code == 200 and ">Username or email</label>" in response.get_data(as_text=True)
    assert emails(mail_log) == []


def test_an_empty_request_gets_an_error_at_the_field(client, users, mail_log):
    response = forgot(client, "")
    assert response.status_code == 422 and error_at(response, "login") == "Give your username or email."
    assert emails(mail_log) == []


def test_links_use_the_site_address_never_the_host_a_stranger_sent(app, users, mail_log):
    app.config["SITE_URL"] = "https://community.example"
    client = app.test_client()
    page = client.get("/auth/password/forgot", base_url="http://evil.example").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post("/auth/password/forgot", data={"csrf_token": token, "login": "reader"},
                           base_url="http://evil.example")
    assert response.status_code == 302
    [email] = emails(mail_log)
    [match] = RESET_LINK.finditer(email)
    assert match.group(1) == "https://community.example" and "evil.example" not in email


def test_without_a_site_address_links_use_the_configured_development_address(app, client, users, mail_log):
    forgot(client, "reader")
    [match] = RESET_LINK.finditer(emails(mail_log)[0])
    assert match.group(1) == app.config["LOCAL_URL"]


def test_without_a_site_address_a_forged_host_and_scheme_are_ignored(app, users, mail_log):
    """The attack: Host and X-Forwarded-Proto chosen by whoever asks for someone else's link."""
    client = app.test_client()
    forged = {"base_url": "http://attacker.example:8443", "headers": {"X-Forwarded-Proto": "https",
                                                                      "X-Forwarded-Host": "attacker.example"}}
    page = client.get("/auth/password/forgot", **forged).get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    client.post("/auth/password/forgot", data={"csrf_token": token, "login": "reader"}, **forged)
    [email] = emails(mail_log)
    assert RESET_LINK.search(email).group(1) == app.config["LOCAL_URL"] and "attacker" not in email


def test_the_development_address_follows_host_and_port(monkeypatch):
    from community.config import settings_from_environment

    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    assert settings_from_environment(Path("/nonexistent"))["LOCAL_URL"] == "http://127.0.0.1:5000"  # make run's
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "8000")
    assert settings_from_environment(Path("/nonexistent"))["LOCAL_URL"] == "http://0.0.0.0:8000"


def test_a_mail_server_without_a_site_address_refuses_to_start():
    with pytest.raises(RuntimeError, match="MAIL_SERVER is set but SITE_URL is not"):
        create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://", "MAIL_SERVER": "smtp.example"})
    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://", "MAIL_SERVER": "smtp.example",
                      "SITE_URL": "https://community.example"})
    assert app.config["MAIL_SERVER"] == "smtp.example"


class FakeSMTP:
    """Stands in for smtplib.SMTP and records what the site asked of it."""

    sent: list = []
    calls: list = []

    def __init__(self, host, port, timeout=None):
        self.calls.append(("connect", host, port))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context=None):
        self.calls.append(("starttls",))

    def login(self, username, password):
        self.calls.append(("login", username, password))

    def send_message(self, message):
        self.sent.append(message)


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.sent, FakeSMTP.calls = [], []
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.example", MAIL_PORT=587, MAIL_USE_TLS=True, MAIL_USERNAME="site",
                      MAIL_PASSWORD="smtp secret", MAIL_FROM="Community <hello@community.example>",
                      MAIL_IN_BACKGROUND=False)
    return FakeSMTP


def test_with_an_smtp_server_the_link_is_mailed(client, users, smtp, mail_log):
    forgot(client, "reader")
    assert smtp.calls == [("connect", "smtp.example", 587), ("starttls",), ("login", "site", "smtp secret")]
    [message] = smtp.sent
    assert message["To"] == "reader@example.org" and message["From"] == "Community <hello@community.example>"
    assert RESET_LINK.search(message.get_content())
    assert emails(mail_log) == []  # sent, so not written to the log


def test_mail_can_go_out_in_the_background(app, smtp):
    app.config["MAIL_IN_BACKGROUND"] = True
    with app.test_request_context():
        thread = mail.send_mail("ana@example.org", "Hello", "A word.")
    thread.join(timeout=30)
    assert [message["To"] for message in smtp.sent] == ["ana@example.org"]


def test_a_failing_smtp_server_is_logged_and_the_answer_stays_the_same(client, users, smtp, mail_log, monkeypatch):
    def refuse(self, message):
        raise OSError("connection reset")

    monkeypatch.setattr(FakeSMTP, "send_message", refuse)
    response = forgot(client, "reader")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert any("Could not send the email" in record.getMessage() for record in mail_log.records)


# --- using the link ------------------------------------------------------------------------------------

def link_for(app, username: str = "reader", age: int = 0) -> str:
    """A reset link as the site mails it; `age` seconds old."""
    with app.app_context():
        user = user_named(username)
        if not age:
            return f"/auth/password/reset/{reset_token(user)}"
        with mock.patch.object(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - age):
            return f"/auth/password/reset/{reset_token(user)}"


def reset(client, link: str, new: str = NEW_PASSWORD, confirm: str | None = None):
    return post_form(client, link, {"password": new, "confirm": new if confirm is None else confirm})


def test_the_emailed_link_lets_the_account_choose_a_new_password(client, app, users, mail_log):
    forgot(client, "reader")
    [link] = reset_links(mail_log)
    page = client.get(link)
    assert page.status_code == 200 and "For the account <strong>reader</strong>" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    response = reset(client, link)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert "Your password is changed, and every session of your account has ended." in client.get("/auth/login").get_data(as_text=True)
    assert logs_in(app, "reader", NEW_PASSWORD) and not logs_in(app, "reader", PASSWORD)


def test_a_reset_ends_every_session_of_the_account(client, app, users, auth):
    auth.login(remember="y")
    stranger = app.test_client()
    link = link_for(app)
    assert reset(stranger, link).status_code == 302
    assert SIGNED_IN not in client.get("/").get_data(as_text=True)
    assert session_version(app) == 1


def test_resetting_while_signed_in_as_the_account_signs_this_browser_out_too(client, app, users, auth):
    auth.login()
    response = reset(client, link_for(app))
    assert response.status_code == 302
    page = client.get("/auth/login").get_data(as_text=True)
    assert SIGNED_IN not in page and "Log in with the new password." in page


def test_a_link_works_only_once(client, app, users):
    link = link_for(app)
    assert reset(client, link).status_code == 302
    for response in (client.get(link), reset(client, link, "yet another fine secret")):
        assert response.status_code == 400 and LINK_USED in response.get_data(as_text=True)
    assert logs_in(app, "reader", NEW_PASSWORD)


def test_a_link_stops_working_when_the_password_changes_another_way(client, app, users, auth):
    link = link_for(app)
    auth.login()
    change(client)
    assert client.get(link).status_code == 400 and LINK_USED in client.get(link).get_data(as_text=True)


def test_a_link_still_works_just_inside_the_hour(client, app, users):
    assert client.get(link_for(app, age=3500)).status_code == 200


def test_an_expired_link_is_refused_and_changes_nothing(client, app, users):
    link = link_for(app, age=3601)
    before = password_hash(app)
    for response in (client.get(link), reset(client, link)):
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and LINK_EXPIRED in page
        assert 'href="/auth/password/forgot"' in page  # a way to ask for a new one
    assert password_hash(app) == before


def tampered(link: str) -> list[str]:
    token = link.rsplit("/", 1)[1]
    payload, timestamp, signature = token.split(".")
    flip = {"A": "B", "B": "A"}
    other_char = lambda text, i: text[:i] + flip.get(text[i], "A") + text[i + 1:]  # noqa: E731
    return [
        f"/auth/password/reset/{other_char(payload, 3)}.{timestamp}.{signature}",
        f"/auth/password/reset/{payload}.{other_char(timestamp, 2)}.{signature}",
        f"/auth/password/reset/{payload}.{timestamp}.{other_char(signature, 5)}",
        f"/auth/password/reset/{payload}.{timestamp}",
        "/auth/password/reset/not-a-token",
    ]


def test_a_tampered_link_is_refused_and_changes_nothing(client, app, users):
    before = password_hash(app)
    for link in tampered(link_for(app)):
        for response in (client.get(link), reset(client, link)):
            assert response.status_code == 400, link
            assert LINK_INVALID in response.get_data(as_text=True) or LINK_EXPIRED in response.get_data(as_text=True)
    assert password_hash(app) == before


def test_a_link_signed_with_another_key_or_for_another_purpose_is_refused(client, app, users):
    with app.app_context():
        user = user_named("reader")
        state = {"user": user.id, "state": "whatever"}
        foreign = URLSafeTimedSerializer("another site's key", salt=RESET_SALT).dumps(state)
        other_purpose = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="something else").dumps(state)
    for token in (foreign, other_purpose):
        assert LINK_INVALID in client.get(f"/auth/password/reset/{token}").get_data(as_text=True)


def test_a_link_to_a_deleted_account_is_refused(client, app, users):
    link = link_for(app)
    with app.app_context():
        db.session.delete(db.session.get(User, users.reader.id))
        db.session.commit()
    response = client.get(link)
    assert response.status_code == 400 and LINK_INVALID in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("new", "confirm", "field", "message"),
    [
        ("iloveyou1", None, "password", TOO_COMMON),
        ("reader@example.org", None, "password", LIKE_YOUR_NAME),
        (NEW_PASSWORD, "something else entirely", "confirm", "The two passwords differ."),
        ("short", None, "password", "A password is 8 to 128 characters long."),
    ],
)
def test_a_refused_new_password_says_why_and_the_link_keeps_working(client, app, users, new, confirm, field, message):
    link = link_for(app)
    before = password_hash(app)
    response = reset(client, link, new, confirm)
    assert response.status_code == 422 and error_at(response, field) == message
    assert password_hash(app) == before
    assert reset(client, link).status_code == 302  # the link was not spent


def test_a_reset_without_the_csrf_token_is_refused(client, app, users):
    link = link_for(app)
    before = password_hash(app)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400 and "This form has expired" in response.get_data(as_text=True)
    assert password_hash(app) == before


def test_opening_the_link_changes_nothing(client, app, users):
    link = link_for(app)
    before = (password_hash(app), session_version(app))
    for _ in range(3):
        assert client.get(link).status_code == 200
    assert (password_hash(app), session_version(app)) == before
    assert reset(client, link).status_code == 302  # and it still works


def test_a_reset_link_is_bound_to_its_account(client, app, users):
    link = link_for(app, "Ana")
    assert reset(client, link).status_code == 302
    assert logs_in(app, "Ana", NEW_PASSWORD) and logs_in(app, "reader", PASSWORD)
    assert stored(app, User, users.reader.id, "session_version") == 0


def test_a_link_opened_where_another_account_is_signed_in_leaves_that_one_signed_in(client, app, users):
    AuthActions(client).login("Ana")
    assert reset(client, link_for(app, "reader")).status_code == 302
    assert "Signed in as <strong>Ana</strong>" in client.get("/").get_data(as_text=True)
    assert logs_in(app, "reader", NEW_PASSWORD)
