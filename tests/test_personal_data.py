"""Personal data: a signed-in person downloads what the site holds and deletes their account
(comments deleted with tombstones, or kept as "Deleted account"); a guest does the same through a
signed link mailed to the address; an admin erases an account; the log keeps no erased data."""

from __future__ import annotations

import json
import logging
import re

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, CommentStatus, LogEntry, Post, User
from community.services.comments import Guest
from community.services.counts import find_drift
from community.services.moderation import Action, change_status, moderate_comment
from community.services.reports import report_comment
from tests.conftest import PASSWORD, post_form
from tests.factories import like_comment, like_post, make_comment, make_post, user_named

GUEST = Guest("Wren", "wren@example.net", "https://wren.example")


@pytest.fixture
def site(app, users):
    slug = make_post(app, title="On Tides")
    alone = make_comment(app, slug, "Words of mine, alone.", author="reader")
    answered = make_comment(app, slug, "Words of mine, answered.", author="reader")
    reply = make_comment(app, slug, "Ana's reply.", author="Ana", parent_id=answered)
    held = make_comment(app, slug, "Held words of mine.", author="reader")
    guest_one = make_comment(app, slug, "A guest's words.", author=None, guest=GUEST)
    guest_answered = make_comment(app, slug, "A guest's answered words.", author=None, guest=GUEST)
    make_comment(app, slug, "Reply to the guest.", author="Ana", parent_id=guest_answered)
    like_post(app, slug, "reader")
    like_comment(app, reply, "reader")
    with app.app_context():
        change_status(db.session.get(Comment, held), CommentStatus.PENDING)
        report_comment(user_named("reader"), db.session.get(Comment, reply), "off-topic", "Wandering.")
        moderate_comment(user_named("moderator"), db.session.get(Comment, alone), Action.UNAPPROVE, "A look")
        moderate_comment(user_named("moderator"), db.session.get(Comment, alone), Action.APPROVE)
        db.session.commit()
    return dict(slug=slug, alone=alone, answered=answered, reply=reply, held=held, guest_one=guest_one,
                guest_answered=guest_answered)


def comment(app, comment_id: int) -> Comment | None:
    with app.app_context():
        found = db.session.get(Comment, comment_id)
        if found is not None:
            db.session.expunge(found)
        return found


def log_text(app) -> str:
    with app.app_context():
        entries = db.session.scalars(sa.select(LogEntry)).all()
        return "\n".join(f"{e.action} {e.account_id} {e.excerpt} {e.reason} {e.text_before} {e.text_after}" for e in entries)


def test_download_holds_everything_about_the_account(client, auth, site):
    auth.login("reader")
    response = client.get("/personal-data/download")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data())
    assert data["account"]["username"] == "reader" and "password_hash" not in data["account"]
    assert {c["body_markdown"]: c["status"] for c in data["comments"]} == {
        "Words of mine, alone.": "approved", "Words of mine, answered.": "approved", "Held words of mine.": "pending"}
    assert len(data["likes"]["posts"]) == 1 and len(data["likes"]["comments"]) == 1
    assert data["reports_made"][0]["reason"] == "off-topic"
    assert "A guest's words." not in response.get_data(as_text=True)


