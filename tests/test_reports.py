"""Readers report comments; enough reports hide one until a moderator looks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, LogEntry, Report, Role
from community.services.accounts import create_account
from tests.conftest import PASSWORD, post_form
from tests.factories import count_rows, make_comment, make_post, stored


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="Hard Things")


def report(client, comment_id, reason="harassment", details=""):
    return post_form(client, f"/comments/{comment_id}/report", {"reason": reason, "details": details})


def test_reader_reports_a_comment_once(client, app, slug, auth):
    comment_id = make_comment(app, slug, "something cruel", author="Ana")
    auth.login("reader")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert f'href="/comments/{comment_id}/report">Report' in page
    form = client.get(f"/comments/{comment_id}/report").get_data(as_text=True)
    assert "It harasses or attacks someone" in form and "something cruel" in form
    response = report(client, comment_id)
    assert response.status_code == 302
    assert "A moderator will look at this comment." in client.get(response.headers["Location"]).get_data(as_text=True)
    again = report(client, comment_id, "spam")
    assert again.status_code == 422 and "already reported" in again.get_data(as_text=True)
    assert count_rows(app, Report) == 1 and stored(app, Comment, comment_id, "open_report_count") == 1


def test_other_needs_words_and_a_reason_is_required(client, app, slug, auth):
    comment_id = make_comment(app, slug, "odd", author="Ana")
    auth.login("reader")
    response = report(client, comment_id, "other", "")
    assert response.status_code == 422 and 'id="details-error"' in response.get_data(as_text=True)
    response = report(client, comment_id, "", "")
    assert response.status_code == 422 and "Choose why you are reporting" in response.get_data(as_text=True)
    assert count_rows(app, Report) == 0


def test_reporting_needs_login_and_is_not_for_your_own_comment(client, app, slug, auth):
    comment_id = make_comment(app, slug, "mine")
    assert client.get(f"/comments/{comment_id}/report").status_code == 302
    auth.login("reader")
    assert f"/comments/{comment_id}/report" not in client.get(f"/posts/{slug}").get_data(as_text=True)
    assert report(client, comment_id).status_code == 422
    assert count_rows(app, Report) == 0


def test_report_of_a_missing_or_hidden_comment_is_404(client, app, slug, auth):
    auth.login("reader")
    assert report(client, 999999).status_code == 404


def test_three_reports_hide_the_comment_pending_review(client, app, slug, auth):
    comment_id = make_comment(app, slug, "nasty words", author="Ana")
    with app.app_context():
        create_account("third", "third@example.org", PASSWORD, Role.READER)
        db.session.commit()
    for name in ("reader", "author", "third"):
        auth.login(name)
        assert report(client, comment_id).status_code == 302
        auth.logout()
    assert stored(app, Comment, comment_id, "status") == "pending"
    assert stored(app, Comment, comment_id, "held_by_rule") == "reports"
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "nasty words" not in page and "No comments yet" in page
    with app.app_context():
        entry = db.session.scalar(sa.select(LogEntry).where(LogEntry.action == "auto-hide"))
        assert entry.moderator_id is None and entry.comment_id == comment_id


def test_moderator_dismisses_reports_and_the_comment_returns(client, app, slug, auth):
    app.config["REPORT_HIDE_THRESHOLD"] = 1
    comment_id = make_comment(app, slug, "fine words", author="Ana")
    auth.login("reader")
    report(client, comment_id, "spam")
    auth.logout()
    auth.login("moderator")
    queue = client.get("/moderation/?tab=reported").get_data(as_text=True)
    assert "Reported (1)" in queue and "fine words" in queue and "spam" in queue
    response = post_form(client, f"/moderation/comments/{comment_id}/dismiss-reports")
    assert response.status_code == 302
    assert stored(app, Comment, comment_id, "status") == "approved"
    assert stored(app, Comment, comment_id, "open_report_count") == 0
    with app.app_context():
        assert db.session.scalar(sa.select(Report.resolution)) == "dismissed"


def test_suspended_reader_cannot_report(client, app, slug, auth):
    from datetime import timedelta

    from community.models.base import utcnow
    from community.services.moderation import suspend
    from tests.factories import user_named

    comment_id = make_comment(app, slug, "x", author="Ana")
    with app.app_context():
        suspend(user_named("moderator"), user_named("reader"), utcnow() + timedelta(days=1), "Spamming reports")
        db.session.commit()
    auth.login("reader")
    response = report(client, comment_id)
    assert response.status_code == 403 and "Reason: Spamming reports" in response.get_data(as_text=True)
    assert count_rows(app, Report) == 0
