"""The moderation pages as moderators and admins use them: the queue and its actions, the edit page,
the rules, the log with undo, and accounts with suspensions and roles."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, CommentStatus, LogEntry, ModerationSettings, PostLike, Role, User
from community.models.base import utcnow
from community.services.counts import find_drift
from community.services.moderation import Action, moderate_comment, suspend
from community.services.reports import report_comment
from tests.conftest import AuthActions, post_form
from tests.factories import count_rows, like_comment, make_comment, make_post, post_by_slug, stored, user_named

TITLE = "Old Friends"


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title=TITLE)


# --- helpers ---------------------------------------------------------------------------------------

def text_of(page: str) -> str:
    """What a person reads: the page without its tags, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def flashes(page: str) -> list[str]:
    return [html.unescape(message) for message in re.findall(r'<p class="flash flash--\w+">(.*?)</p>', page)]


def field_error(page: str, field_id: str) -> str | None:
    """The error shown under one form field, if any."""
    match = re.search(rf'<p class="field__error" id="{field_id}-error" role="alert">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else None


def follow(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def act(client, action: str, comment_ids: list[int], **extra):
    return post_form(client, "/moderation/comments", {"action": action, "comment_ids": comment_ids, **extra})


def held_comment(app, slug, body="A first thought.", author="reader") -> int:
    """A comment held by the first-comment rule, as a new commenter's is."""
    app.config["HOLD_FIRST_COMMENT"] = True
    try:
        return make_comment(app, slug, body, author)
    finally:
        app.config["HOLD_FIRST_COMMENT"] = False


def moderate(app, comment_id: int, action: Action, by: str = "moderator") -> None:
    with app.app_context():
        moderate_comment(user_named(by), db.session.get(Comment, comment_id), action)
        db.session.commit()


def report(app, comment_id: int, by: str, reason: str = "spam", details: str = "") -> None:
    with app.app_context():
        report_comment(user_named(by), db.session.get(Comment, comment_id), reason, details)
        db.session.commit()


def suspend_account(app, name: str, days: int = 7, reason: str = "Shouting.") -> None:
    with app.app_context():
        suspend(user_named("admin"), user_named(name), utcnow() + timedelta(days=days), reason)
        db.session.commit()


def entries(app, **where) -> list[LogEntry]:
    """The log's entries of people's actions and the rules' later hides; a new comment's own
    automatic hold or spam (auto-hold, auto-spam: tests/test_spam_*.py) is left out."""
    with app.app_context():
        select = (sa.select(LogEntry).filter_by(**where).where(LogEntry.action.not_in(["auto-hold", "auto-spam"]))
                  .order_by(LogEntry.id))
        found = db.session.scalars(select).unique().all()
        db.session.expunge_all()
        return found


def status_of(app, comment_id: int) -> str | None:
    return stored(app, Comment, comment_id, "status")


def no_drift(app) -> bool:
    with app.app_context():
        return find_drift() == []


def comment_on(client, slug, body: str, **fields):
    return post_form(client, f"/posts/{slug}/comments", {"body": body, **fields})


# --- the queue ---------------------------------------------------------------------------------------

def test_queue_tabs_show_how_many_comments_each_holds(client, app, slug, auth):
    held_comment(app, slug, "one")
    held_comment(app, slug, "two", author="Ana")
    spam, trash, reported = (make_comment(app, slug, body) for body in ("spam", "trash", "reported"))
    moderate(app, spam, Action.SPAM)
    moderate(app, trash, Action.TRASH)
    report(app, reported, "Ana")
    auth.login("moderator")
    page = text_of(client.get("/moderation/").get_data(as_text=True))
    assert "Pending (2) Reported (1) Spam (1) Trash (1)" in page


def test_pending_tab_shows_held_comments_newest_first_with_who_and_why(client, app, slug, auth):
    app.config["HOLD_FIRST_COMMENT"] = True
    auth.login("reader")
    assert flashes(follow(client, comment_on(client, slug, "Hello from a reader."))) == ["Your comment is awaiting moderation."]
    auth.logout()
    comment_on(client, slug, "Hello from a guest.", name="Wren", email="wren@example.net")
    auth.login("moderator")
    page = client.get("/moderation/?tab=pending").get_data(as_text=True)
    text = text_of(page)
    assert text.index("Hello from a guest.") < text.index("Hello from a reader.")
    guest_row, reader_row = (text_of(row) for row in re.findall(r'<tr id="queue-\d+">(.*?)</tr>', page, re.S))
    for row in (guest_row, reader_row):
        assert f"On {TITLE}" in row and "IP 127.0.0.1" in row and "first-comment" in row and "pending" in row
    assert "Wren (guest) wren@example.net" in guest_row
    assert "reader reader@example.org" in reader_row


def test_pending_tab_is_empty_when_nothing_is_held(client, slug, auth):
    auth.login("moderator")
    page = text_of(client.get("/moderation/").get_data(as_text=True))
    assert "Pending (0)" in page and "Nothing here: the pending list is empty." in page


def test_reported_tab_shows_open_reports_with_their_reasons(client, app, slug, auth):
    comment_id = make_comment(app, slug, "You are all wrong.")
    report(app, comment_id, "Ana", "harassment")
    report(app, comment_id, "author", "other", "Rude to the author")
    auth.login("moderator")
    page = text_of(client.get("/moderation/?tab=reported").get_data(as_text=True))
    assert "Reported (2)" not in page and "Reported (1)" in page
    assert "You are all wrong." in page
    assert "harassment — Ana" in page and "other: “Rude to the author” — author" in page
    assert "Dismiss reports" in page
    assert "You are all wrong." not in text_of(client.get("/moderation/?tab=pending").get_data(as_text=True))


def test_unknown_queue_tab_is_not_found(client, slug, auth):
    auth.login("moderator")
    assert client.get("/moderation/?tab=everything").status_code == 404


def test_dismissing_reports_brings_back_a_comment_they_hid(client, app, slug, auth):
    comment_id = make_comment(app, slug, "Unpopular but fair.")
    for name in ("Ana", "author", "other_author"):
        report(app, comment_id, name)
    assert status_of(app, comment_id) == CommentStatus.PENDING
    auth.login("moderator")
    page = follow(client, post_form(client, f"/moderation/comments/{comment_id}/dismiss-reports"))
    assert "Reports dismissed; the comment is public again." in flashes(page)
    assert "Reported (0)" in text_of(page)
    assert status_of(app, comment_id) == CommentStatus.APPROVED and no_drift(app)


def test_comment_hidden_by_reports_waits_in_pending_named_by_the_rule(client, app, slug, auth):
    comment_id = make_comment(app, slug, "Divisive.")
    for name in ("Ana", "author", "other_author"):
        report(app, comment_id, name, "off-topic")
    auth.login("moderator")
    page = client.get("/moderation/?tab=pending").get_data(as_text=True)
    row = text_of(re.search(rf'<tr id="queue-{comment_id}">(.*?)</tr>', page, re.S).group(1))
    assert "reports" in row and "off-topic — Ana" in row and "Dismiss reports" in row
    assert "Pending (1) Reported (1)" in text_of(page)


def test_dismissing_reports_of_a_comment_without_any_is_refused(client, app, slug, auth):
    comment_id = make_comment(app, slug)
    auth.login("moderator")
    page = follow(client, post_form(client, f"/moderation/comments/{comment_id}/dismiss-reports"))
    assert "This comment has no open reports." in flashes(page) and entries(app) == []


# --- actions on comments ---------------------------------------------------------------------------

def test_bulk_approve_changes_each_selected_comment_and_logs_each_once(client, app, slug, users, auth):
    first, second, left = (held_comment(app, slug, body) for body in ("first", "second", "left alone"))
    auth.login("moderator")
    page = follow(client, act(client, "approve", [first, second]))
    assert "2 comments approved." in flashes(page)
    assert [status_of(app, i) for i in (first, second, left)] == ["approved", "approved", "pending"]
    logged = entries(app)
    assert sorted(entry.comment_id for entry in logged) == [first, second]
    for entry in logged:
        assert (entry.moderator_id, entry.action, entry.status_before, entry.status_after) == (
            users.moderator.id, "approve", "pending", "approved")
    assert stored(app, Comment, first, "held_by_rule") is None


def test_row_action_acts_on_its_one_comment_and_returns_to_the_tab(client, app, slug, users, auth):
    chosen, other = held_comment(app, slug, "Cheap pills"), held_comment(app, slug, "A real thought")
    auth.login("moderator")
    response = act(client, "spam", [chosen], next="/moderation/?tab=pending")
    assert response.headers["Location"] == "/moderation/?tab=pending"
    page = follow(client, response)
    assert "1 comment marked as spam." in flashes(page)
    assert "Pending (1)" in text_of(page) and "Spam (1)" in text_of(page)
    assert (status_of(app, chosen), status_of(app, other)) == ("spam", "pending")
    [entry] = entries(app)
    assert (entry.comment_id, entry.moderator_id, entry.action, entry.status_before, entry.status_after) == (
        chosen, users.moderator.id, "spam", "pending", "spam")


def test_action_on_a_comment_it_does_not_fit_is_skipped_and_said_so(client, app, slug, auth):
    held, public = held_comment(app, slug, "held"), make_comment(app, slug, "already public")
    auth.login("moderator")
    page = follow(client, act(client, "approve", [held, public]))
    assert ("1 comment approved. 1 comment skipped: already there, or not a status this action applies to."
            in flashes(page))
    assert [entry.comment_id for entry in entries(app)] == [held]
    page = follow(client, act(client, "restore", [public]))
    assert ("0 comments restored. 1 comment skipped: already there, or not a status this action applies to."
            in flashes(page))
    assert status_of(app, public) == "approved" and len(entries(app)) == 1


@pytest.mark.parametrize(
    ("action", "selected", "message"),
    [
        ("frobnicate", True, "Choose what to do with the selected comments."),
        ("", True, "Choose what to do with the selected comments."),
        ("edit", True, "Choose what to do with the selected comments."),
        ("approve", False, "Select at least one comment first."),
    ],
)
def test_unknown_action_or_nothing_selected_changes_nothing(client, app, slug, auth, action, selected, message):
    held = held_comment(app, slug)
    auth.login("moderator")
    page = follow(client, act(client, action, [held] if selected else []))
    assert message in flashes(page)
    assert status_of(app, held) == "pending" and entries(app) == []


def test_moderator_approves_a_held_comment_from_the_post_page_and_returns_to_it(client, app, slug, auth):
    held = held_comment(app, slug, "Seen in place.")
    auth.login("moderator")
    page = client.get(f"/posts/{slug}").get_data(as_text=True)
    assert "Awaiting moderation · held by the rule “first-comment”" in text_of(page)
    back = re.search(rf'name="comment_ids" value="{held}">\s*<input type="hidden" name="next" value="([^"]+)"', page).group(1)
    response = act(client, "approve", [held], next=html.unescape(back))
    assert response.headers["Location"] == f"/posts/{slug}#comment-{held}"
    page = follow(client, response)
    assert "1 comment approved." in flashes(page) and f"One thought on “{TITLE}”" in page


def test_action_never_sends_the_moderator_off_the_site(client, app, slug, auth):
    held = held_comment(app, slug)
    auth.login("moderator")
    response = act(client, "approve", [held], next="//evil.example/queue")
    assert response.headers["Location"] == "/moderation/"


# --- every action is logged once -----------------------------------------------------------------------

def _approved(app, slug):
    return make_comment(app, slug, "A public thought.")


def _trashed(app, slug):
    comment_id = _approved(app, slug)
    moderate(app, comment_id, Action.TRASH)
    return comment_id


def _reported(app, slug):
    comment_id = _approved(app, slug)
    report(app, comment_id, "Ana")
    return comment_id


SETTINGS_FORM = {
    "max_links": "2", "flood_seconds": "0", "close_after_days": "0",
    "moderation_words": "", "disallowed_words": "", "blocked_emails": "", "blocked_addresses": "",
}

# action -> what to prepare, then (who acts, the path, the form)
EVERY_ACTION = {
    "approve": lambda app, slug, users: ("moderator", "/moderation/comments",
                                         {"action": "approve", "comment_ids": [held_comment(app, slug)]}),
    "unapprove": lambda app, slug, users: ("moderator", "/moderation/comments",
                                           {"action": "unapprove", "comment_ids": [_approved(app, slug)]}),
    "spam": lambda app, slug, users: ("moderator", "/moderation/comments",
                                      {"action": "spam", "comment_ids": [_approved(app, slug)]}),
    "trash": lambda app, slug, users: ("moderator", "/moderation/comments",
                                       {"action": "trash", "comment_ids": [_approved(app, slug)]}),
    "restore": lambda app, slug, users: ("moderator", "/moderation/comments",
                                         {"action": "restore", "comment_ids": [_trashed(app, slug)]}),
    "delete": lambda app, slug, users: ("admin", "/moderation/comments",
                                        {"action": "delete", "comment_ids": [_trashed(app, slug)]}),
    "edit": lambda app, slug, users: ("moderator", f"/moderation/comments/{_approved(app, slug)}/edit",
                                      {"body": "A kinder thought.", "reason": "tone"}),
    "dismiss-reports": lambda app, slug, users: ("moderator", f"/moderation/comments/{_reported(app, slug)}/dismiss-reports", {}),
    "suspend": lambda app, slug, users: ("moderator", f"/moderation/accounts/{users.reader.id}/suspend",
                                         {"days": "3", "reason": "Cooling off."}),
    "unsuspend": lambda app, slug, users: (suspend_account(app, "reader") or "moderator",
                                           f"/moderation/accounts/{users.reader.id}/unsuspend", {}),
    "change-role": lambda app, slug, users: ("admin", f"/moderation/accounts/{users.reader.id}/role", {"role": "author"}),
    "settings": lambda app, slug, users: ("admin", "/moderation/settings", {**SETTINGS_FORM, "max_links": "5"}),
}


@pytest.mark.parametrize("action", list(EVERY_ACTION))
def test_every_action_writes_exactly_one_log_entry(client, app, slug, users, auth, action):
    actor, path, form = EVERY_ACTION[action](app, slug, users)
    before = entries(app)
    auth.login(actor)
    response = post_form(client, path, form)
    assert response.status_code == 302
    after = entries(app)
    assert len(after) == len(before) + 1
    newest = after[-1]
    assert newest.action == action and newest.moderator_id == getattr(users, actor).id
    assert no_drift(app)


# --- what readers see ----------------------------------------------------------------------------------

def test_approving_publishes_the_comment_and_trash_takes_it_down(client, app, slug, auth):
    held = held_comment(app, slug, "Worth the wait.")
    visitor = app.test_client()
    page = visitor.get(f"/posts/{slug}").get_data(as_text=True)
    assert "No comments yet" in page and "Worth the wait." not in page
    auth.login("moderator")
    act(client, "approve", [held])
    page = visitor.get(f"/posts/{slug}").get_data(as_text=True)
    assert f"One thought on “{TITLE}”" in page and "Worth the wait." in page
    assert no_drift(app)
    act(client, "trash", [held])
    page = visitor.get(f"/posts/{slug}").get_data(as_text=True)
    assert "No comments yet" in page and "Worth the wait." not in page
    assert no_drift(app)


def test_spam_and_restore_move_the_count_down_and_back_up(client, app, slug, auth):
    kept, moved = make_comment(app, slug, "kept"), make_comment(app, slug, "moved")
    visitor = app.test_client()
    assert f"2 thoughts on “{TITLE}”" in visitor.get(f"/posts/{slug}").get_data(as_text=True)
    auth.login("moderator")
    act(client, "spam", [moved])
    assert f"One thought on “{TITLE}”" in visitor.get(f"/posts/{slug}").get_data(as_text=True)
    act(client, "restore", [moved])
    assert f"2 thoughts on “{TITLE}”" in visitor.get(f"/posts/{slug}").get_data(as_text=True)
    assert status_of(app, moved) == "approved" and status_of(app, kept) == "approved" and no_drift(app)


def test_restore_returns_a_held_comment_to_pending_not_public(client, app, slug, auth):
    held = held_comment(app, slug)
    auth.login("moderator")
    act(client, "spam", [held])
    act(client, "restore", [held])
    assert status_of(app, held) == "pending"
    assert "No comments yet" in app.test_client().get(f"/posts/{slug}").get_data(as_text=True)


# --- delete for good -------------------------------------------------------------------------------------

def test_admin_deleting_a_trashed_comment_with_replies_keeps_a_tombstone_and_the_replies(client, app, slug, users, auth):
    """Other people's approved replies are not the trashed comment's to take along: the comment's
    words go for good, "This comment was deleted." holds the thread, as WordPress and Lobsters do."""
    parent = make_comment(app, slug, "The parent.")
    reply = make_comment(app, slug, "The reply.", author="Ana", parent_id=parent)
    like_comment(app, reply, "author")
    report(app, parent, "Ana")
    moderate(app, parent, Action.TRASH)
    auth.login("admin")
    page = follow(client, act(client, "delete", [parent], next="/moderation/?tab=trash"))
    assert "1 comment deleted for good." in flashes(page) and "Trash (0)" in text_of(page) and "Reported (0)" in text_of(page)
    with app.app_context():
        tombstone = db.session.get(Comment, parent)
        assert tombstone.is_deleted and tombstone.body_markdown == "" and tombstone.body_html == ""
        assert db.session.get(Comment, reply).like_count == 1
    [entry] = entries(app, action="delete")
    assert (entry.comment_id, entry.moderator_id, entry.status_before, entry.status_after) == (
        parent, users.admin.id, "trash", "deleted; kept for its replies")
    log = text_of(client.get("/moderation/log?action=delete").get_data(as_text=True))
    assert f"comment #{parent}: “The parent.” by reader" in log
    post_page = text_of(app.test_client().get(f"/posts/{slug}").get_data(as_text=True))
    assert "This comment was deleted." in post_page and "The reply." in post_page and "The parent." not in post_page
    assert f"One thought on “{TITLE}”" in post_page
    assert no_drift(app)


def test_the_tombstone_of_a_deleted_comment_goes_with_its_last_reply(client, app, slug, auth):
    parent = make_comment(app, slug, "The parent.")
    reply = make_comment(app, slug, "The reply.", author="Ana", parent_id=parent)
    moderate(app, parent, Action.TRASH)
    auth.login("admin")
    act(client, "delete", [parent])
    moderate(app, reply, Action.TRASH)
    page = follow(client, act(client, "delete", [reply]))
    assert "1 comment deleted for good." in flashes(page)
    assert count_rows(app, Comment) == 0
    assert "No comments yet" in app.test_client().get(f"/posts/{slug}").get_data(as_text=True)
    assert no_drift(app)


def test_a_trashed_comment_without_replies_is_deleted_for_good(client, app, slug, auth):
    lonely = make_comment(app, slug, "Nobody answered.")
    moderate(app, lonely, Action.TRASH)
    auth.login("admin")
    assert "1 comment deleted for good." in flashes(follow(client, act(client, "delete", [lonely])))
    [entry] = entries(app, action="delete")
    assert entry.status_after == "deleted" and count_rows(app, Comment) == 0


def test_deleting_a_trashed_thread_and_its_trashed_reply_together_logs_each_once(client, app, slug, auth):
    parent = make_comment(app, slug, "The parent.")
    reply = make_comment(app, slug, "The reply.", parent_id=parent)
    kept = make_comment(app, slug, "Another thread.")
    moderate(app, reply, Action.TRASH)
    moderate(app, parent, Action.TRASH)
    auth.login("admin")
    page = follow(client, act(client, "delete", [parent, reply]))
    assert "2 comments deleted for good." in flashes(page)
    assert sorted(entry.comment_id for entry in entries(app, action="delete")) == [parent, reply]
    assert count_rows(app, Comment) == 1 and status_of(app, kept) == "approved"
    assert f"One thought on “{TITLE}”" in app.test_client().get(f"/posts/{slug}").get_data(as_text=True)
    assert no_drift(app)


def test_delete_for_good_only_takes_comments_from_the_trash(client, app, slug, auth):
    public = make_comment(app, slug, "Still here.")
    auth.login("admin")
    page = follow(client, act(client, "delete", [public]))
    assert ("0 comments deleted for good. 1 comment skipped: already there, or not a status this action applies to."
            in flashes(page))
    assert status_of(app, public) == "approved" and entries(app) == []


def test_delete_for_good_button_shows_only_to_admins_in_the_trash(client, app, slug, auth):
    moderate(app, make_comment(app, slug), Action.TRASH)
    auth.login("admin")
    assert "Delete for good" in client.get("/moderation/?tab=trash").get_data(as_text=True)
    assert "Delete for good" not in client.get("/moderation/?tab=pending").get_data(as_text=True)
    auth.logout()
    auth.login("moderator")
    assert "Delete for good" not in client.get("/moderation/?tab=trash").get_data(as_text=True)


# --- the moderator's edit page ---------------------------------------------------------------------------

def test_moderator_edit_marks_the_comment_and_cleans_the_body(client, app, slug, users, auth):
    comment_id = make_comment(app, slug, "Visit my shop at spam dot example.")
    auth.login("moderator")
    page = client.get(f"/moderation/comments/{comment_id}/edit").get_data(as_text=True)
    assert "Edit a comment as moderator" in page and "Visit my shop at spam dot example.</textarea>" in page
    response = post_form(client, f"/moderation/comments/{comment_id}/edit",
                         {"body": "[link removed] **Kindly** said. <script>alert(1)</script>", "reason": "advertising"})
    assert response.headers["Location"] == f"/comments/{comment_id}"
    permalink = client.get(response.headers["Location"])
    assert permalink.headers["Location"] == f"/posts/{slug}#comment-{comment_id}"
    assert "Comment edited; it is marked “edited by a moderator”." in flashes(follow(client, permalink))
    page = app.test_client().get(f"/posts/{slug}").get_data(as_text=True)
    assert "edited by a moderator" in page and "<strong>Kindly</strong> said." in page
    assert "<script>alert" not in page and "spam dot example" not in page
    assert "<script" not in stored(app, Comment, comment_id, "body_html")
    [entry] = entries(app, action="edit")
    assert (entry.moderator_id, entry.reason, entry.status_before, entry.status_after) == (
        users.moderator.id, "advertising", "approved", "approved")


def test_moderator_edit_logs_the_original_words_and_the_new_ones(client, app, slug, users, auth):
    comment_id = make_comment(app, slug, "You are all **idiots** and this essay is worthless.")
    auth.login("moderator")
    post_form(client, f"/moderation/comments/{comment_id}/edit", {"body": "This essay did not work for me.", "reason": "insult"})
    [entry] = entries(app, action="edit")
    assert entry.text_before == "You are all **idiots** and this essay is worthless."
    assert entry.text_after == "This essay did not work for me."
    assert entry.excerpt == "You are all idiots and this essay is worthless."  # what it said, not what it says now
    log = client.get("/moderation/log?action=edit").get_data(as_text=True)
    assert "Before and after" in log
    assert "You are all **idiots** and this essay is worthless.</pre>" in log
    assert "This essay did not work for me.</pre>" in log


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_deleted_comment_cannot_be_edited_by_a_moderator(client, app, slug, auth, method):
    parent = make_comment(app, slug, "Words I took back.")
    make_comment(app, slug, "An answer.", author="Ana", parent_id=parent)
    auth.login("reader")
    post_form(client, f"/comments/{parent}/delete")
    auth.logout()
    auth.login("moderator")
    url = f"/moderation/comments/{parent}/edit"
    response = client.get(url) if method == "GET" else post_form(client, url, {"body": "Words put in their mouth."})
    assert "This comment was deleted; there are no words left to edit." in flashes(follow(client, response))
    assert stored(app, Comment, parent, "body_markdown") == ""
    assert stored(app, Comment, parent, "edited_by_moderator") is False and entries(app) == []
    assert "Words put in their mouth." not in app.test_client().get(f"/posts/{slug}").get_data(as_text=True)


def test_the_service_refuses_to_edit_a_deleted_comment_too(app, slug):
    from community.services import DomainError
    from community.services.moderation import edit_as_moderator

    parent = make_comment(app, slug, "Gone soon.")
    make_comment(app, slug, "An answer.", author="Ana", parent_id=parent)
    with app.app_context():
        from community.services.comments import delete_own_comment

        delete_own_comment(user_named("reader"), db.session.get(Comment, parent))
        db.session.commit()
        with pytest.raises(DomainError, match="This comment was deleted; there are no words left to edit."):
            edit_as_moderator(user_named("moderator"), db.session.get(Comment, parent), "New words.")
        db.session.rollback()
    assert entries(app) == []


def test_moderator_edit_of_a_held_comment_returns_to_its_tab(client, app, slug, auth):
    held = held_comment(app, slug, "Held words.")
    auth.login("moderator")
    response = post_form(client, f"/moderation/comments/{held}/edit", {"body": "Better words."})
    assert response.headers["Location"] == "/moderation/?tab=pending"
    assert "Better words." in follow(client, response) and status_of(app, held) == "pending"


def test_moderator_edit_with_an_empty_body_is_refused_and_keeps_the_comment(client, app, slug, auth):
    comment_id = make_comment(app, slug, "Original words.")
    auth.login("moderator")
    response = post_form(client, f"/moderation/comments/{comment_id}/edit", {"body": "   ", "reason": "oops"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "body") == "Please write a comment before posting."
    assert stored(app, Comment, comment_id, "body_markdown") == "Original words."
    assert stored(app, Comment, comment_id, "edited_by_moderator") is False and entries(app) == []


def test_editing_a_missing_comment_is_not_found(client, slug, auth):
    auth.login("moderator")
    assert client.get("/moderation/comments/999999/edit").status_code == 404


# --- the rules ---------------------------------------------------------------------------------------------

def save_settings(client, **changes):
    return post_form(client, "/moderation/settings", {**SETTINGS_FORM, **changes})


def test_settings_page_shows_the_rules_in_force(client, slug, auth):
    auth.login("admin")
    page = client.get("/moderation/settings").get_data(as_text=True)
    assert "Moderation settings" in page
    assert re.search(r'<input[^>]*id="max_links"[^>]*value="2"', page)
    for label in ("Hold comments containing", "Send to spam comments containing", "Blocked email addresses",
                  "Blocked IP addresses and networks"):
        assert f">{label}</label>" in page


def test_moderation_word_holds_the_next_comment_containing_it(client, app, slug, auth):
    auth.login("admin")
    page = follow(client, save_settings(client, moderation_words="Zeppelin\n  airship  \n"))
    assert "Settings saved: moderation words." in flashes(page)
    assert "Zeppelin\nairship</textarea>" in page
    auth.logout()
    auth.login("reader")
    assert flashes(follow(client, comment_on(client, slug, "I saw a zeppelin today."))) == ["Your comment is awaiting moderation."]
    comment_on(client, slug, "Zeppelinfahrt is a word.")  # not the whole word, nor an inflection of it
    with app.app_context():
        rows = db.session.execute(sa.select(Comment.body_markdown, Comment.status, Comment.held_by_rule).order_by(Comment.id)).all()
    assert [tuple(row) for row in rows] == [
        ("I saw a zeppelin today.", "pending", "moderation-words"),
        ("Zeppelinfahrt is a word.", "approved", None),
    ]


def test_disallowed_word_sends_the_comment_to_spam(client, app, slug, auth):
    auth.login("admin")
    save_settings(client, disallowed_words="casino")
    auth.logout()
    auth.login("reader")
    response = comment_on(client, slug, "Best CASINO bonus!")
    assert flashes(follow(client, response)) == ["Your comment is awaiting moderation."]
    with app.app_context():
        comment = db.session.scalar(sa.select(Comment))
        assert (comment.status, comment.held_by_rule) == ("spam", "disallowed-words")
    # Its author is answered as the author of a held comment is: sent to it, in place.
    assert response.headers["Location"] == f"/posts/{slug}#comment-{comment.id}"


@pytest.mark.parametrize("blocked", ["127.0.0.1", "127.0.0.0/8"])
def test_blocked_address_or_network_sends_the_comment_to_spam(client, app, slug, auth, blocked):
    auth.login("admin")
    assert "Settings saved: blocked addresses." in flashes(follow(client, save_settings(client, blocked_addresses=blocked)))
    auth.logout()
    auth.login("reader")
    comment_on(client, slug, "Hello from home.")
    with app.app_context():
        comment = db.session.scalar(sa.select(Comment))
        assert (comment.status, comment.held_by_rule) == ("spam", "blocked-address")
    assert "No comments yet" in app.test_client().get(f"/posts/{slug}").get_data(as_text=True)


def test_blocked_email_domain_sends_a_guest_comment_to_spam(client, app, slug, auth):
    auth.login("admin")
    save_settings(client, blocked_emails="@spam.example")
    auth.logout()
    comment_on(client, slug, "Hi!", name="Bot", email="bot@spam.example")
    with app.app_context():
        comment = db.session.scalar(sa.select(Comment))
        assert (comment.status, comment.held_by_rule) == ("spam", "blocked-email")


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("blocked_addresses", "10.0.0.1\nnot-an-ip", "“not-an-ip” is not an IP address or network like 203.0.113.0/24."),
        ("blocked_addresses", "300.1.2.3", "“300.1.2.3” is not an IP address or network like 203.0.113.0/24."),
        ("blocked_emails", "ok@example.org\nspammer", "“spammer” is not an email address or @domain."),
    ],
)
def test_invalid_block_list_shows_an_error_at_its_field_and_saves_nothing(client, app, slug, auth, field, typed, message):
    auth.login("admin")
    response = save_settings(client, **{field: typed, "moderation_words": "zeppelin"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, field) == message
    assert f'name="{field}">\r\n{html.escape(typed, quote=False)}</textarea>' in page
    assert [name for name in ("blocked_addresses", "blocked_emails", "moderation_words") if field_error(page, name)] == [field]
    assert count_rows(app, ModerationSettings) == 0 and entries(app) == []
    assert "zeppelin" not in client.get("/moderation/settings").get_data(as_text=True)


def test_settings_change_is_logged_with_each_old_and_new_value(client, app, slug, users, auth):
    auth.login("admin")
    save_settings(client, max_links="5", flood_seconds="30", moderation_words="zeppelin\nblimp", hold_all_comments="y")
    [entry] = entries(app)
    assert (entry.action, entry.moderator_id) == ("settings", users.admin.id)
    assert entry.reason == ("hold_all_comments: off → on; max_links: 2 → 5; flood_seconds: 0 → 30; "
                            "moderation_words: (none) → zeppelin, blimp")
    assert entry.text_before.splitlines()[-1] == "moderation_words: (none)"
    assert entry.text_after.splitlines()[-1] == "moderation_words: zeppelin, blimp"
    log = text_of(client.get("/moderation/log").get_data(as_text=True))
    assert "admin settings hold_all_comments: off → on; max_links: 2 → 5;" in log
    page = follow(client, save_settings(client, max_links="5", flood_seconds="30", moderation_words="zeppelin\nblimp",
                                        hold_all_comments="y"))
    assert "Nothing changed." in flashes(page) and len(entries(app)) == 1
    save_settings(client, max_links="2", flood_seconds="30", moderation_words="zeppelin", hold_all_comments="y")
    assert entries(app)[-1].reason == "max_links: 5 → 2; moderation_words: zeppelin, blimp → zeppelin"


def test_settings_number_out_of_range_is_refused_at_its_field(client, app, slug, auth):
    auth.login("admin")
    response = save_settings(client, max_links="500")
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "max_links") == "From 0 to 100."
    assert count_rows(app, ModerationSettings) == 0


def test_settings_sent_without_the_block_lists_is_not_a_server_error(client, app, slug, auth):
    auth.login("admin")
    response = post_form(client, "/moderation/settings", {"max_links": "3", "flood_seconds": "0", "close_after_days": "0"})
    assert response.status_code == 302
    assert "Settings saved: most links." in flashes(follow(client, response))


def test_settings_page_focuses_no_field_and_names_no_missing_description(client, slug, auth):
    auth.login("admin")
    page = client.get("/moderation/settings").get_data(as_text=True)
    assert "autofocus" not in page and '="None"' not in page


def test_moderator_edit_page_focuses_the_comment_field_only(client, app, slug, auth):
    comment_id = make_comment(app, slug)
    auth.login("moderator")
    page = client.get(f"/moderation/comments/{comment_id}/edit").get_data(as_text=True)
    assert re.findall(r'<(?:input|textarea)[^>]*\bautofocus\b[^>]*>', page) == [
        re.search(r'<textarea[^>]*id="body"[^>]*>', page).group(0)]
    assert '="None"' not in page


# --- the log ---------------------------------------------------------------------------------------------

def log_rows(page: str) -> list[int]:
    return [int(entry_id) for entry_id in re.findall(r'<tr id="log-(\d+)">', page)]


@pytest.fixture
def history(app, slug, users) -> dict[str, int]:
    """Three actions by two people on two accounts, oldest first."""
    readers = make_comment(app, slug, "By the reader.")
    anas = make_comment(app, slug, "By Ana.", author="Ana")
    moderate(app, readers, Action.SPAM, by="moderator")
    moderate(app, anas, Action.TRASH, by="admin")
    suspend_account(app, "author")
    ids = [entry.id for entry in entries(app)]
    return {"spam": ids[0], "trash": ids[1], "suspend": ids[2]}


def test_log_lists_actions_newest_first(client, history, auth):
    auth.login("moderator")
    page = client.get("/moderation/log").get_data(as_text=True)
    assert log_rows(page) == [history["suspend"], history["trash"], history["spam"]]
    text = text_of(page)
    assert "moderator spam comment #" in text and "“By the reader.” by reader approved → spam" in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("moderator=admin", ["suspend", "trash"]),
        ("moderator=moderator", ["spam"]),
        ("action=trash", ["trash"]),
        ("account=ana", ["trash"]),
        ("account=author", ["suspend"]),
        ("moderator=admin&action=suspend", ["suspend"]),
        ("moderator=nobody", []),
    ],
)
def test_log_filters_by_moderator_action_and_account(client, history, auth, query, expected):
    auth.login("moderator")
    page = client.get(f"/moderation/log?{query}").get_data(as_text=True)
    assert log_rows(page) == [history[name] for name in expected]
    if not expected:
        assert "No actions match." in page


