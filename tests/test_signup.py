"""Signing up in two steps, as WordPress does: a username and an email, then a password behind the
emailed link. The first step answers the same whether or not the address has an account (issue 10,
finding 11), and the owner of a taken address is told by email; a taken username still says so."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Subscriber, User
from community.notifications.subscriptions import ask_for_confirmation, subscriber_of
from community.services import signup as signup_rules
from tests.conftest import PASSWORD, post_form
from tests.factories import make_post
from tests.signup_mail import ask_to_sign_up, mails_logged, sign_up, signup_links

PER_REQUEST = re.compile(r'(nonce-?=?"?|csrf-token" content="|name="csrf_token"[^>]*value=")[A-Za-z0-9_.+/=\-]+')


def account(app, username: str) -> User | None:
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.username_key == username.lower()))


def without_per_request_tokens(text: str) -> str:
    return PER_REQUEST.sub(r"\1…", text)


def test_the_form_asks_only_for_a_username_and_an_email(client):
    page = client.get("/auth/register?next=/posts/x").get_data(as_text=True)
    assert 'name="username"' in page and 'name="email"' in page and 'name="next"' in page
    assert 'type="password"' not in page
    assert "Create account" in page


def test_a_new_address_gets_a_link_and_nothing_is_stored(client, app):
    with mails_logged() as mails:
        answer = post_form(client, "/auth/register", {"username": "newbie", "email": "newbie@example.org"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Check your inbox: we sent a link to <strong>newbie@example.org</strong> to finish creating your account." in page
    [mail] = mails
    assert "To: newbie@example.org" in mail and "Finish creating your account at Community" in mail
    assert "within 24 hours" in mail and len(signup_links(mails)) == 1
    assert account(app, "newbie") is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscriber)) == 0


def test_a_taken_address_gets_the_same_answer_as_a_new_one(app, users):
    """Status, words and headers alike: only the per-request tokens (CSRF, CSP nonce) differ."""
    new, taken = app.test_client(), app.test_client()
    with mails_logged():
        first = post_form(new, "/auth/register", {"username": "newbie", "email": "newbie@example.org"})
        second = post_form(taken, "/auth/register", {"username": "newbie", "email": "reader@example.org"})
    assert first.status_code == second.status_code == 200
    assert (without_per_request_tokens(first.get_data(as_text=True)).replace("newbie@", "X@")
            == without_per_request_tokens(second.get_data(as_text=True)).replace("reader@", "X@"))
    headers = [{name: without_per_request_tokens(value) for name, value in answer.headers.items() if name != "Set-Cookie"}
               for answer in (first, second)]
    assert headers[0] == headers[1]
    assert [name for name, _ in first.headers.items()] == [name for name, _ in second.headers.items()]


def test_the_owner_of_a_taken_address_is_told_and_gets_no_link(client, app, users):
    with mails_logged() as mails:
        answer = post_form(client, "/auth/register", {"username": "newbie", "email": "Reader@Example.org"})
    assert answer.status_code == 200
    [mail] = mails
    assert "To: reader@example.org" in mail
    assert "tried to create a new account" in mail and 'your\nusername is "reader"' in mail
    assert "http://" in mail and "/auth/login" in mail and "/auth/password/forgot" in mail
    assert "If it was not you, ignore this email" in mail
    assert signup_links(mails) == []
    assert account(app, "newbie") is None


def test_the_link_is_built_from_the_configured_address_never_the_host_header(client, app):
    with mails_logged() as mails:
        post_form(client, "/auth/register", {"username": "newbie", "email": "newbie@example.org"},
                  headers={"X-Forwarded-Host": "attacker.example", "X-Forwarded-Proto": "https"})
    [mail] = mails
    assert "attacker.example" not in mail and app.config["LOCAL_URL"] + "/auth/register/confirm/" in mail


def test_the_link_shows_who_signs_up_and_asks_for_a_password(client, app):
    _answer, link = ask_to_sign_up(client, "newbie", "newbie@example.org")
    page = client.get(link)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Choose a password" in text
    assert "newbie" in text and "newbie@example.org" in text and 'autocomplete="new-password"' in text
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    assert account(app, "newbie") is None  # opening the link changes nothing


def test_following_the_link_makes_the_account_signs_in_and_lands_on_next(client, app, users):
    slug = make_post(app, "author", "Open Letters")
    answer = sign_up(client, "newbie", next_path=f"/posts/{slug}")
    assert answer.status_code == 302 and answer.headers["Location"] == f"/posts/{slug}"
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Welcome, newbie! Your account is ready." in page and "Signed in as <strong>newbie</strong>" in page
    assert account(app, "newbie").email == "newbie@example.org"


def test_a_next_off_the_site_lands_on_the_front_page(client):
    answer = sign_up(client, "newbie", next_path="//evil.example/x")
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_a_new_account_has_its_address_confirmed_for_notifications(client, app):
    sign_up(client, "newbie")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username_key == "newbie"))
        subscriber = subscriber_of(user)
        assert subscriber.confirmed_at is not None and subscriber.user_id == user.id
        assert ask_for_confirmation(subscriber) is False  # no confirmation email when it subscribes


def test_an_older_account_still_confirms_its_address_the_first_time_it_subscribes(app, users):
    with app.app_context():
        subscriber = subscriber_of(db.session.get(User, users.reader.id))
        assert subscriber.confirmed_at is None and ask_for_confirmation(subscriber) is True


def test_a_weak_password_gets_the_estimators_advice_and_saves_nothing(client, app):
    _answer, link = ask_to_sign_up(client, "newbie", "newbie@example.org")
    answer = post_form(client, link, {"password": "password123", "confirm": "password123"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'id="password-error"' in page
    assert account(app, "newbie") is None
    assert post_form(client, link, {"password": PASSWORD, "confirm": PASSWORD}).status_code == 302  # still works


def test_a_used_link_is_refused_and_says_to_log_in(client, app):
    _answer, link = ask_to_sign_up(client, "newbie", "newbie@example.org")
    assert post_form(client, link, {"password": PASSWORD, "confirm": PASSWORD}).status_code == 302
    stranger = app.test_client()
    for answer in (stranger.get(link), post_form(stranger, link, {"password": PASSWORD, "confirm": PASSWORD})):
        page = answer.get_data(as_text=True)
        assert answer.status_code == 409 and "exists already" in page
        assert 'href="/auth/login"' in page and 'href="/auth/register"' in page
        assert answer.headers["Cache-Control"] == "no-store"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_a_username_taken_after_the_link_was_sent_is_refused(client, app):
    _answer, link = ask_to_sign_up(client, "newbie", "newbie@example.org")
    assert sign_up(app.test_client(), "Newbie", "other@example.org").status_code == 302
    answer = post_form(client, link, {"password": PASSWORD, "confirm": PASSWORD})
    assert answer.status_code == 409 and "was taken after this link was sent" in answer.get_data(as_text=True)
    assert account(app, "newbie").email == "other@example.org"


def test_an_expired_link_is_refused_with_a_way_to_sign_up_again(client, app, monkeypatch):
    _answer, link = ask_to_sign_up(client, "newbie", "newbie@example.org")
    monkeypatch.setattr(signup_rules, "SIGNUP_MAX_AGE", -1)
    answer = post_form(client, link, {"password": PASSWORD, "confirm": PASSWORD})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "This link has expired" in page and 'href="/auth/register"' in page
    assert answer.headers["Cache-Control"] == "no-store" and answer.headers["Referrer-Policy"] == "no-referrer"
    assert account(app, "newbie") is None


def changed_first_character(link: str) -> str:
    """The token's first character (a full six bits of its payload) changed."""
    head, token = link.rsplit("/", 1)
    return f"{head}/{'B' if token[0] == 'A' else 'A'}{token[1:]}"


