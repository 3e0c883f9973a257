"""People pages and account settings: a display name and bio, a new email address confirmed from it,
and the password, in one place."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, Post, User
from community.models.base import utcnow
from community.people import rules
from community.services.moderation import Action, moderate_comment, suspend
from tests.conftest import PASSWORD, post_form
from tests.factories import make_comment, make_post, post_by_slug, user_named

CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/account/email/confirm/[A-Za-z0-9._-]+)")


@pytest.fixture
def mail_log(caplog):
    caplog.set_level(logging.WARNING, logger="community")
    return caplog


def emails(mail_log) -> list[str]:
    return [record.getMessage() for record in mail_log.records if "this email was not sent" in record.getMessage()]


def account(app, name: str) -> User:
    with app.app_context():
        user = user_named(name)
        db.session.expunge(user)
        return user


# --- a person's page ---------------------------------------------------------------------------------

def test_people_page_shows_name_bio_joined_date_posts_and_public_comments(client, app, users):
    slug = make_post(app, "author", "Field Notes")
    draft = make_post(app, "author", "Secret Draft", publish=False)
    make_comment(app, slug, "My own *first* word.", "author")
    held = make_comment(app, slug, "A held word.", "author")
    with app.app_context():
        moderate_comment(user_named("moderator"), db.session.get(Comment, held), Action.UNAPPROVE)
        rules.update_profile(user_named("author"), "Ada Writer", "I write about **birds**.")
        db.session.commit()
    page = client.get("/people/author").get_data(as_text=True)
    assert "<h1" in page and "Ada Writer" in page and "@author" in page and "joined" in page
    assert "I write about <strong>birds</strong>." in page
    assert "Field Notes" in page and "Secret Draft" not in page and draft
    assert "My own <em>first</em> word." in page and "A held word." not in page
    assert "One comment" in page


def test_people_page_of_no_one_is_a_404(client, users):
    assert client.get("/people/nobody").status_code == 404


def test_people_pages_are_found_whatever_the_case(client, users):
    assert client.get("/people/ANA").status_code == 200


def test_comments_on_a_people_page_are_paged_newest_first(client, app, users):
    slug = make_post(app)
    for number in range(23):
        make_comment(app, slug, f"Remark number {number}.", "reader")
    first = client.get("/people/reader").get_data(as_text=True)
    assert first.index("Remark number 22.") < first.index("Remark number 3.") and "Remark number 2." not in first
    assert 'href="/people/reader?page=2"' in first and "23 comments" in first
    second = client.get("/people/reader?page=2").get_data(as_text=True)
    assert "Remark number 2." in second and "Remark number 0." in second and "Remark number 3." not in second
    assert client.get("/people/reader?page=3").status_code == 404
    assert client.get("/people/reader?page=0").status_code == 404


def test_names_in_comments_link_to_people_pages_and_guests_names_do_not(client, app, users):
    from community.services.comments import Guest

    slug = make_post(app)
    make_comment(app, slug, "Signed in.", "Ana")
    make_comment(app, slug, "Passing by.", None, guest=Guest("Wren", "wren@example.net"))
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert '<a href="/people/Ana">Ana</a>' in page
    assert 'href="/people/Wren"' not in page and "Wren" in page
    assert 'By <a href="/people/author">author</a>' in page


# --- profile -----------------------------------------------------------------------------------------

def test_a_display_name_shows_beside_comments_and_posts(client, app, users, auth):
    slug = make_post(app)
    make_comment(app, slug, "Hello.", "reader")
    client.get(f"/posts/{slug}")  # drawn (and cached) before the change
    auth.login("reader")
    response = post_form(client, "/account/profile", {"display_name": "  Rosa   Reader ", "bio": "Hi."})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert account(app, "reader").display_name == "Rosa Reader"
    auth.logout()
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert '<a href="/people/reader">Rosa Reader</a>' in page


def test_a_blank_display_name_falls_back_to_the_username(client, app, users, auth):
    auth.login("reader")
    post_form(client, "/account/profile", {"display_name": "Rosa", "bio": ""})
    post_form(client, "/account/profile", {"display_name": "   ", "bio": ""})
    assert account(app, "reader").display_name is None and account(app, "reader").shown_name == "reader"


@pytest.mark.parametrize("name, message", [
    ("x" * 61, "A display name is at most 60 characters."),
    ("Ana", "That is another person's username; choose another display name."),
    ("bell\x07", "A display name is letters, digits, spaces and punctuation."),
])
def test_a_bad_display_name_is_refused_at_its_field_keeping_what_was_typed(client, app, users, auth, name, message):
    auth.login("reader")
    response = post_form(client, "/account/profile", {"display_name": name, "bio": "Kept bio."})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message.replace("'", "&#39;") in page and "Kept bio." in page
    assert account(app, "reader").display_name is None


def test_one_may_take_ones_own_username_in_another_case(client, app, users, auth):
    auth.login("reader")
    assert post_form(client, "/account/profile", {"display_name": "READER", "bio": ""}).status_code == 302


def test_a_bio_is_rendered_once_and_sanitized(client, app, users, auth):
    auth.login("reader")
    post_form(client, "/account/profile", {"display_name": "", "bio": "<script>x</script> [me](javascript:alert(1))"})
    stored = account(app, "reader").bio_html
    assert "<script>" not in stored and "href=\"javascript" not in stored and stored.startswith("<p>")


def test_a_bio_too_long_is_refused(client, app, users, auth):
    auth.login("reader")
    response = post_form(client, "/account/profile", {"display_name": "", "bio": "x" * 2001})
    assert response.status_code == 422 and "A bio is at most 2,000 characters" in response.get_data(as_text=True)


def test_a_suspended_account_cannot_change_its_profile(client, app, users, auth):
    with app.app_context():
        suspend(user_named("admin"), user_named("reader"), utcnow() + timedelta(days=1), "Rude.")
        db.session.commit()
    auth.login("reader")
    response = post_form(client, "/account/profile", {"display_name": "New Me", "bio": ""})
    assert response.status_code == 403 and account(app, "reader").display_name is None


def test_changing_the_display_name_moves_the_version_of_pages_that_show_it(app, users):
    slug, other = make_post(app), make_post(app, title="Elsewhere")
    make_comment(app, slug, "Hello.", "reader")
    with app.app_context():
        before = {p.slug: p.discussion_version for p in db.session.scalars(sa.select(Post))}
        rules.update_profile(user_named("reader"), "Rosa", "")
        db.session.commit()
        after = {p.slug: p.discussion_version for p in db.session.scalars(sa.select(Post))}
    assert after[slug] == before[slug] + 1 and after[other] == before[other]


def test_settings_page_needs_an_account(client, users):
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def test_settings_page_holds_profile_email_and_password(client, users, auth):
    auth.login("reader")
    page = client.get("/account").get_data(as_text=True)
    for label in ("Display name", "About you", "New email address", "Your password", "Current password", "New password"):
        assert f">{label}</label>" in page
    assert len(re.findall(r' id="([^"]+)"', page)) == len(set(re.findall(r' id="([^"]+)"', page)))


# --- email, confirmed at the new address ---------------------------------------------------------------

def ask_for_email(client, email="rosa@example.net", password=PASSWORD):
    return post_form(client, "/account/email", {"email": email, "current_password": password})


def test_a_new_email_takes_effect_only_once_confirmed_from_it(client, app, users, auth, mail_log):
    auth.login("reader")
    response = ask_for_email(client)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert account(app, "reader").email == "reader@example.org"  # not yet
    [email] = emails(mail_log)
    assert "To: rosa@example.net" in email and "Confirm your new email address" in email
    link = CONFIRM_LINK.search(email).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "rosa@example.net" in page.get_data(as_text=True)
    assert account(app, "reader").email == "reader@example.org"  # opening the link changes nothing
    done = post_form(client, link)
    assert done.status_code == 302 and done.headers["Location"] == "/account"
    user = account(app, "reader")
    assert (user.email, user.email_key) == ("rosa@example.net", "rosa@example.net")
    notice = emails(mail_log)[-1]
    assert "To: reader@example.org" in notice and "was changed to rosa@example.net" in notice
    # The link worked once.
    again = post_form(client, link)
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)


def test_the_new_address_signs_in(client, app, users, auth, mail_log):
    auth.login("reader")
    ask_for_email(client)
    post_form(client, CONFIRM_LINK.search(emails(mail_log)[0]).group(1))
    auth.logout()
    auth.login("rosa@example.net")


@pytest.mark.parametrize("email, password, field_error", [
    ("rosa@example.net", "not my password", "That is not your current password."),
    ("ana@example.org", PASSWORD, "An account with that email already exists."),
    ("READER@example.org", PASSWORD, "That is already your email address."),
    ("not an address", PASSWORD, "That email address is not valid."),
])
def test_a_refused_email_change_says_why_at_its_field_and_sends_nothing(client, app, users, auth, mail_log,
                                                                        email, password, field_error):
    auth.login("reader")
    response = ask_for_email(client, email, password)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and field_error in page and f'value="{email}"' in page
    assert emails(mail_log) == [] and account(app, "reader").email == "reader@example.org"


def test_an_address_taken_meanwhile_is_refused_at_confirmation(client, app, users, auth, mail_log):
    auth.login("reader")
    ask_for_email(client, "taken@example.net")
    link = CONFIRM_LINK.search(emails(mail_log)[0]).group(1)
    with app.app_context():
        ana = user_named("Ana")
        ana.email, ana.email_key = "taken@example.net", "taken@example.net"
        db.session.commit()
    response = post_form(client, link)
    assert response.status_code == 400 and "already exists" in response.get_data(as_text=True)
    assert account(app, "reader").email == "reader@example.org"


def test_a_bad_or_expired_confirmation_link_says_why(client, app, users, monkeypatch):
    assert "not valid" in client.get("/account/email/confirm/nonsense").get_data(as_text=True)
    with app.test_request_context():
        token = rules.request_email_change(user_named("reader"), "rosa@example.net", PASSWORD)
    monkeypatch.setattr(rules, "EMAIL_CHANGE_MAX_AGE", -1)
    response = client.get(f"/account/email/confirm/{token}")
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_logging_out_everywhere_ends_an_unused_confirmation_link(client, app, users, auth):
    with app.test_request_context():
        token = rules.request_email_change(user_named("reader"), "rosa@example.net", PASSWORD)
    auth.login("reader")
    auth.logout()
    assert client.get(f"/account/email/confirm/{token}").status_code == 400


# --- password, from the same page ---------------------------------------------------------------------

def test_the_password_form_of_the_settings_page_changes_the_password(client, app, users, auth):
    auth.login("reader")
    response = post_form(client, "/auth/password", {"current_password": PASSWORD, "password": "a fresh long secret",
                                                    "confirm": "a fresh long secret"})
    assert response.status_code == 302
    auth.logout()
    auth.login("reader", "a fresh long secret")