def test_deleting_the_account_deletes_comments_and_keeps_tombstones(app, client, auth, site):
    auth.login("reader")
    response = post_form(client, "/personal-data/delete", {"keep_comments": "delete", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/personal-data").status_code == 200
    assert "Send me a link" in client.get("/personal-data").get_data(as_text=True)  # signed out now
    assert comment(app, site["alone"]) is None and comment(app, site["held"]) is None
    tombstone = comment(app, site["answered"])
    assert tombstone.is_deleted and tombstone.body_markdown == "" and tombstone.author_id is None
    assert tombstone.guest_name == "Deleted account" and tombstone.ip_address is None
    with app.app_context():
        assert user_named("reader") is None
        assert find_drift() == []
        post = db.session.scalar(sa.select(Post).where(Post.slug == site["slug"]))
        assert post.like_count == 0 and db.session.get(Comment, site["reply"]).open_report_count == 0
    log = log_text(app)
    assert "erase" in log and "at its owner’s request" in log
    assert "Words of mine" not in log and "reader" not in log


def test_keeping_comments_anonymises_them(app, client, auth, site):
    auth.login("reader")
    post_form(client, "/personal-data/delete", {"keep_comments": "keep", "password": PASSWORD})
    kept = comment(app, site["alone"])
    assert kept.body_markdown == "Words of mine, alone." and kept.author_id is None
    assert kept.display_name == "Deleted account" and kept.guest_email == ""
    page = client.get(f"/posts/{site['slug']}").get_data(as_text=True)
    assert "Deleted account" in page
    with app.app_context():
        assert find_drift() == []


def test_a_wrong_password_deletes_nothing(app, client, auth, site):
    auth.login("reader")
    response = post_form(client, "/personal-data/delete", {"keep_comments": "delete", "password": "not it at all"})
    assert response.status_code == 422 and "That is not your password." in response.get_data(as_text=True)
    with app.app_context():
        assert user_named("reader") is not None


def test_an_author_with_posts_is_told_what_to_do_first(app, client, auth, site):
    auth.login("author")
    response = post_form(client, "/personal-data/delete", {"keep_comments": "delete", "password": PASSWORD})
    assert response.status_code == 422 and "wrote posts" in response.get_data(as_text=True)
    with app.app_context():
        assert user_named("author") is not None


@pytest.fixture
def mail_log(caplog):
    caplog.set_level(logging.WARNING, logger="community")
    return caplog


def guest_link(client, mail_log, email: str = "Wren@Example.net") -> str:
    response = post_form(client, "/personal-data/guest", {"email": email})
    assert response.status_code == 302
    match = re.search(r"https?://\S+/personal-data/guest/(\S+)", mail_log.text)
    assert match, "no link was mailed"
    return f"/personal-data/guest/{match.group(1)}"


def test_a_guest_downloads_and_erases_through_the_mailed_link(app, client, site, mail_log):
    link = guest_link(client, mail_log)
    page = client.get(link)
    assert page.status_code == 200 and "2 comments written as a guest under wren@example.net" in page.get_data(as_text=True)
    data = json.loads(client.get(f"{link}/download").get_data())
    assert sorted(c["body_markdown"] for c in data["comments"]) == ["A guest's answered words.", "A guest's words."]
    assert post_form(client, f"{link}/delete", {"keep_comments": "delete"}).status_code == 302
    assert comment(app, site["guest_one"]) is None
    assert comment(app, site["guest_answered"]).is_deleted
    with app.app_context():
        assert find_drift() == []
    assert "wren@example.net" not in log_text(app) and "guest’s comments were erased" in log_text(app)


def test_an_address_without_comments_gets_the_same_answer_and_no_mail(client, site, mail_log):
    response = post_form(client, "/personal-data/guest", {"email": "nobody@example.net"}, follow_redirects=True)
    assert "If comments were written under that address" in response.get_data(as_text=True)
    assert "/personal-data/guest/" not in mail_log.text


@pytest.mark.parametrize("token", ["not-a-token", "InNvbWVvbmVAZXhhbXBsZS5uZXQi.forged.signature"])
def test_a_bad_link_is_refused(client, site, token):
    assert client.get(f"/personal-data/guest/{token}").status_code == 400
    assert post_form(client, f"/personal-data/guest/{token}/delete", {"keep_comments": "delete"}).status_code == 400


def test_an_admin_erases_an_account_from_the_accounts_page(app, client, auth, site, users):
    auth.login("admin")
    page = client.get(f"/moderation/accounts/{users.reader.id}").get_data(as_text=True)
    assert f"/moderation/accounts/{users.reader.id}/erase" in page
    response = post_form(client, f"/moderation/accounts/{users.reader.id}/erase", {"keep_comments": "keep"})
    assert response.status_code == 302
    with app.app_context():
        assert user_named("reader") is None and find_drift() == []
    assert comment(app, site["alone"]).display_name == "Deleted account"
    assert "by an admin" in log_text(app)


def test_a_moderator_may_not_erase(app, client, auth, site, users):
    auth.login("moderator")
    response = post_form(client, f"/moderation/accounts/{users.reader.id}/erase", {"keep_comments": "keep"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(User, users.reader.id) is not None