@pytest.mark.parametrize("action", [Action.SPAM, Action.TRASH])
def test_undo_puts_the_comment_back_and_logs_the_undo(client, app, slug, users, auth, action):
    comment_id = make_comment(app, slug, "Wrongly removed.")
    auth.login("moderator")
    act(client, action.value, [comment_id])
    [entry] = entries(app)
    log = client.get("/moderation/log").get_data(as_text=True)
    assert f'action="/moderation/log/{entry.id}/undo"' in log
    page = follow(client, post_form(client, f"/moderation/log/{entry.id}/undo"))
    assert f"Undone: comment #{comment_id} is approved again." in flashes(page)
    assert status_of(app, comment_id) == "approved" and no_drift(app)
    assert "Wrongly removed." in app.test_client().get(f"/posts/{slug}").get_data(as_text=True)
    original, undo = entries(app)
    assert (undo.action, undo.undoes_id, undo.moderator_id, undo.status_before, undo.status_after) == (
        "restore", entry.id, users.moderator.id, action.value, "approved")
    assert f'action="/moderation/log/{entry.id}/undo"' not in page and "undone" in text_of(page)


def test_a_second_undo_of_the_same_entry_is_refused(client, app, slug, auth):
    comment_id = make_comment(app, slug)
    auth.login("moderator")
    act(client, "spam", [comment_id])
    [entry] = entries(app)
    post_form(client, f"/moderation/log/{entry.id}/undo")
    page = follow(client, post_form(client, f"/moderation/log/{entry.id}/undo"))
    assert "This action was already undone." in flashes(page)
    assert len(entries(app)) == 2 and status_of(app, comment_id) == "approved"


