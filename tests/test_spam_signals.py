"""The spam filter's signals on a new comment: honeypot, the form's token, duplicates, link
domains and chatbot leftovers; each is recorded with the comment and in the log."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, CommentFingerprint, LogEntry
from community.models.base import utcnow
from community.services.moderation import save_settings
from tests.conftest import csrf_token
from tests.factories import make_post, user_named

GUEST = {"name": "Wren", "email": "wren@example.net"}
ESSAY_REPLY = "I read this on the train and had to stop for a while; the part about the garden stayed with me."
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


@pytest.fixture
def app_settings():
    return {"SPAM_FORM_CHECKS": True}


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="The Garden")


@pytest.fixture
def later(form_sent_after):
    return form_sent_after


def draw_form(client, slug) -> dict[str, str]:
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    return {"csrf_token": csrf_token(client, f"/posts/{slug}"), "form_token": TOKEN.search(page).group(1)}


def send(client, slug, body=ESSAY_REPLY, form=None, **fields):
    data = {**(form or draw_form(client, slug)), "body": body, **GUEST, **fields}
    return client.post(f"/posts/{slug}/comments", data=data)


def newest(app) -> Comment:
    with app.app_context():
        comment = db.session.scalars(sa.select(Comment).order_by(Comment.id.desc())).first()
        db.session.expunge(comment)
        return comment


def notes(comment: Comment) -> str:
    return " | ".join(json.loads(comment.spam_signals)["notes"])


def set_rules(app, **values):
    with app.app_context():
        save_settings(user_named("admin"), values)
        db.session.commit()


# --- the form ---------------------------------------------------------------------------------------

def test_a_person_who_takes_their_time_is_published(client, app, slug, later):
    send(client, slug)
    comment = newest(app)
    assert (comment.status, comment.held_by_rule) == ("approved", None)
    assert notes(comment) == ""


def test_the_honeypot_is_hidden_from_people_screen_readers_and_the_tab_order(client, slug):
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    honeypot = re.search(r'<div class="field" hidden aria-hidden="true">\s*<label[^>]*>[^<]*</label>\s*<input ([^>]*)>', page)
    assert honeypot, "the honeypot sits in a hidden, aria-hidden wrapper"
    assert 'name="subject"' in honeypot.group(1) and 'tabindex="-1"' in honeypot.group(1) and 'autocomplete="off"' in honeypot.group(1)


def test_a_filled_honeypot_is_spam_and_the_author_is_told_it_awaits_moderation(client, app, slug, later):
    response = send(client, slug, subject="Buy now")
    comment = newest(app)
    assert (comment.status, comment.held_by_rule) == ("spam", "honeypot")
    assert client.get(response.headers["Location"]).status_code == 200
    with app.app_context():
        entry = db.session.scalar(sa.select(LogEntry).where(LogEntry.comment_id == comment.id))
        assert entry.action == "auto-spam" and entry.moderator_id is None and "honeypot" in entry.reason


def test_a_comment_sent_sooner_than_a_person_types_is_held(client, app, slug, later):
    later(1)
    send(client, slug)
    comment = newest(app)
    assert (comment.status, comment.held_by_rule) == ("pending", "too-fast")
    assert "too-fast: sent 1 s after the form was drawn" in notes(comment)


def test_the_shortest_time_is_a_setting(client, app, slug, later):
    set_rules(app, min_fill_seconds=0)
    later(0)
    send(client, slug)
    assert newest(app).status == "approved"


@pytest.mark.parametrize("token, problem", [
    (None, "no form token"), ("forged.token.value", "form token not ours"),
])
def test_a_missing_or_forged_token_is_held(client, app, slug, later, token, problem):
    form = draw_form(client, slug)
    form.pop("form_token")
    if token:
        form["form_token"] = token
    send(client, slug, form=form)
    comment = newest(app)
    assert (comment.status, comment.held_by_rule) == ("pending", "form-token") and problem in notes(comment)


def test_a_token_older_than_a_day_is_held(client, app, slug, later):
    form = draw_form(client, slug)
    later(25 * 60 * 60)
    send(client, slug, form=form)
    comment = newest(app)
    assert (comment.status, comment.held_by_rule) == ("pending", "form-token") and "older than a day" in notes(comment)


def test_a_reused_form_is_held(client, app, slug, later):
    form = draw_form(client, slug)
    send(client, slug, form=form)
    send(client, slug, "Another thought entirely, about the shed and the smell of oil in it.", form=form)
    comment = newest(app)
    assert (comment.status, comment.held_by_rule) == ("pending", "form-reused")


def test_cached_pages_give_each_reader_a_fresh_token(client, app, slug):
    tokens = {TOKEN.search(client.get(f"/posts/{slug}").get_data(as_text=True)).group(1) for _ in range(3)}
    assert len(tokens) == 3


def test_a_form_shown_again_with_its_errors_keeps_its_token(client, app, slug, later):
    form = draw_form(client, slug)
    response = send(client, slug, form=form, email="not an address")
    assert response.status_code == 422
    assert f'value="{form["form_token"]}"' in response.get_data(as_text=True)


def test_a_script_posting_gets_a_new_token_for_its_next_comment(client, app, slug, later):
    form = draw_form(client, slug)
    first = client.post(f"/posts/{slug}/comments", data={**form, "body": ESSAY_REPLY, **GUEST},
                        headers={"Accept": "application/json"})
    assert first.status_code == 201 and first.json["form_token"] != form["form_token"]
    second = client.post(f"/posts/{slug}/comments", headers={"Accept": "application/json"},
                         data={**form, "form_token": first.json["form_token"], "body": "And the rake, too.", **GUEST})
    assert second.status_code == 201 and newest(app).status == "approved"


# --- the words --------------------------------------------------------------------------------------

def test_the_same_text_again_within_a_day_is_spam_on_any_post(client, app, slug, users, later):
    other = make_post(app, title="Another Essay")
    send(client, slug)
    send(client, other, "  i READ this on the train, and had to stop for a while -- the part about the garden stayed with me!")
    comment = newest(app)
    assert (comment.status, comment.held_by_rule) == ("spam", "duplicate")


def test_a_short_repeat_says_nothing(client, app, slug, later):
    send(client, slug, "Thank you!")
    send(client, slug, "thank you")
    assert (newest(app).status, newest(app).held_by_rule) == ("approved", None)


def test_a_near_duplicate_is_held(client, app, slug, later):
    words = ("Great post about gardens and grief, I learned a lot from the way you describe the shed, the tomatoes, "
             "the seed packets with his handwriting and the rake you could not throw away. Visit my garden shop.")
    send(client, slug, words)
    send(client, slug, words.replace("learned a lot", "learned so much"))
    comment = newest(app)
    assert (comment.status, comment.held_by_rule) == ("pending", "near-duplicate")


def test_fingerprints_past_their_window_are_forgotten(app, slug, users, later):
    from community.spam.signals import forget_old_fingerprints

    with app.app_context():
        from tests.factories import post_by_slug
        from community.services.comments import Guest, add_comment

        add_comment(post_by_slug(slug), ESSAY_REPLY, guest=Guest("Wren", "wren@example.net"))
        db.session.execute(sa.update(CommentFingerprint).values(created_at=utcnow() - timedelta(days=8)))
        assert forget_old_fingerprints() > 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CommentFingerprint)) == 0


@pytest.mark.parametrize("where", ["text", "website"])
def test_a_blocked_link_domain_is_spam_in_the_text_or_the_website_field(client, app, slug, later, where):
    set_rules(app, blocked_domains="spinwin-casino.com\n")
    if where == "text":
        send(client, slug, "Lovely. https://www.SpinWin-Casino.com/bonus")
    else:
        send(client, slug, website="https://promo.spinwin-casino.com/")
    comment = newest(app)
    assert (comment.status, comment.held_by_rule) == ("spam", "blocked-domain")


def test_a_link_shortener_is_held(client, app, slug, later):
    send(client, slug, "More here: https://bit.ly/3xYz")
    assert (newest(app).status, newest(app).held_by_rule) == ("pending", "link-shortener")


def test_a_chatbot_leftover_is_held_never_spam(client, app, slug, later):
    send(client, slug, "Certainly! Here’s a thoughtful comment: what a moving essay. "
                       "If you want it sharper, softer, funnier, or more poetic, I can tune it however you like.")
    comment = newest(app)
    assert (comment.status, comment.held_by_rule) == ("pending", "chatbot-phrase")
    assert "(held: a person may have pasted it honestly)" in notes(comment)


def test_the_chatbot_phrases_are_an_admin_list(client, app, slug, later):
    set_rules(app, chatbot_phrases="delve into the tapestry")
    send(client, slug, "Let us delve into the tapestry of your garden.")
    assert newest(app).held_by_rule == "chatbot-phrase"
    send(client, slug, "Certainly! Here's what I think: the garden is lovely and so is the shed.")
    assert newest(app).status == "approved"


def test_moderators_and_the_posts_author_are_trusted_with_their_own_words(client, app, slug, auth, later):
    auth.login("moderator")
    send(client, slug, subject="filled by a password manager")
    assert newest(app).status == "approved"
