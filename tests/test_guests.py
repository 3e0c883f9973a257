"""Guests: a name that passes for an account's is refused; guests are marked as guests; an earlier
approved comment vouches for a guest only from the same browser (its signed cookie), never from
the email typed; and a guest's avatar says nothing about their email."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from community.comments.guest_browser import COOKIE
from community.extensions import db
from community.models import Comment
from community.services.comments import NAME_OF_AN_ACCOUNT
from community.services.moderation import Action, moderate_comment
from tests.conftest import post_form
from tests.factories import make_post, user_named

GUEST = {"name": "Wren", "email": "wren@example.net"}
AVATAR = re.compile(r'/avatars/([0-9a-f]{20})\.svg')


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="Open Doors")


def comment(client, slug, body="A considered reply.", **fields):
    return post_form(client, f"/posts/{slug}/comments", {"body": body, **GUEST, **fields})


def latest(app) -> Comment:
    with app.app_context():
        found = db.session.scalars(sa.select(Comment).order_by(Comment.id.desc())).first()
        db.session.expunge(found)
        return found


def approve(app, comment_id: int) -> None:
    with app.app_context():
        moderate_comment(user_named("moderator"), db.session.get(Comment, comment_id), Action.APPROVE)
        db.session.commit()


# --- names -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["admin", "Admin", " ADMIN ", "ａｄｍｉｎ", "\u0430dmin", "ad\u200bmin", "Ana", "moderator"])
def test_a_guest_name_that_passes_for_an_account_is_refused_at_the_field(client, app, slug, name):
    response = comment(client, slug, "I am in charge here.", name=name)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "That is the name of an account here." in page
    assert "I am in charge here." in page  # what was typed stays
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_the_json_flow_gets_the_refusal_at_the_name(client, slug):
    response = post_form(client, f"/posts/{slug}/comments", {"body": "Hello.", **GUEST, "name": "admin"},
                         headers={"Accept": "application/json"})
    assert response.status_code == 422 and response.get_json()["errors"]["name"] == [NAME_OF_AN_ACCOUNT]


@pytest.mark.parametrize("name", ["Old Moss", "old  moss", "OLD M\u041eSS"])
def test_a_guest_name_that_passes_for_a_display_name_is_refused(client, app, slug, name):
    with app.app_context():
        user_named("reader").display_name = "Old Moss"
        db.session.commit()
    response = comment(client, slug, name=name)
    assert response.status_code == 422 and "That is the name of an account here." in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["Admina", "The admin's friend", "Wren"])
def test_other_names_are_welcome(client, app, slug, name):
    assert comment(client, slug, name=name).status_code == 302
    assert latest(app).guest_name == name


def test_guests_are_marked_as_guests_and_accounts_are_not(client, app, slug, auth):
    comment(client, slug, "From a guest.")
    auth.login("reader")
    post_form(client, f"/posts/{slug}/comments", {"body": "From an account."})
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    guest_item = page[page.index("From a guest.") - 3000:page.index("From a guest.")]
    account_item = page[page.index("From an account.") - 3000:page.index("From an account.")]
    assert 'class="badge badge--guest"' in guest_item.rsplit('<li id="comment-', 1)[1]
    assert 'badge--guest' not in account_item.rsplit('<li id="comment-', 1)[1]


# --- trust from an earlier approved comment -------------------------------------------------------------

def test_an_approved_comment_vouches_for_the_same_browser(client, app, slug):
    app.config["HOLD_FIRST_COMMENT"] = True
    comment(client, slug, "First words.")
    first = latest(app)
    assert first.status == "pending" and COOKIE in {cookie.key for cookie in client._cookies.values()}
    approve(app, first.id)
    comment(client, slug, "Second words.")
    assert latest(app).status == "approved"


def test_the_same_email_from_another_browser_is_held(app, slug):
    """The attack: the email of a guest who once had an approved comment, typed elsewhere."""
    app.config["HOLD_FIRST_COMMENT"] = True
    first_browser, second_browser = app.test_client(), app.test_client()
    comment(first_browser, slug, "First words.")
    approve(app, latest(app).id)
    comment(second_browser, slug, "Pretending to be Wren.")
    assert latest(app).status == "pending"
    assert latest(app).held_by_rule == "first-comment"


def test_a_forged_browser_cookie_earns_nothing(app, slug):
    app.config["HOLD_FIRST_COMMENT"] = True
    first = app.test_client()
    comment(first, slug, "First words.")
    approved = latest(app)
    approve(app, approved.id)
    forger = app.test_client()
    forger.set_cookie(COOKIE, approved.guest_key)  # the key, unsigned
    comment(forger, slug, "Let me in.")
    assert latest(app).status == "pending" and latest(app).guest_key != approved.guest_key


# --- avatars ------------------------------------------------------------------------------------------

def avatars_on(client, slug) -> list[str]:
    return AVATAR.findall(client.get(f"/posts/{slug}").get_data(as_text=True))


def test_a_guest_avatar_does_not_confirm_a_guessed_email(app, slug):
    victim, attacker = app.test_client(), app.test_client()
    comment(victim, slug, "The victim's words.")
    comment(attacker, slug, "The attacker's guess.", name="Someone")  # the same email, guessed right
    victim_avatar, attacker_avatar = avatars_on(app.test_client(), slug)[:2]
    assert victim_avatar != attacker_avatar


def test_a_guest_keeps_one_avatar_across_comments_and_emails_do_not_show(app, slug):
    browser = app.test_client()
    comment(browser, slug, "One.")
    comment(browser, slug, "Two.")
    page = app.test_client().get(f"/posts/{slug}").get_data(as_text=True)
    first, second = AVATAR.findall(page)[:2]
    assert first == second and "wren@example.net" not in page