def test_undo_of_an_action_that_cannot_be_undone_is_refused(client, app, slug, auth):
    held = held_comment(app, slug)
    auth.login("moderator")
    act(client, "approve", [held])
    [entry] = entries(app)
    assert f'action="/moderation/log/{entry.id}/undo"' not in client.get("/moderation/log").get_data(as_text=True)
    page = follow(client, post_form(client, f"/moderation/log/{entry.id}/undo"))
    assert "This action cannot be undone from the log." in flashes(page)
    assert status_of(app, held) == "approved" and len(entries(app)) == 1


def test_undo_after_the_comment_moved_on_is_refused(client, app, slug, auth):
    comment_id = make_comment(app, slug)
    auth.login("moderator")
    act(client, "spam", [comment_id])
    act(client, "trash", [comment_id])
    spam_entry = entries(app, action="spam")[0]
    page = follow(client, post_form(client, f"/moderation/log/{spam_entry.id}/undo"))
    assert "The comment has changed since; act on it from the queue instead." in flashes(page)
    assert status_of(app, comment_id) == "trash" and len(entries(app)) == 2


def test_log_shows_what_the_system_hid_and_its_undo_brings_the_comment_back(client, app, slug, auth):
    comment_id = make_comment(app, slug, "Divisive.")
    for name in ("Ana", "author", "other_author"):
        report(app, comment_id, name)
    moderate(app, make_comment(app, slug, "Spam."), Action.SPAM)
    [auto_hide] = entries(app, action="auto-hide")
    auth.login("moderator")
    page = client.get("/moderation/log?moderator=system").get_data(as_text=True)
    assert log_rows(page) == [auto_hide.id]
    assert "the system auto-hide" in text_of(page) and "3 readers reported it" in text_of(page)
    page = follow(client, post_form(client, f"/moderation/log/{auto_hide.id}/undo"))
    assert f"Undone: comment #{comment_id} is approved again." in flashes(page)
    assert status_of(app, comment_id) == "approved" and no_drift(app)
    assert "Divisive." in app.test_client().get(f"/posts/{slug}").get_data(as_text=True)


