"""The rules a new comment meets, and who sees a held comment."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, ModerationSettings, Post
from community.models.base import utcnow
from community.services.moderation import save_settings
from tests.conftest import post_form
from tests.factories import count_rows, make_comment, make_post, post_by_slug, user_named

GUEST = {"name": "Wren", "email": "wren@example.net"}


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="Held Words")


def comment(client, slug, body="A considered reply.", **fields):
    return post_form(client, f"/posts/{slug}/comments", {"body": body, **fields})


def only_comment(app) -> Comment:
    with app.app_context():
        found = db.session.scalars(sa.select(Comment).order_by(Comment.id.desc())).first()
        db.session.expunge(found)
        return found


def set_rules(app, **values):
    with app.app_context():
        save_settings(user_named("admin"), values)
        db.session.commit()


# --- first comments ---------------------------------------------------------------------------

def test_first_comment_is_held_by_default_and_its_author_sees_it_marked(client, app, slug, auth):
    app.config["HOLD_FIRST_COMMENT"] = True
    auth.login("reader")
    response = comment(client, slug, "My very first words here.")
    held = only_comment(app)
    assert (held.status, held.held_by_rule) == ("pending", "first-comment")
    assert response.headers["Location"].endswith(f"#comment-{held.id}")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "Your comment is awaiting moderation." in page and "My very first words here." in page
    assert "No comments yet" in page  # the count is of public comments only


def test_nobody_else_sees_a_held_comment(client, app, slug, auth):
    app.config["HOLD_FIRST_COMMENT"] = True
    auth.login("reader")
    comment(client, slug, "Secret until approved.")
    auth.logout()
    assert "Secret until approved." not in client.get(f"/posts/{slug}").get_data(as_text=True)
    auth.login("Ana")
    assert "Secret until approved." not in client.get(f"/posts/{slug}").get_data(as_text=True)


def test_moderator_sees_held_comments_in_place_and_approves_from_the_post_page(client, app, slug, auth):
    app.config["HOLD_FIRST_COMMENT"] = True
    auth.login("reader")
    comment(client, slug, "Please let me in.")
    held = only_comment(app)
    auth.logout()
    auth.login("moderator")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "Please let me in." in page and "held by the rule “first-comment”" in page
    response = post_form(client, "/moderation/comments", {"comment_ids": str(held.id), "action": "approve", "next": f"/posts/{slug}#comment-{held.id}"})
    assert response.headers["Location"] == f"/posts/{slug}#comment-{held.id}"
    auth.logout()
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "Please let me in." in page and "One thought on “Held Words”" in page


def test_an_approved_comment_lets_the_next_one_through(client, app, slug, auth):
    make_comment(app, slug, "old approved one")  # by reader, approved while the rule was off
    app.config["HOLD_FIRST_COMMENT"] = True
    auth.login("reader")
    comment(client, slug, "second comment")
    assert only_comment(app).status == "approved"


def test_guest_sees_their_held_comment_through_their_session_only(client, app, slug):
    app.config["HOLD_FIRST_COMMENT"] = True
    response = comment(client, slug, "A guest's first thought.", **GUEST)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your comment is awaiting moderation." in page and "A guest's first thought." in page
    stranger = app.test_client()
    assert "A guest's first thought." not in stranger.get(f"/posts/{slug}").get_data(as_text=True)


def test_post_author_and_moderators_are_never_held(client, app, slug, auth):
    app.config["HOLD_FIRST_COMMENT"] = True
    set_rules(app, hold_all_comments=True)
    for name in ("author", "moderator"):
        auth.login(name)
        comment(client, slug, f"from {name}")
        assert only_comment(app).status == "approved"
        auth.logout()


def test_hold_every_comment(client, app, slug, auth):
    make_comment(app, slug, "approved before the rule")
    set_rules(app, hold_all_comments=True)
    auth.login("reader")
    comment(client, slug, "held anyway")
    held = only_comment(app)
    assert (held.status, held.held_by_rule) == ("pending", "hold-all")


# --- links, words, blocks ------------------------------------------------------------------------

def test_more_links_than_allowed_are_held(client, app, slug, auth):
    auth.login("reader")
    comment(client, slug, "https://a.example https://b.example")
    assert only_comment(app).status == "approved"
    comment(client, slug, "https://a.example https://b.example [c](https://c.example)")
    held = only_comment(app)
    assert (held.status, held.held_by_rule) == ("pending", "too-many-links")


@pytest.mark.parametrize(
    ("rule", "value", "body", "status", "held_by"),
    [
        ("moderation_words", "casino", "Visit the Casino tonight", "pending", "moderation-words"),
        ("moderation_words", "casino", "occasional casinova are not words", "approved", None),
        ("moderation_words", "free money", "get FREE   money now".replace("   ", " "), "pending", "moderation-words"),
        ("disallowed_words", "viagra", "cheap viagra here", "spam", "disallowed-words"),
        ("blocked_addresses", "127.0.0.0/8", "hello", "spam", "blocked-address"),
        ("blocked_addresses", "127.0.0.1", "hello", "spam", "blocked-address"),
        ("blocked_emails", "reader@example.org", "hello", "spam", "blocked-email"),
        ("blocked_emails", "@example.org", "hello", "spam", "blocked-email"),
    ],
)
def test_word_lists_and_blocks(client, app, slug, auth, rule, value, body, status, held_by):
    set_rules(app, **{rule: value})
    auth.login("reader")
    response = comment(client, slug, body)
    found = only_comment(app)
    assert (found.status, found.held_by_rule) == (status, held_by)
    if status == "spam":  # said like a held comment, so a spammer learns nothing
        assert response.headers["Location"].endswith(f"#comment-{found.id}")
        assert "Your comment is awaiting moderation." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_spam_is_never_counted_nor_shown(client, app, slug, auth):
    set_rules(app, disallowed_words="viagra")
    auth.login("reader")
    comment(client, slug, "viagra viagra")
    auth.logout()
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "viagra" not in page and "No comments yet" in page


# --- flood control ------------------------------------------------------------------------------

def test_posting_twice_within_15_seconds_is_refused_with_the_text_kept(client, app, slug, auth):
    app.config["FLOOD_SECONDS"] = 15
    auth.login("reader")
    assert comment(client, slug, "first").status_code == 302
    response = comment(client, slug, "second, too soon")
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and "You are posting too quickly." in page
    assert 'id="body-error"' in page and "second, too soon</textarea>" in page
    assert count_rows(app, Comment) == 1


def test_flood_control_applies_per_address_to_guests(client, app, slug):
    app.config["FLOOD_SECONDS"] = 15
    comment(client, slug, "guest one", **GUEST)
    other_guest = app.test_client()
    response = comment(other_guest, slug, "same address", name="Other", email="other@example.net")
    assert response.status_code == 429 and count_rows(app, Comment) == 1


def test_flood_allows_after_the_interval(client, app, slug, auth):
    app.config["FLOOD_SECONDS"] = 15
    auth.login("reader")
    comment(client, slug, "first")
    with app.app_context():
        db.session.execute(sa.update(Comment).values(created_at=utcnow() - timedelta(seconds=16)))
        db.session.commit()
    assert comment(client, slug, "later").status_code == 302


def test_moderators_are_exempt_from_flood_control(client, app, slug, auth):
    app.config["FLOOD_SECONDS"] = 15
    auth.login("moderator")
    assert comment(client, slug, "one").status_code == 302
    assert comment(client, slug, "two").status_code == 302


# --- closed discussions -------------------------------------------------------------------------

def test_author_closes_comments_and_the_form_is_replaced(client, app, slug, auth):
    auth.login("author")
    response = post_form(client, f"/posts/{slug}/edit", {"title": "Held Words", "body": "Some *words*.", "publish": "y", "comments_closed": "y", "save": "Save"})
    assert response.status_code == 302
    auth.logout()
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "Comments are closed." in page and "Post Comment" not in page
    auth.login("reader")
    assert comment(client, slug, "sneaking in").status_code == 403
    assert count_rows(app, Comment) == 0


def test_comments_close_automatically_after_the_configured_days(client, app, slug, auth):
    set_rules(app, close_after_days=30)
    with app.app_context():
        post_by_slug(slug).published_at = utcnow() - timedelta(days=31)
        db.session.commit()
    assert "Comments are closed." in client.get(f"/posts/{slug}").get_data(as_text=True)
    auth.login("reader")
    assert comment(client, slug, "late").status_code == 403


def test_closed_discussion_keeps_its_comments_readable_without_reply_links(client, app, slug):
    comment_id = make_comment(app, slug, "written while open")
    with app.app_context():
        post_by_slug(slug).comments_closed = True
        db.session.commit()
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "written while open" in page and f"replytocom={comment_id}" not in page


def test_settings_defaults_come_from_the_configuration(app, users):
    app.config["MAX_LINKS"] = 5
    with app.app_context():
        from community.services.settings import current_settings

        assert current_settings().max_links == 5
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationSettings)) == 0


def test_suspended_reader_is_told_why_before_and_when_trying_to_comment(client, app, slug, auth):
    from community.services.moderation import suspend

    with app.app_context():
        suspend(user_named("moderator"), user_named("reader"), None, "Repeated insults")
        db.session.commit()
    auth.login("reader")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "Your account is suspended until further notice. Reason: Repeated insults" in page
    response = comment(client, slug, "let me speak")
    assert response.status_code == 403 and 'id="body-error"' in response.get_data(as_text=True)
    assert count_rows(app, Comment) == 0
