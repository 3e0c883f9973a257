"""Authors edit their comment within the window and delete it at any time; tombstones hold threads."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, CommentLike, Post
from community.models.base import utcnow
from tests.conftest import post_form
from tests.factories import count_rows, like_comment, make_comment, make_post, stored


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="Second Drafts")


def age(app, comment_id: int, minutes: int) -> None:
    with app.app_context():
        db.session.execute(sa.update(Comment).where(Comment.id == comment_id).values(created_at=utcnow() - timedelta(minutes=minutes)))
        db.session.commit()


# --- editing -------------------------------------------------------------------------------------

def test_author_edits_within_the_window_and_it_is_marked_edited(client, app, slug, auth):
    comment_id = make_comment(app, slug, "frist")
    auth.login("reader")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert f'href="/comments/{comment_id}/edit">Edit</a>' in page
    assert client.get(f"/comments/{comment_id}/edit").get_data(as_text=True).count("frist</textarea>") == 1
    response = post_form(client, f"/comments/{comment_id}/edit", {"body": "**first**, <script>x</script>"})
    assert response.status_code == 302
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "<strong>first</strong>" in page and "<script>x" not in page and "&lt;script&gt;" in page
    assert '<span class="comment__edited">edited</span>' in page


def test_edit_after_the_window_is_refused(client, app, slug, auth):
    comment_id = make_comment(app, slug, "too late to change")
    age(app, comment_id, 16)
    auth.login("reader")
    assert f"/comments/{comment_id}/edit" not in client.get(f"/posts/{slug}").get_data(as_text=True)
    assert client.get(f"/comments/{comment_id}/edit").status_code == 302
    response = post_form(client, f"/comments/{comment_id}/edit", {"body": "changed"})
    assert response.status_code == 403 and "can no longer be changed" in response.get_data(as_text=True)
    assert stored(app, Comment, comment_id, "body_markdown") == "too late to change"


@pytest.mark.parametrize(("who", "status"), [("Ana", 403), ("moderator", 403), (None, 302)])
def test_only_the_author_may_edit(client, app, slug, auth, who, status):
    comment_id = make_comment(app, slug, "mine")
    if who:
        auth.login(who)
    assert client.get(f"/comments/{comment_id}/edit").status_code == status
    assert post_form(client, f"/comments/{comment_id}/edit", {"body": "theirs"}).status_code == status
    assert stored(app, Comment, comment_id, "body_markdown") == "mine"


def test_edit_with_an_empty_body_is_refused_at_the_field(client, app, slug, auth):
    comment_id = make_comment(app, slug, "keep")
    auth.login("reader")
    response = post_form(client, f"/comments/{comment_id}/edit", {"body": "   "})
    assert response.status_code == 422 and 'id="body-error"' in response.get_data(as_text=True)
    assert stored(app, Comment, comment_id, "body_markdown") == "keep"


def test_editing_in_a_disallowed_word_sends_it_to_spam(client, app, slug, auth):
    from community.services.moderation import save_settings
    from tests.factories import user_named

    with app.app_context():
        save_settings(user_named("admin"), {"disallowed_words": "casino"})
        db.session.commit()
    comment_id = make_comment(app, slug, "innocent")
    auth.login("reader")
    post_form(client, f"/comments/{comment_id}/edit", {"body": "visit my casino"})
    assert stored(app, Comment, comment_id, "status") == "spam"
    with app.app_context():
        assert db.session.scalar(sa.select(Post.comment_count)) == 0


@pytest.mark.parametrize(("setting", "words", "status", "rule"), [
    ("disallowed_words", "casino", "spam", "disallowed-words"),
    ("moderation_words", "casino", "pending", "moderation-words"),
])
def test_an_edit_a_rule_catches_is_logged_as_done_by_the_system_with_the_rule(client, app, slug, auth, setting, words, status, rule):
    from community.models import LogEntry
    from community.services.moderation import save_settings
    from tests.factories import user_named

    with app.app_context():
        save_settings(user_named("admin"), {setting: words})
        db.session.commit()
    comment_id = make_comment(app, slug, "innocent")
    auth.login("reader")
    post_form(client, f"/comments/{comment_id}/edit", {"body": "visit my casino"})
    with app.app_context():
        entry = db.session.scalar(sa.select(LogEntry).where(LogEntry.comment_id == comment_id))
        assert (entry.moderator_id, entry.action, entry.status_before, entry.status_after) == (None, "auto-hide", "approved", status)
        assert rule in entry.reason and entry.reason.startswith("Edited by its author;")
        assert (entry.text_before, entry.text_after) == ("innocent", "visit my casino")
    auth.logout()
    auth.login("moderator")
    log = client.get("/moderation/log?moderator=system").get_data(as_text=True)
    assert f"comment #{comment_id}" in log and f"“{rule}”" in log
    assert "Undo" in log  # a moderator can put it back if the rule was wrong


def test_an_edit_no_rule_catches_writes_no_log_entry(client, app, slug, auth):
    from community.models import LogEntry

    comment_id = make_comment(app, slug, "innocent")
    auth.login("reader")
    post_form(client, f"/comments/{comment_id}/edit", {"body": "still innocent"})
    assert count_rows(app, LogEntry) == 0


def test_a_deleted_comment_cannot_be_edited_by_its_author(client, app, slug, auth):
    parent = make_comment(app, slug, "took it back")
    make_comment(app, slug, "an answer", author="Ana", parent_id=parent)
    auth.login("reader")
    post_form(client, f"/comments/{parent}/delete")
    response = post_form(client, f"/comments/{parent}/edit", {"body": "new words on a tombstone"})
    assert response.status_code == 403
    assert "You deleted this comment; there is nothing left to edit." in response.get_data(as_text=True)
    assert stored(app, Comment, parent, "body_markdown") == ""


def test_edit_of_unknown_comment_is_404(client, users, auth):
    auth.login("reader")
    assert client.get("/comments/424242/edit").status_code == 404


# --- deleting ----------------------------------------------------------------------------------------

def test_delete_asks_first_then_removes_a_comment_without_replies(client, app, slug, auth):
    comment_id = make_comment(app, slug, "regret this")
    like_comment(app, comment_id, "Ana")
    auth.login("reader")
    confirm = client.get(f"/comments/{comment_id}/delete").get_data(as_text=True)
    assert "Delete your comment?" in confirm and "regret this" in confirm
    response = post_form(client, f"/comments/{comment_id}/delete")
    assert response.status_code == 302
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "regret this" not in page and "This comment was deleted." not in page and "No comments yet" in page
    assert count_rows(app, Comment) == 0 and count_rows(app, CommentLike) == 0


def test_deleted_comment_with_replies_stays_as_a_tombstone(client, app, slug, auth):
    parent = make_comment(app, slug, "parent words")
    reply = make_comment(app, slug, "a reply", author="Ana", parent_id=parent)
    auth.login("reader")
    post_form(client, f"/comments/{parent}/delete")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "This comment was deleted." in page and "parent words" not in page
    assert "a reply" in page and "One thought on “Second Drafts”" in page
    tombstone = page[page.index(f'id="comment-{parent}"'):page.index(f'id="comment-{reply}"')]
    assert "Reply</a>" not in tombstone and "Like" not in tombstone


def test_the_tombstone_goes_when_its_last_reply_goes(client, app, slug, auth):
    parent = make_comment(app, slug, "parent")
    reply = make_comment(app, slug, "only reply", author="Ana", parent_id=parent)
    auth.login("reader")
    post_form(client, f"/comments/{parent}/delete")
    auth.logout()
    auth.login("Ana")
    post_form(client, f"/comments/{reply}/delete")
    assert count_rows(app, Comment) == 0
    assert "This comment was deleted." not in client.get(f"/posts/{slug}").get_data(as_text=True)


@pytest.mark.parametrize(("who", "status"), [("Ana", 403), ("admin", 403), (None, 302)])
def test_only_the_author_may_delete(client, app, slug, auth, who, status):
    comment_id = make_comment(app, slug, "stays")
    if who:
        auth.login(who)
    assert post_form(client, f"/comments/{comment_id}/delete").status_code == status
    assert count_rows(app, Comment) == 1


def test_delete_needs_a_post_with_csrf(client, app, slug, auth):
    comment_id = make_comment(app, slug, "stays")
    auth.login("reader")
    assert client.post(f"/comments/{comment_id}/delete").status_code == 400
    assert count_rows(app, Comment) == 1


def test_deleting_keeps_counts_true(client, app, slug, auth):
    from community.services.counts import find_drift

    first = make_comment(app, slug, "one")
    make_comment(app, slug, "reply", author="Ana", parent_id=first)
    make_comment(app, slug, "two")
    auth.login("reader")
    post_form(client, f"/comments/{first}/delete")
    with app.app_context():
        assert find_drift() == [] and db.session.scalar(sa.select(Post.comment_count)) == 2