def test_undo_of_a_missing_entry_is_not_found(client, slug, auth):
    auth.login("moderator")
    assert post_form(client, "/moderation/log/999999/undo").status_code == 404


# --- accounts ------------------------------------------------------------------------------------------------

def account_names(page: str) -> list[str]:
    return re.findall(r'<a href="/moderation/accounts/\d+">([^<]+)</a>', page)


@pytest.mark.parametrize(
    ("query", "expected"),
    [("ana", ["Ana"]), ("AUTHOR", ["author", "other_author"]), ("mod@example", ["moderator"]), ("nobody", [])],
)
def test_accounts_search_finds_by_username_or_email(client, users, auth, query, expected):
    auth.login("moderator")
    page = client.get(f"/moderation/accounts?q={query}").get_data(as_text=True)
    assert account_names(page) == expected
    if not expected:
        assert "No account matches." in page


def test_accounts_list_can_show_only_the_suspended(client, app, users, auth):
    suspend_account(app, "Ana")
    auth.login("moderator")
    page = client.get("/moderation/accounts?suspended=1").get_data(as_text=True)
    assert account_names(page) == ["Ana"] and "Suspended" in text_of(page)


def test_account_page_shows_the_suspend_form(client, users, auth):
    auth.login("moderator")
    page = client.get(f"/moderation/accounts/{users.reader.id}").get_data(as_text=True)
    assert f'action="/moderation/accounts/{users.reader.id}/suspend"' in page
    assert ">Suspend for</label>" in page and ">Reason, shown to the person</label>" in page
    assert '<option selected value="7">a week</option>' in page
    assert "Suspend reader</button>" in page and "Change role" not in page