@pytest.mark.parametrize("change", [lambda link: link[:-3], changed_first_character,
                                    lambda link: link.replace("/confirm/", "/confirm/x")])
def test_a_tampered_link_is_refused(client, app, change):
    _answer, link = ask_to_sign_up(client, "newbie", "newbie@example.org")
    answer = post_form(client, change(link), {"password": PASSWORD, "confirm": PASSWORD})
    assert answer.status_code == 400 and "This link is not valid" in answer.get_data(as_text=True)
    assert account(app, "newbie") is None


def test_a_link_signed_for_another_purpose_is_refused(client, app, users):
    from community.services import passwords

    with app.test_request_context():
        token = passwords.reset_token(db.session.get(User, users.reader.id))
    answer = client.get(f"/auth/register/confirm/{token}")
    assert answer.status_code == 400 and "This link is not valid" in answer.get_data(as_text=True)


def test_confirming_needs_the_csrf_token(client, app):
    _answer, link = ask_to_sign_up(client, "newbie", "newbie@example.org")
    answer = client.post(link, data={"password": PASSWORD, "confirm": PASSWORD})
    assert answer.status_code == 400 and "This form has expired" in answer.get_data(as_text=True)
    assert account(app, "newbie") is None


def test_a_signed_in_person_opening_a_link_is_sent_away(client, app, users, auth):
    _answer, link = ask_to_sign_up(app.test_client(), "newbie", "newbie@example.org")
    auth.login()
    assert client.get(link).status_code == 302
    assert post_form(client, link, {"password": PASSWORD, "confirm": PASSWORD}).status_code == 302
    assert account(app, "newbie") is None


def test_the_links_page_never_puts_its_token_into_other_links(client):
    """"Log in" and "Register" in the header carry where one came from; not from a page whose
    address is a secret."""
    _answer, link = ask_to_sign_up(client, "newbie", "newbie@example.org")
    token = link.rsplit("/", 1)[1]
    page = client.get(link).get_data(as_text=True)
    assert page.count(token) == 1  # the form's own action
