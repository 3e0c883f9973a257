"""An edited comment is scored again by the spam filter's signals that apply to new words (links,
blocked domains, chatbot leftovers, duplicates, the learned score): an edit that turns a public
comment spammy is held, and the queue and the log say why; a moderator's edit is not held."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, LogEntry, Post
from community.services.moderation import save_settings
from community.spam.training import learn_text
from tests.conftest import post_form
from tests.factories import make_comment, make_post, stored, user_named

ESSAY_REPLY = "I read this on the train and had to stop for a while; the part about the garden stayed with me."


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="The Garden")


def set_rules(app, **values):
    with app.app_context():
        save_settings(user_named("admin"), values)
        db.session.commit()


def edit(client, auth, comment_id: int, body: str, as_user: str = "reader"):
    auth.login(as_user)
    answer = post_form(client, f"/comments/{comment_id}/edit", {"body": body})
    auth.logout()
    return answer


def notes(app, comment_id: int) -> str:
    return " | ".join(json.loads(stored(app, Comment, comment_id, "spam_signals"))["notes"])


@pytest.mark.parametrize(("rules", "new_words", "rule"), [
    ({"blocked_domains": "pills.example"}, "Cheap cures at [this shop](https://pills.example/buy).", "blocked-domain"),
    ({}, "Read more at https://bit.ly/3xYz.", "link-shortener"),
    ({"chatbot_phrases": "I can tune it however you like"},
     "A poem about your garden. If you want it sharper, I can tune it however you like.", "chatbot-phrase"),
])
def test_an_edit_that_turns_a_public_comment_spammy_is_held_and_says_why(client, app, slug, auth, rules, new_words, rule):
    if rules:
        set_rules(app, **rules)
    comment_id = make_comment(app, slug, ESSAY_REPLY)
    assert stored(app, Comment, comment_id, "status") == "approved"
    edit(client, auth, comment_id, new_words)
    assert (stored(app, Comment, comment_id, "status"), stored(app, Comment, comment_id, "held_by_rule")) == ("pending", rule)
    assert rule in notes(app, comment_id)
    with app.app_context():
        entry = db.session.scalar(sa.select(LogEntry).where(LogEntry.comment_id == comment_id))
        assert (entry.moderator_id, entry.action, entry.status_after) == (None, "auto-hide", "pending")
        assert entry.reason.startswith("Edited by its author; held by the rule") and f"{rule}:" in entry.reason
        assert db.session.scalar(sa.select(Post.comment_count)) == 0  # off the page
    auth.login("moderator")
    queue = client.get("/moderation/").get_data(as_text=True)
    assert f"{rule}:" in queue  # the queue says why


def test_an_edit_into_a_copy_of_another_comment_is_held(client, app, slug, auth):
    make_comment(app, slug, ESSAY_REPLY, author="Ana")
    comment_id = make_comment(app, slug, "Lovely words about the shed and the oil.")
    edit(client, auth, comment_id, ESSAY_REPLY.upper())
    assert stored(app, Comment, comment_id, "status") == "pending"
    assert "duplicate: the same text as comment" in notes(app, comment_id)


def test_an_edit_is_not_a_duplicate_of_the_comment_itself(client, app, slug, auth):
    comment_id = make_comment(app, slug, ESSAY_REPLY)
    edit(client, auth, comment_id, ESSAY_REPLY + " Thank you.")
    assert stored(app, Comment, comment_id, "status") == "approved"
    assert "duplicate" not in notes(app, comment_id)
    assert count_log(app) == 0


def test_an_edit_the_learned_score_finds_spammy_is_held(client, app, slug, auth):
    set_rules(app, spam_min_decisions=1)
    with app.app_context():
        for number in range(5):
            learn_text(f"casino bonus jackpot free spins win money now {number}", True)
            learn_text(f"the garden and the train and the reeds stayed with me {number}", False)
        db.session.commit()
    comment_id = make_comment(app, slug, "The garden stayed with me on the train.")
    assert stored(app, Comment, comment_id, "status") == "approved"
    edit(client, auth, comment_id, "casino bonus jackpot free spins win money now")
    assert (stored(app, Comment, comment_id, "status"), stored(app, Comment, comment_id, "held_by_rule")) == ("pending", "learned-score")
    assert stored(app, Comment, comment_id, "spam_score") > 0.9


def test_an_innocent_edit_stays_published_and_records_its_score(client, app, slug, auth):
    set_rules(app, blocked_domains="pills.example")
    comment_id = make_comment(app, slug, ESSAY_REPLY)
    edit(client, auth, comment_id, "The garden stayed with me; see https://example.org/garden for a photo.")
    assert stored(app, Comment, comment_id, "status") == "approved"
    assert stored(app, Comment, comment_id, "spam_score") is not None
    assert count_log(app) == 0


def test_a_moderators_edit_of_their_own_comment_is_not_held(client, app, slug, auth):
    set_rules(app, blocked_domains="pills.example")
    comment_id = make_comment(app, slug, ESSAY_REPLY, author="moderator")
    edit(client, auth, comment_id, "See https://pills.example/ for the garden.", as_user="moderator")
    assert stored(app, Comment, comment_id, "status") == "approved"
    assert count_log(app) == 0


def test_a_moderator_editing_someones_comment_is_not_held(client, app, slug, auth):
    set_rules(app, blocked_domains="pills.example")
    comment_id = make_comment(app, slug, ESSAY_REPLY)
    auth.login("moderator")
    answer = post_form(client, f"/moderation/comments/{comment_id}/edit",
                       {"body": "See https://pills.example/ for the garden.", "reason": "a link they asked for"})
    assert answer.status_code in (200, 302)
    assert stored(app, Comment, comment_id, "body_markdown").startswith("See https://pills.example/")
    assert stored(app, Comment, comment_id, "status") == "approved"


def test_the_posts_author_is_spared_the_filter_but_not_the_disallowed_words(client, app, slug, auth):
    set_rules(app, chatbot_phrases="As an AI language model", disallowed_words="casino")
    comment_id = make_comment(app, slug, ESSAY_REPLY, author="author")
    edit(client, auth, comment_id, "As an AI language model, I liked the garden.", as_user="author")
    assert stored(app, Comment, comment_id, "status") == "approved"
    edit(client, auth, comment_id, "Come to my casino.", as_user="author")
    assert stored(app, Comment, comment_id, "status") == "spam"


def count_log(app) -> int:
    """The system's hides after edits (saving the rules is in the log too)."""
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(LogEntry).where(LogEntry.action == "auto-hide"))