def test_suspended_person_cannot_comment_and_reads_why_at_the_comment_field(client, app, slug, users, auth):
    auth.login("moderator")
    response = post_form(client, f"/moderation/accounts/{users.reader.id}/suspend", {"days": "7", "reason": "Spamming  links."})
    page = follow(client, response)
    assert "reader is suspended for a week." in flashes(page)
    with app.app_context():
        until = db.session.get(User, users.reader.id).suspended_until
    assert timedelta(days=6, hours=23) < until - utcnow() <= timedelta(days=7)
    assert "Reason: Spamming links." in text_of(page) and "Lift the suspension" in page
    auth.logout()
    auth.login("reader")
    response = comment_on(client, slug, "Let me back in.")
    assert response.status_code == 403
    assert field_error(response.get_data(as_text=True), "body") == (
        f"Your account is suspended until {until:%-d %B %Y, %H:%M} UTC. Reason: Spamming links.")
    assert "Let me back in.</textarea>" in response.get_data(as_text=True)
    assert count_rows(app, Comment) == 0


def test_suspension_reason_reaches_the_person_as_text_not_markup(client, app, slug, users, auth):
    suspend_account(app, "reader", reason="<b>Bold</b> claims")
    auth.login("reader")
    page = comment_on(client, slug, "Hi").get_data(as_text=True)
    assert "Reason: &lt;b&gt;Bold&lt;/b&gt; claims" in page and "<b>Bold</b>" not in page


