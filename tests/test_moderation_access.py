"""Who may open each moderation page and press each moderation button: a role × route matrix built
from the app's own routes, so a new route without an entry here fails."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta

import pytest

from community.extensions import db
from community.models import Comment, CommentStatus, LogEntry, Role, User
from community.models.base import utcnow
from community.services.accounts import create_account
from community.services.moderation import Action, moderate_comment, suspend
from community.services.reports import report_comment
from tests.conftest import PASSWORD, post_form
from tests.factories import count_rows, make_comment, make_post, stored, user_named

ROLES = ("signed out", "reader", "author", "moderator", "admin")
LOGIN = "login"  # a 302 to the login page
ALLOWED_GET = 200
ALLOWED_POST = 302  # an action done, then back to a moderation page


@dataclass
class World:
    """What the routes act on: a comment of each kind, a log entry to undo, accounts to act on."""

    slug: str
    approved_id: int
    pending_id: int
    reported_id: int
    trash_id: int
    spam_entry_id: int
    reader_id: int
    target_id: int  # Ana, a reader: suspended and promoted in these requests
    suspended_id: int  # other_author, already suspended


@pytest.fixture
def world(app, users) -> World:
    slug = make_post(app, title="Old Friends")
    approved_id = make_comment(app, slug, "Kind words.")
    pending_id = make_comment(app, slug, "Waiting for a look.")
    reported_id = make_comment(app, slug, "Buy cheap watches.")
    trash_id = make_comment(app, slug, "Thrown away.")
    spam_id = make_comment(app, slug, "Spammy.")
    with app.app_context():
        moderator, admin = user_named("moderator"), user_named("admin")
        moderate_comment(moderator, db.session.get(Comment, pending_id), Action.UNAPPROVE)
        moderate_comment(moderator, db.session.get(Comment, trash_id), Action.TRASH)
        moderate_comment(moderator, db.session.get(Comment, spam_id), Action.SPAM)
        report_comment(user_named("Ana"), db.session.get(Comment, reported_id), "spam")
        suspend(admin, user_named("other_author"), utcnow() + timedelta(days=3), "Shouting.")
        db.session.commit()
        spam_entry_id = db.session.scalar(
            db.select(LogEntry.id).where(LogEntry.comment_id == spam_id, LogEntry.action == Action.SPAM)
        )
    return World(
        slug=slug, approved_id=approved_id, pending_id=pending_id, reported_id=reported_id, trash_id=trash_id, spam_entry_id=spam_entry_id,
        reader_id=users.reader.id, target_id=users.other_reader.id, suspended_id=users.other_author.id,
    )


def expect(moderator: int, admin: int) -> dict[str, object]:
    """Signed-out people are sent to log in; readers and authors are refused; staff as given."""
    return {"signed out": LOGIN, "reader": 403, "author": 403, "moderator": moderator, "admin": admin}


@dataclass(frozen=True)
class Case:
    method: str
    url: Callable[[World], str]
    expected: dict[str, object]
    data: Callable[[World], dict[str, object]] = field(default=lambda world: {})
    label: str = ""


# The whole form, as a browser sends it (unchecked boxes are left out; text areas are always sent).
SETTINGS_FORM = {
    "max_links": "2", "flood_seconds": "0", "close_after_days": "0", "moderation_words": "zeppelin",
    "disallowed_words": "", "blocked_emails": "", "blocked_addresses": "",
}

# Every route of the moderation blueprint, and what each role gets from it.
ROUTES: dict[str, list[Case]] = {
    "moderation.queue": [
        Case("GET", lambda w: "/moderation/", expect(ALLOWED_GET, ALLOWED_GET)),
    ],
    "moderation.act": [
        Case("POST", lambda w: "/moderation/comments", expect(ALLOWED_POST, ALLOWED_POST),
             data=lambda w: {"action": "approve", "comment_ids": [w.pending_id]}, label="approve"),
        Case("POST", lambda w: "/moderation/comments", expect(ALLOWED_POST, ALLOWED_POST),
             data=lambda w: {"action": "unapprove", "comment_ids": [w.approved_id]}, label="unapprove"),
        Case("POST", lambda w: "/moderation/comments", expect(ALLOWED_POST, ALLOWED_POST),
             data=lambda w: {"action": "spam", "comment_ids": [w.approved_id]}, label="spam"),
        Case("POST", lambda w: "/moderation/comments", expect(ALLOWED_POST, ALLOWED_POST),
             data=lambda w: {"action": "trash", "comment_ids": [w.approved_id]}, label="trash"),
        Case("POST", lambda w: "/moderation/comments", expect(ALLOWED_POST, ALLOWED_POST),
             data=lambda w: {"action": "restore", "comment_ids": [w.trash_id]}, label="restore"),
        Case("POST", lambda w: "/moderation/comments", expect(403, ALLOWED_POST),
             data=lambda w: {"action": "delete", "comment_ids": [w.trash_id]}, label="delete"),
    ],
    "moderation.dismiss_reports": [
        Case("POST", lambda w: f"/moderation/comments/{w.reported_id}/dismiss-reports", expect(ALLOWED_POST, ALLOWED_POST)),
    ],
    "moderation.edit_comment": [
        Case("GET", lambda w: f"/moderation/comments/{w.pending_id}/edit", expect(ALLOWED_GET, ALLOWED_GET)),
        Case("POST", lambda w: f"/moderation/comments/{w.pending_id}/edit", expect(ALLOWED_POST, ALLOWED_POST),
             data=lambda w: {"body": "Waiting, politely.", "reason": "tone"}),
    ],
    "moderation.accounts": [
        Case("GET", lambda w: "/moderation/accounts", expect(ALLOWED_GET, ALLOWED_GET)),
    ],
    "moderation.account_detail": [
        Case("GET", lambda w: f"/moderation/accounts/{w.reader_id}", expect(ALLOWED_GET, ALLOWED_GET)),
    ],
    "moderation.suspend": [
        Case("POST", lambda w: f"/moderation/accounts/{w.target_id}/suspend", expect(ALLOWED_POST, ALLOWED_POST),
             data=lambda w: {"days": "7", "reason": "Rude to everyone."}),
    ],
    "moderation.unsuspend": [
        Case("POST", lambda w: f"/moderation/accounts/{w.suspended_id}/unsuspend", expect(ALLOWED_POST, ALLOWED_POST)),
    ],
    "moderation.change_role": [
        Case("POST", lambda w: f"/moderation/accounts/{w.target_id}/role", expect(403, ALLOWED_POST),
             data=lambda w: {"role": "author"}),
    ],
    "moderation.settings": [
        Case("GET", lambda w: "/moderation/settings", expect(403, ALLOWED_GET)),
        Case("POST", lambda w: "/moderation/settings", expect(403, ALLOWED_POST), data=lambda w: dict(SETTINGS_FORM)),
    ],
    "moderation.reset_spam_filter": [
        Case("POST", lambda w: "/moderation/settings/spam-filter/reset", expect(403, ALLOWED_POST)),
    ],
    "moderation.log": [
        Case("GET", lambda w: "/moderation/log", expect(ALLOWED_GET, ALLOWED_GET)),
    ],
    "moderation.undo": [
        Case("POST", lambda w: f"/moderation/log/{w.spam_entry_id}/undo", expect(ALLOWED_POST, ALLOWED_POST)),
    ],
}

MATRIX = [
    pytest.param(endpoint, index, role, id=f"{endpoint}-{case.method}{'-' + case.label if case.label else ''}-{role.replace(' ', '-')}")
    for endpoint, cases in ROUTES.items()
    for index, case in enumerate(cases)
    for role in ROLES
]

LOGIN_NAMES = {"reader": "reader", "author": "author", "moderator": "moderator", "admin": "admin"}


def flashes(page: str) -> list[str]:
    return [html.unescape(message) for message in re.findall(r'<p class="flash flash--\w+">(.*?)</p>', page)]


def test_every_moderation_route_and_method_is_in_the_matrix(app):
    served = {
        rule.endpoint: set(rule.methods) - {"HEAD", "OPTIONS"}
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("moderation.")
    }
    covered = {endpoint: {case.method for case in cases} for endpoint, cases in ROUTES.items()}
    assert covered == served


@pytest.mark.parametrize(("endpoint", "index", "role"), MATRIX)
def test_role_gets_the_expected_answer_from_each_moderation_route(client, app, world, auth, endpoint, index, role):
    case = ROUTES[endpoint][index]
    expected = case.expected[role]
    if role != "signed out":
        auth.login(LOGIN_NAMES[role])
    entries_before = count_rows(app, LogEntry)
    url = case.url(world)
    if case.method == "GET":
        response = client.get(url)
    else:
        response = post_form(client, url, case.data(world))
    entries_after = count_rows(app, LogEntry)
    if expected == LOGIN:
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    else:
        assert response.status_code == expected
        assert response.headers.get("Location", "/moderation").startswith("/")
    # A refused request changes nothing; an allowed action writes its one log entry.
    if case.method == "POST" and expected == ALLOWED_POST:
        assert entries_after == entries_before + 1
    else:
        assert entries_after == entries_before


def test_the_matrix_presses_every_button_of_the_queue(app):
    labels = {case.label for case in ROUTES["moderation.act"]}
    assert labels == {"approve", "unapprove", "spam", "trash", "restore", "delete"}


POST_CASES = [
    pytest.param(endpoint, index, id=f"{endpoint}{'-' + case.label if case.label else ''}")
    for endpoint, cases in ROUTES.items()
    for index, case in enumerate(cases)
    if case.method == "POST"
]
POST_ONLY = sorted({endpoint for endpoint, cases in ROUTES.items() if {case.method for case in cases} == {"POST"}})
BEYOND_64_BITS = 2**63


def as_admin_with_log_count(client, app, auth) -> int:
    """Signed in as the one who may do everything, so only the request itself is at fault."""
    auth.login("admin")
    return count_rows(app, LogEntry)


@pytest.mark.parametrize(("endpoint", "index"), POST_CASES)
def test_a_moderation_post_with_a_bad_csrf_token_is_a_clear_400_and_changes_nothing(client, app, world, auth, endpoint, index):
    case = ROUTES[endpoint][index]
    entries_before = as_admin_with_log_count(client, app, auth)
    response = client.post(case.url(world), data={**case.data(world), "csrf_token": "forged"})
    assert response.status_code == 400
    assert "This form has expired or was sent from another site." in response.get_data(as_text=True)
    assert count_rows(app, LogEntry) == entries_before


@pytest.mark.parametrize("endpoint", POST_ONLY)
def test_a_get_on_a_moderation_button_is_a_405_and_changes_nothing(client, app, world, auth, endpoint):
    case = ROUTES[endpoint][0]
    entries_before = as_admin_with_log_count(client, app, auth)
    response = client.get(case.url(world), query_string=case.data(world))
    assert response.status_code == 405 and response.headers["Allow"].split(", ").count("POST") == 1
    assert "This address does not accept that kind of request." in response.get_data(as_text=True)
    assert count_rows(app, LogEntry) == entries_before


def world_of_impossible_ids(world: World) -> World:
    return replace(world, **{f.name: BEYOND_64_BITS for f in fields(world) if f.name.endswith("_id")})


# The routes with an id in their address: those whose address changes with the ids of the world.
_SOME_WORLD = World(slug="s", **{f.name: 1 for f in fields(World) if f.name.endswith("_id")})
ID_CASES = [
    pytest.param(endpoint, index, id=f"{endpoint}-{case.method}{'-' + case.label if case.label else ''}")
    for endpoint, cases in ROUTES.items()
    for index, case in enumerate(cases)
    if case.url(_SOME_WORLD) != case.url(world_of_impossible_ids(_SOME_WORLD))
]


@pytest.mark.parametrize(("endpoint", "index"), ID_CASES)
def test_a_moderation_route_with_an_impossible_id_is_a_404_and_changes_nothing(client, app, world, auth, endpoint, index):
    case = ROUTES[endpoint][index]
    bad_world = world_of_impossible_ids(world)
    url = case.url(bad_world)
    entries_before = as_admin_with_log_count(client, app, auth)
    response = client.get(url) if case.method == "GET" else post_form(client, url, case.data(bad_world))
    assert response.status_code == 404 and "There is nothing at this address." in response.get_data(as_text=True)
    assert count_rows(app, LogEntry) == entries_before


@pytest.mark.parametrize("index", range(len(ROUTES["moderation.act"])))
def test_a_queue_action_on_an_impossible_id_is_a_400_and_changes_nothing(client, app, world, auth, index):
    case = ROUTES["moderation.act"][index]
    entries_before = as_admin_with_log_count(client, app, auth)
    response = post_form(client, case.url(world), case.data(world_of_impossible_ids(world)))
    assert response.status_code == 400
    assert "The selection names something that is not a comment" in response.get_data(as_text=True)
    assert count_rows(app, LogEntry) == entries_before


def test_refused_reader_sees_the_forbidden_page_not_the_queue(client, world, auth):
    auth.login("reader")
    page = client.get("/moderation/").get_data(as_text=True)
    assert "You are not allowed to see or do this." in page and "Moderation queue" not in page


def test_signed_out_visitor_is_sent_to_log_in_and_back(client, world):
    response = client.get("/moderation/log")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login?next=%2Fmoderation%2Flog"


def test_moderator_cannot_change_settings(client, app, world, auth):
    auth.login("moderator")
    assert client.get("/moderation/settings").status_code == 403
    assert post_form(client, "/moderation/settings", dict(SETTINGS_FORM)).status_code == 403
    queue = client.get("/moderation/").get_data(as_text=True)
    assert 'href="/moderation/settings"' not in queue
    auth.logout()
    auth.login("admin")
    page = client.get("/moderation/settings").get_data(as_text=True)
    assert "zeppelin" not in page


def test_moderator_cannot_delete_comments_for_good(client, app, world, auth):
    auth.login("moderator")
    response = post_form(client, "/moderation/comments", {"action": "delete", "comment_ids": [world.trash_id]})
    assert response.status_code == 403 and "Only admins delete comments for good." in response.get_data(as_text=True)
    assert stored(app, Comment, world.trash_id, "status") == CommentStatus.TRASH
    page = client.get("/moderation/?tab=trash").get_data(as_text=True)
    assert "Delete for good" not in page


def test_moderator_cannot_change_roles(client, app, world, auth):
    auth.login("moderator")
    page = client.get(f"/moderation/accounts/{world.target_id}").get_data(as_text=True)
    assert "Change role" not in page
    assert post_form(client, f"/moderation/accounts/{world.target_id}/role", {"role": "admin"}).status_code == 403
    assert stored(app, User, world.target_id, "role") == Role.READER


@pytest.fixture
def second_moderator(app, users) -> int:
    with app.app_context():
        account = create_account("warden", "warden@example.org", PASSWORD, Role.MODERATOR)
        db.session.commit()
        return account.id


@pytest.mark.parametrize("target", ["admin", "warden"])
def test_moderator_cannot_suspend_an_admin_or_another_moderator(client, app, users, second_moderator, auth, target):
    target_id = users.admin.id if target == "admin" else second_moderator
    auth.login("moderator")
    page = client.get(f"/moderation/accounts/{target_id}").get_data(as_text=True)
    assert "Only an admin can suspend this account." in page and "button--danger" not in page
    response = post_form(client, f"/moderation/accounts/{target_id}/suspend", {"days": "7", "reason": "Coup."})
    assert response.status_code == 403
    assert stored(app, User, target_id, "suspended_until") is None
    assert count_rows(app, LogEntry) == 0


def test_admin_may_suspend_a_moderator(client, app, users, auth):
    auth.login("admin")
    response = post_form(client, f"/moderation/accounts/{users.moderator.id}/suspend", {"days": "1", "reason": "Asleep at the wheel."})
    assert response.status_code == 302
    assert "moderator is suspended for 1 day." in flashes(client.get(response.headers["Location"]).get_data(as_text=True))
    assert stored(app, User, users.moderator.id, "suspended_until") is not None


@pytest.mark.parametrize("name", ["moderator", "admin"])
def test_nobody_can_suspend_themselves(client, app, users, auth, name):
    own_id = getattr(users, name).id
    auth.login(name)
    page = client.get(f"/moderation/accounts/{own_id}").get_data(as_text=True)
    assert f"Suspend {name}</button>" not in page
    response = post_form(client, f"/moderation/accounts/{own_id}/suspend", {"days": "7", "reason": "Tired."})
    assert response.status_code == 403
    assert stored(app, User, own_id, "suspended_until") is None
    assert count_rows(app, LogEntry) == 0


def test_admin_own_account_page_does_not_claim_only_an_admin_may_suspend_it(client, users, auth):
    auth.login("admin")
    page = client.get(f"/moderation/accounts/{users.admin.id}").get_data(as_text=True)
    assert "Only an admin can suspend this account." not in page


def test_admin_cannot_change_their_own_role(client, app, users, auth):
    auth.login("admin")
    response = post_form(client, f"/moderation/accounts/{users.admin.id}/role", {"role": "reader"})
    assert response.status_code == 422
    assert stored(app, User, users.admin.id, "role") == Role.ADMIN
    assert count_rows(app, LogEntry) == 0
    assert client.get("/moderation/settings").status_code == 200


def test_admin_changing_their_own_role_sees_why_next_to_the_role_field(client, users, auth):
    auth.login("admin")
    page = post_form(client, f"/moderation/accounts/{users.admin.id}/role", {"role": "reader"}).get_data(as_text=True)
    error = re.search(r'<p class="field__error" id="role-error" role="alert">(.*?)</p>', page)
    assert error and "You cannot change your own role; ask another admin." in error.group(1)


def test_a_suspended_moderator_cannot_moderate(client, app, users, auth):
    from datetime import timedelta

    from community.models.base import utcnow
    from community.services.moderation import suspend
    from tests.factories import user_named

    with app.app_context():
        suspend(user_named("admin"), user_named("moderator"), utcnow() + timedelta(days=1), "Took sides")
        db.session.commit()
    auth.login("moderator")
    assert client.get("/moderation/").status_code == 403