def test_suspended_person_cannot_like(client, app, slug, users, auth):
    suspend_account(app, "reader", reason="Cooling off.")
    with app.app_context():
        post_id = post_by_slug(slug).id
    auth.login("reader")
    response = post_form(client, f"/likes/posts/{post_id}", {"liked": "1"})
    assert response.status_code == 403 and "Reason: Cooling off." in response.get_data(as_text=True)
    assert count_rows(app, PostLike) == 0


def test_lifting_the_suspension_lets_them_comment_again(client, app, slug, users, auth):
    suspend_account(app, "reader")
    auth.login("moderator")
    page = follow(client, post_form(client, f"/moderation/accounts/{users.reader.id}/unsuspend"))
    assert "reader's suspension is lifted." in flashes(page) and "Suspend reader</button>" in page
    auth.logout()
    auth.login("reader")
    assert comment_on(client, slug, "Glad to be back.").status_code == 302
    assert "Glad to be back." in app.test_client().get(f"/posts/{slug}").get_data(as_text=True)


def test_lifting_a_suspension_that_is_not_there_is_refused(client, app, users, auth):
    auth.login("moderator")
    page = follow(client, post_form(client, f"/moderation/accounts/{users.reader.id}/unsuspend"))
    assert "This account is not suspended." in flashes(page) and entries(app) == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_suspension_without_a_reason_is_refused_at_the_reason_field(client, app, users, auth, reason):
    auth.login("moderator")
    response = post_form(client, f"/moderation/accounts/{users.reader.id}/suspend", {"days": "7", "reason": reason})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "reason") == "Give a reason; the person will see it."
    assert stored(app, User, users.reader.id, "suspended_until") is None and entries(app) == []


def test_suspension_for_good_lasts_until_lifted(client, app, slug, users, auth):
    auth.login("moderator")
    page = follow(client, post_form(client, f"/moderation/accounts/{users.reader.id}/suspend",
                                    {"days": "forever", "reason": "Threats."}))
    assert "reader is suspended until further notice." in flashes(page)
    auth.logout()
    auth.login("reader")
    response = comment_on(client, slug, "Hello?")
    assert field_error(response.get_data(as_text=True), "body") == (
        "Your account is suspended until further notice. Reason: Threats.")


def test_admin_changes_a_readers_role_and_they_can_write_posts(client, app, users, auth):
    reader_client = app.test_client()
    AuthActions(reader_client).login("reader")
    assert reader_client.get("/posts/new").status_code == 403
    auth.login("admin")
    page = client.get(f"/moderation/accounts/{users.reader.id}").get_data(as_text=True)
    assert '<option selected value="reader">Reader</option>' in page
    page = follow(client, post_form(client, f"/moderation/accounts/{users.reader.id}/role", {"role": "author"}))
    assert "reader is now author." in flashes(page)
    assert stored(app, User, users.reader.id, "role") == Role.AUTHOR
    assert reader_client.get("/posts/new").status_code == 200
    [entry] = entries(app, action="change-role")
    assert (entry.status_before, entry.status_after, entry.account_id) == ("reader", "author", users.reader.id)


def test_changing_a_role_to_the_one_it_has_is_refused_at_the_role_field(client, app, users, auth):
    auth.login("admin")
    response = post_form(client, f"/moderation/accounts/{users.reader.id}/role", {"role": "reader"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "role") == "reader is already reader."
    assert entries(app) == []


def test_account_page_lists_recent_comments_and_moderation_history(client, app, slug, users, auth):
    comment_id = make_comment(app, slug, "My only thought.")
    moderate(app, comment_id, Action.SPAM)
    suspend_account(app, "reader", reason="Spam run.")
    auth.login("moderator")
    page = text_of(client.get(f"/moderation/accounts/{users.reader.id}").get_data(as_text=True))
    assert f"spam · on {TITLE}" in page and "My only thought." in page
    assert "suspend by admin: Spam run." in page and "spam by moderator" in page
