"""Who gets what from every route: each rule of the URL map × method × actor → the answer, and for a
route about a comment or a post, its owner as well as everyone else. The moderation blueprint's
table lives in tests/test_moderation_access.py (every role); here it meets a suspended account of
every role. A suspended account reads as its role allows and writes nothing: a suspended author,
moderator or admin gets what a suspended reader gets unless a case says otherwise (reading drafts,
as an admin may), and so does the owner of a comment or post once suspended.
A rule of the URL map without an entry in one of the two tables fails
test_every_route_and_method_has_an_entry: a new route needs its row before it ships."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from community import create_app
from community.extensions import cache, db
from community.models import Comment, Role
from community.personal_data.views import GUEST_LINK_SALT
from community.models.base import utcnow
from community.people.rules import request_email_change
from community.services import passwords
from community.services import signup as signup_rules
from community.services.accounts import create_account
from community.services.comments import delete_own_comment
from community.services.moderation import Action, moderate_comment, suspend
from community.services.posts import update_post
from tests.conftest import PASSWORD, AuthActions, empty_all_tables, post_form, test_config
from tests.factories import make_comment, make_post, post_by_slug, user_named
from tests.test_moderation_access import ROUTES as MODERATION_ROUTES
from tests.test_moderation_access import Case
from tests.test_moderation_access import world  # noqa: F401  (a fixture: what the moderation routes act on)

SUSPENDED = ("suspended author", "suspended moderator", "suspended admin")  # besides the suspended reader
ACTORS = ("signed out", "reader", "suspended reader", "author", "moderator", "admin", *SUSPENDED)
OWNER, SUSPENDED_OWNER = "owner", "suspended owner"
# Who logs in for each actor; the owner is named by the case (the comment's or the post's author).
LOGIN_NAMES = {"reader": "reader", "suspended reader": "suspended", "author": "author",
               "moderator": "moderator", "admin": "admin", "suspended author": "suspended_author",
               "suspended moderator": "suspended_moderator", "suspended admin": "suspended_admin"}
SUSPENDED_ACCOUNTS = {"suspended": Role.READER, "suspended_author": Role.AUTHOR,
                      "suspended_moderator": Role.MODERATOR, "suspended_admin": Role.ADMIN}


@dataclass(frozen=True)
class Outcome:
    """What a person notices: the status, whether they were sent to log in, whether anything changed."""

    status: int
    login: bool = False
    writes: bool = False
    name: str = field(default="", compare=False)

    def __repr__(self) -> str:
        known = next((outcome.name for outcome in NAMED if outcome == self), None)
        return known or f"Outcome({self.status}, login={self.login}, writes={self.writes})"


OK = Outcome(200, name="OK")  # the page or answer, nothing changed
DONE = Outcome(302, writes=True, name="DONE")  # the action happened, then a redirect
AWAY = Outcome(302, name="AWAY")  # sent elsewhere, nothing changed (e.g. the sign-up page when signed in)
LOGIN = Outcome(302, login=True, name="LOGIN")  # sent to log in, nothing changed
RESET = Outcome(302, login=True, writes=True, name="RESET")  # done, then sent to log in afresh
BAD_LINK = Outcome(400, name="BAD_LINK")  # a reset link that is not valid: the page says why
FORBIDDEN = Outcome(403, name="FORBIDDEN")
MISSING = Outcome(404, name="MISSING")
NOT_ALLOWED_METHOD = Outcome(405, name="NOT_ALLOWED_METHOD")
INVALID = Outcome(422, name="INVALID")  # the form again with the error at its field, nothing saved
UNSUBSCRIBED = Outcome(200, writes=True, name="UNSUBSCRIBED")  # done, and the page saying so (one-click unsubscribe)
NAMED = (UNSUBSCRIBED, OK, DONE, AWAY, LOGIN, RESET, BAD_LINK, FORBIDDEN, MISSING, NOT_ALLOWED_METHOD, INVALID)


def answers(default: Outcome, **by_actor: Outcome) -> dict[str, Outcome]:
    """`default` for every actor but those named (signed_out=..., suspended_reader=..., owner=...);
    a suspended account of another role, or a suspended owner, gets what the suspended reader gets
    unless named."""
    table = {actor: default for actor in ACTORS}
    table.update({name.replace("_", " "): outcome for name, outcome in by_actor.items()})
    for actor in (*SUSPENDED, *([SUSPENDED_OWNER] if OWNER in table else [])):
        if actor.replace(" ", "_") not in by_actor:
            table[actor] = table["suspended reader"]
    return table


def SEES_DRAFTS(outcome: Outcome) -> dict[str, Outcome]:  # noqa: N802 (reads as a constant in the tables)
    """A suspended admin, and a suspended author of the draft, still see drafts; a suspension
    refuses their writes there (FORBIDDEN) where others learn nothing of the draft (MISSING)."""
    return {"suspended_admin": outcome, "suspended_owner": outcome}


def members(default: Outcome, **by_actor: Outcome) -> dict[str, Outcome]:
    """The same, for a route that needs an account: signed-out people are sent to log in."""
    return answers(default, **{"signed_out": LOGIN, **by_actor})


@dataclass(frozen=True)
class OwnedCase(Case):
    """A case about an object with an owner: `owner` names the account that owns it."""

    owner: str | None = None


@dataclass(frozen=True)
class Site:
    """What the routes act on. Every comment is commenter's, every post writer's."""

    published: str  # a published post's slug
    published_id: int
    draft: str  # a post that was published, commented on, then withdrawn to a draft
    draft_id: int
    comment: int  # an approved comment on the published post
    held: int  # a comment held for moderation
    tombstone: int  # a comment its author deleted, kept because a reply hangs under it
    draft_comment: int  # an approved comment under the withdrawn post
    reset_token: str  # the token of commenter's emailed password reset link
    email_token: str  # the token of the link confirming commenter's new email address
    mail: MailLinks | None = None  # commenter's links from notification emails
    signup_token: str = ""  # the token of the link emailed to newcomer@example.org to finish signing up


@dataclass(frozen=True)
class MailLinks:
    """The signed links of commenter's notification emails (an unconfirmed address), and a failed email."""

    confirm: str
    unsubscribe: str
    manage: str
    failed_message: int


COMMENT = {"body": "A thought of my own.", "name": "Wren", "email": "wren@example.net"}
ESSAY = {"title": "Open Letters", "body": "New words.", "publish": "y"}
LIKE = {"liked": "1"}
NEW_PASSWORD = "a longer and newer secret"

# A guest's personal data link for an address that wrote nothing, signed with the tests' key.
GUEST_TOKEN = URLSafeTimedSerializer(test_config("")["SECRET_KEY"], salt=GUEST_LINK_SALT).dumps("nobody@example.org")

# One entry per endpoint: its cases, and what each actor gets from each.
ROUTES: dict[str, list[Case]] = {
    "static": [Case("GET", lambda s: "/static/css/site.css", answers(OK))],
    "avatars.avatar": [Case("GET", lambda s: "/avatars/0123456789abcdef0123.svg", answers(OK))],
    "health.healthz": [Case("GET", lambda s: "/healthz", answers(OK))],
    "auth.register": [
        Case("GET", lambda s: "/auth/register", answers(AWAY, signed_out=OK)),
        # The first step stores nothing: the page says a link was emailed (tests/test_signup.py).
        Case("POST", lambda s: "/auth/register", answers(AWAY, signed_out=OK),
             data=lambda s: {"username": "newcomer", "email": "newcomer@example.org"}),
    ],
    # The emailed sign-up link is the credential; signed in, one is sent away as from the form.
    "auth.confirm_signup": [
        Case("GET", lambda s: f"/auth/register/confirm/{s.signup_token}", answers(AWAY, signed_out=OK),
             label="newcomer's-link"),
        Case("POST", lambda s: f"/auth/register/confirm/{s.signup_token}", answers(AWAY, signed_out=DONE),
             data=lambda s: {"password": PASSWORD, "confirm": PASSWORD}, label="newcomer's-link"),
        Case("GET", lambda s: "/auth/register/confirm/not-a-token", answers(AWAY, signed_out=BAD_LINK),
             label="bad-link"),
        Case("POST", lambda s: "/auth/register/confirm/not-a-token", answers(AWAY, signed_out=BAD_LINK),
             data=lambda s: {"password": PASSWORD, "confirm": PASSWORD}, label="bad-link"),
    ],
    "auth.login": [
        Case("GET", lambda s: "/auth/login", answers(AWAY, signed_out=OK)),
        Case("POST", lambda s: "/auth/login", answers(AWAY),
             data=lambda s: {"login": "reader", "password": PASSWORD}),
    ],
    # Logging out ends every session of the account: its session version moves (a write).
    "auth.logout": [Case("POST", lambda s: "/auth/logout", members(DONE))],
    "auth.change_password": [
        Case("GET", lambda s: "/auth/password", members(OK)),
        Case("POST", lambda s: "/auth/password", members(DONE),
             data=lambda s: {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}),
    ],
    "auth.forgot_password": [
        Case("GET", lambda s: "/auth/password/forgot", answers(OK)),
        # One answer for everyone, whether the account exists or not: to the login page, nothing stored.
        Case("POST", lambda s: "/auth/password/forgot", answers(LOGIN), data=lambda s: {"login": "commenter"}),
    ],
    # Only the emailed link opens the form (tests/test_passwords.py); without it everyone gets the same
    # refusal. The link is the credential: whoever holds it may use it, signed in as anyone or not.
    "auth.reset_password": [
        OwnedCase("GET", lambda s: f"/auth/password/reset/{s.reset_token}", answers(OK, owner=OK),
                  label="commenter's-link", owner="commenter"),
        OwnedCase("POST", lambda s: f"/auth/password/reset/{s.reset_token}", answers(RESET, owner=RESET),
                  data=lambda s: {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, label="commenter's-link",
                  owner="commenter"),
        Case("GET", lambda s: "/auth/password/reset/not-a-token", answers(BAD_LINK), label="bad-link"),
        Case("POST", lambda s: "/auth/password/reset/not-a-token", answers(BAD_LINK),
             data=lambda s: {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, label="bad-link"),
    ],
    "posts.index": [Case("GET", lambda s: "/", answers(OK))],
    "site_files.favicon": [Case("GET", lambda s: "/favicon.ico", answers(OK))],
    "site_files.robots": [Case("GET", lambda s: "/robots.txt", answers(OK))],
    # People pages are public; settings are one's own (tests/test_people.py).
    "people.profile": [
        Case("GET", lambda s: "/people/commenter", answers(OK), label="someone"),
        Case("GET", lambda s: "/people/nobody-here", answers(MISSING), label="no-one"),
    ],
    "people.settings": [Case("GET", lambda s: "/account", members(OK))],
    "people.update_profile": [
        Case("POST", lambda s: "/account/profile", members(DONE, suspended_reader=FORBIDDEN),
             data=lambda s: {"display_name": "Someone New", "bio": "I read *everything*."}),
    ],
    # Nothing changes until the link sent to the new address is followed: an email, then the settings.
    "people.change_email": [
        Case("POST", lambda s: "/account/email", members(AWAY),
             data=lambda s: {"email": "fresh@example.org", "current_password": PASSWORD}),
    ],
    # As with a reset link, the link is the credential; signed out, one is sent to log in afterwards.
    "people.confirm_email": [
        OwnedCase("GET", lambda s: f"/account/email/confirm/{s.email_token}", answers(OK, owner=OK),
                  label="commenter's-link", owner="commenter"),
        OwnedCase("POST", lambda s: f"/account/email/confirm/{s.email_token}", answers(DONE, signed_out=RESET, owner=DONE),
                  label="commenter's-link", owner="commenter"),
        Case("GET", lambda s: "/account/email/confirm/not-a-token", answers(BAD_LINK), label="bad-link"),
        Case("POST", lambda s: "/account/email/confirm/not-a-token", answers(BAD_LINK), label="bad-link"),
    ],
    # Everyone finds the same: published posts and public comments (tests/test_search.py).
    "search.results": [Case("GET", lambda s: "/search?q=letters", answers(OK))],
    "posts.detail": [
        Case("GET", lambda s: f"/posts/{s.published}", answers(OK), label="published"),
        OwnedCase("GET", lambda s: f"/posts/{s.draft}", answers(MISSING, admin=OK, owner=OK, **SEES_DRAFTS(OK)),
                  label="draft", owner="writer"),
    ],
    "posts.drafts": [Case("GET", lambda s: "/drafts", members(FORBIDDEN, author=OK, admin=OK))],
    "posts.new": [
        Case("GET", lambda s: "/posts/new", members(FORBIDDEN, author=OK, admin=OK)),
        Case("POST", lambda s: "/posts/new", members(FORBIDDEN, author=DONE, admin=DONE), data=lambda s: dict(ESSAY)),
    ],
    "posts.edit": [
        OwnedCase("GET", lambda s: f"/posts/{s.published}/edit", members(FORBIDDEN, admin=OK, owner=OK),
                  label="published", owner="writer"),
        OwnedCase("POST", lambda s: f"/posts/{s.published}/edit", members(FORBIDDEN, admin=DONE, owner=DONE),
                  data=lambda s: dict(ESSAY), label="published", owner="writer"),
        OwnedCase("GET", lambda s: f"/posts/{s.draft}/edit", members(MISSING, admin=OK, owner=OK, **SEES_DRAFTS(FORBIDDEN)),
                  label="draft", owner="writer"),
        OwnedCase("POST", lambda s: f"/posts/{s.draft}/edit", members(MISSING, admin=DONE, owner=DONE, **SEES_DRAFTS(FORBIDDEN)),
                  data=lambda s: {"title": "Withdrawn", "body": "Still thinking."}, label="draft", owner="writer"),
    ],
    "comments.create": [
        Case("POST", lambda s: f"/posts/{s.published}/comments", answers(DONE, suspended_reader=FORBIDDEN),
             data=lambda s: dict(COMMENT), label="published"),
        Case("POST", lambda s: f"/posts/{s.published}/comments", answers(INVALID, suspended_reader=FORBIDDEN),
             data=lambda s: {**COMMENT, "parent_id": s.held}, label="reply-to-held"),
        OwnedCase("POST", lambda s: f"/posts/{s.draft}/comments", answers(MISSING, admin=FORBIDDEN, owner=FORBIDDEN,
                                                                              **SEES_DRAFTS(FORBIDDEN)),
                  data=lambda s: dict(COMMENT), label="draft", owner="writer"),
    ],
    "comments.preview": [Case("POST", lambda s: "/comments/preview", answers(OK), data=lambda s: {"body": "*Soft*"})],
    "comments.count": [
        Case("GET", lambda s: f"/posts/{s.published}/comments/count", answers(OK), label="published"),
        OwnedCase("GET", lambda s: f"/posts/{s.draft}/comments/count", answers(MISSING, admin=OK, owner=OK, **SEES_DRAFTS(OK)),
                  label="draft", owner="writer"),
    ],
    "comments.threads": [
        Case("GET", lambda s: f"/posts/{s.published}/threads", answers(OK), label="published"),
        OwnedCase("GET", lambda s: f"/posts/{s.draft}/threads", answers(MISSING, admin=OK, owner=OK, **SEES_DRAFTS(OK)),
                  label="draft", owner="writer"),
    ],
    "comments.permalink": [
        Case("GET", lambda s: f"/comments/{s.comment}", answers(AWAY), label="approved"),
        OwnedCase("GET", lambda s: f"/comments/{s.held}", answers(MISSING, owner=MISSING), label="held", owner="commenter"),
        OwnedCase("GET", lambda s: f"/comments/{s.draft_comment}", answers(MISSING, admin=AWAY, owner=AWAY, **SEES_DRAFTS(AWAY)),
                  label="under-draft", owner="writer"),
    ],
    "comments.edit": [
        OwnedCase("GET", lambda s: f"/comments/{s.comment}/edit", members(FORBIDDEN, owner=OK, suspended_owner=AWAY),
                  label="approved", owner="commenter"),
        OwnedCase("POST", lambda s: f"/comments/{s.comment}/edit", members(FORBIDDEN, owner=DONE),
                  data=lambda s: {"body": "Second thoughts."}, label="approved", owner="commenter"),
        OwnedCase("GET", lambda s: f"/comments/{s.held}/edit", members(FORBIDDEN, owner=OK, suspended_owner=AWAY),
                  label="held", owner="commenter"),
        OwnedCase("POST", lambda s: f"/comments/{s.held}/edit", members(FORBIDDEN, owner=DONE),
                  data=lambda s: {"body": "Second thoughts."}, label="held", owner="commenter"),
        OwnedCase("GET", lambda s: f"/comments/{s.tombstone}/edit", members(FORBIDDEN, owner=AWAY, suspended_owner=AWAY),
                  label="deleted", owner="commenter"),
        OwnedCase("POST", lambda s: f"/comments/{s.tombstone}/edit", members(FORBIDDEN, owner=FORBIDDEN),
                  data=lambda s: {"body": "Back again."}, label="deleted", owner="commenter"),
        OwnedCase("GET", lambda s: f"/comments/{s.draft_comment}/edit", members(MISSING, admin=FORBIDDEN, owner=MISSING,
                                                                                  suspended_admin=FORBIDDEN),
                  label="under-draft", owner="commenter"),
        OwnedCase("POST", lambda s: f"/comments/{s.draft_comment}/edit", members(MISSING, admin=FORBIDDEN, owner=MISSING,
                                                                                   suspended_admin=FORBIDDEN),
                  data=lambda s: {"body": "Second thoughts."}, label="under-draft", owner="commenter"),
    ],
    "comments.delete": [
        OwnedCase("GET", lambda s: f"/comments/{s.comment}/delete", members(FORBIDDEN, owner=OK),
                  label="approved", owner="commenter"),
        OwnedCase("POST", lambda s: f"/comments/{s.comment}/delete", members(FORBIDDEN, owner=DONE),
                  label="approved", owner="commenter"),
        OwnedCase("GET", lambda s: f"/comments/{s.held}/delete", members(FORBIDDEN, owner=OK), label="held", owner="commenter"),
        OwnedCase("POST", lambda s: f"/comments/{s.held}/delete", members(FORBIDDEN, owner=DONE), label="held", owner="commenter"),
        OwnedCase("POST", lambda s: f"/comments/{s.tombstone}/delete", members(FORBIDDEN, owner=FORBIDDEN),
                  label="deleted", owner="commenter"),
        OwnedCase("POST", lambda s: f"/comments/{s.draft_comment}/delete", members(MISSING, admin=FORBIDDEN, owner=MISSING,
                                                                                     suspended_admin=FORBIDDEN),
                  label="under-draft", owner="commenter"),
    ],
    "comments.report": [
        OwnedCase("GET", lambda s: f"/comments/{s.comment}/report", members(OK, owner=OK), label="approved", owner="commenter"),
        OwnedCase("POST", lambda s: f"/comments/{s.comment}/report", members(DONE, suspended_reader=FORBIDDEN, owner=INVALID),
                  data=lambda s: {"reason": "spam"}, label="approved", owner="commenter"),
        OwnedCase("GET", lambda s: f"/comments/{s.held}/report", members(MISSING, owner=MISSING), label="held", owner="commenter"),
        OwnedCase("POST", lambda s: f"/comments/{s.tombstone}/report", members(MISSING, owner=MISSING),
                  data=lambda s: {"reason": "spam"}, label="deleted", owner="commenter"),
    ],
    # Feeds are public documents: a draft's is missing for everyone, its author and admins too.
    "feeds.posts": [Case("GET", lambda s: "/feed", answers(OK))],
    "feeds.comments": [Case("GET", lambda s: "/comments/feed", answers(OK))],
    "feeds.post_comments": [
        Case("GET", lambda s: f"/posts/{s.published}/feed", answers(OK), label="published"),
        OwnedCase("GET", lambda s: f"/posts/{s.draft}/feed", answers(MISSING, owner=MISSING), label="draft", owner="writer"),
    ],
    # Old addresses of imported posts (tests/test_import_wordpress.py follows them); none here.
    "old_links.moved": [
        Case("GET", lambda s: "/2019/03/04/not-imported/", answers(MISSING), label="dated"),
        Case("GET", lambda s: "/not-imported/", answers(MISSING), label="slug"),
    ],
    # Personal data: one's own account, or a guest's comments through the mailed link (here an
    # address with no comments: the link works, and erasing finds nothing to erase).
    "personal_data.index": [Case("GET", lambda s: "/personal-data", answers(OK))],
    "personal_data.download": [Case("GET", lambda s: "/personal-data/download", members(OK))],
    "personal_data.delete_account": [
        Case("POST", lambda s: "/personal-data/delete", members(DONE),
             data=lambda s: {"keep_comments": "delete", "password": PASSWORD}),
    ],
    "personal_data.guest_request": [
        Case("POST", lambda s: "/personal-data/guest", answers(AWAY), data=lambda s: {"email": "nobody@example.org"}),
    ],
    "personal_data.guest": [Case("GET", lambda s: f"/personal-data/guest/{GUEST_TOKEN}", answers(OK))],
    "personal_data.guest_download": [Case("GET", lambda s: f"/personal-data/guest/{GUEST_TOKEN}/download", answers(OK))],
    "personal_data.guest_delete": [
        Case("POST", lambda s: f"/personal-data/guest/{GUEST_TOKEN}/delete", answers(AWAY),
             data=lambda s: {"keep_comments": "delete"}),
    ],
    # The admin's erasure of an account (tests/test_personal_data.py erases one); here one that is not there.
    "personal_data.admin_erase": [
        Case("POST", lambda s: "/moderation/accounts/2147483647/erase", members(FORBIDDEN, admin=MISSING),
             data=lambda s: {"keep_comments": "keep"}, label="no-such-account"),
    ],
    "likes.post_like": [
        OwnedCase("POST", lambda s: f"/likes/posts/{s.published_id}", members(DONE, suspended_reader=FORBIDDEN, owner=DONE),
                  data=lambda s: dict(LIKE), label="published", owner="writer"),
        OwnedCase("POST", lambda s: f"/likes/posts/{s.draft_id}", answers(MISSING, owner=MISSING, **SEES_DRAFTS(FORBIDDEN)),
                  data=lambda s: dict(LIKE), label="draft", owner="writer"),
    ],
    "likes.comment_like": [
        OwnedCase("POST", lambda s: f"/likes/comments/{s.comment}", members(DONE, suspended_reader=FORBIDDEN, owner=DONE),
                  data=lambda s: dict(LIKE), label="approved", owner="commenter"),
        OwnedCase("POST", lambda s: f"/likes/comments/{s.held}", answers(MISSING, owner=MISSING),
                  data=lambda s: dict(LIKE), label="held", owner="commenter"),
        OwnedCase("POST", lambda s: f"/likes/comments/{s.tombstone}", answers(MISSING, owner=MISSING),
                  data=lambda s: dict(LIKE), label="deleted", owner="commenter"),
        OwnedCase("POST", lambda s: f"/likes/comments/{s.draft_comment}", answers(MISSING, owner=MISSING,
                                                                                    **SEES_DRAFTS(FORBIDDEN)),
                  data=lambda s: dict(LIKE), label="under-draft", owner="writer"),
    ],
    # Email notifications (tests/test_notifications.py). The emailed links are the credential: anyone holding one
    # may use it; a forged one gets the same clear refusal.
    "notifications.follow": [
        Case("POST", lambda s: f"/posts/{s.published}/follow", answers(DONE), data=lambda s: {"email": "wren@example.net"},
             label="published"),
        OwnedCase("POST", lambda s: f"/posts/{s.draft}/follow", answers(MISSING, owner=MISSING),
                  data=lambda s: {"email": "wren@example.net"}, label="draft", owner="writer"),
    ],
    "notifications.confirm": [
        Case("GET", lambda s: f"/notifications/confirm/{s.mail.confirm}", answers(OK), label="commenter's-link"),
        Case("POST", lambda s: f"/notifications/confirm/{s.mail.confirm}", answers(DONE), label="commenter's-link"),
        Case("GET", lambda s: "/notifications/confirm/not-a-token", answers(BAD_LINK), label="bad-link"),
        Case("POST", lambda s: f"/notifications/confirm/{s.mail.unsubscribe}", answers(BAD_LINK), label="other-purpose"),
    ],
    "notifications.unsubscribe": [
        Case("GET", lambda s: f"/notifications/unsubscribe/{s.mail.unsubscribe}", answers(OK), label="commenter's-link"),
        Case("POST", lambda s: f"/notifications/unsubscribe/{s.mail.unsubscribe}", answers(UNSUBSCRIBED),
             label="commenter's-link"),
        Case("POST", lambda s: f"/notifications/unsubscribe/{s.mail.confirm}", answers(BAD_LINK), label="other-purpose"),
    ],
    "notifications.manage": [
        Case("GET", lambda s: f"/notifications/manage/{s.mail.manage}", answers(OK), label="commenter's-link"),
        Case("POST", lambda s: f"/notifications/manage/{s.mail.manage}", answers(DONE),
             data=lambda s: {"action": "save", "daily_digest": "y"}, label="commenter's-link"),
        Case("GET", lambda s: "/notifications/manage/not-a-token", answers(BAD_LINK), label="bad-link"),
    ],
    "notifications.settings": [
        Case("GET", lambda s: "/notifications/settings", members(OK)),
        Case("POST", lambda s: "/notifications/settings", members(DONE), data=lambda s: {"action": "save", "daily_digest": "y"}),
    ],
    "notifications.outbox": [Case("GET", lambda s: "/moderation/outbox", members(FORBIDDEN, admin=OK))],
    "notifications.retry": [
        Case("POST", lambda s: f"/moderation/outbox/{s.mail.failed_message}/retry", members(FORBIDDEN, admin=DONE)),
    ],
}


def actors_of(case: Case) -> tuple[str, ...]:
    return (*ACTORS, OWNER, SUSPENDED_OWNER) if getattr(case, "owner", None) else ACTORS


def case_id(endpoint: str, case: Case, actor: str) -> str:
    return "-".join(part.replace(" ", "-") for part in (endpoint, case.method, case.label, actor) if part)


MATRIX = [
    pytest.param(endpoint, index, actor, id=case_id(endpoint, case, actor))
    for endpoint, cases in ROUTES.items()
    for index, case in enumerate(cases)
    for actor in actors_of(case)
]
MODERATION_MATRIX = [
    pytest.param(endpoint, index, actor, id=case_id(endpoint, case, actor))
    for endpoint, cases in MODERATION_ROUTES.items()
    for index, case in enumerate(cases)
    for actor in ("suspended reader", *SUSPENDED)
]


# --- what the routes act on --------------------------------------------------------------------------
# The site is built once per module and put back, row for row, before every case: each case starts
# from the same state whatever ran before it, at a fraction of the cost of building it again.

ACCOUNTS = (
    ("reader", Role.READER), ("Ana", Role.READER), ("author", Role.AUTHOR), ("moderator", Role.MODERATOR),
    ("admin", Role.ADMIN), ("commenter", Role.READER), ("writer", Role.AUTHOR),
)  # and the suspended accounts of every role (make_suspended_accounts)


def make_suspended_accounts(app) -> None:
    """"suspended" (a reader), "suspended_author", "suspended_moderator" and "suspended_admin",
    each suspended by the admin for three days."""
    with app.app_context():
        for name, role in SUSPENDED_ACCOUNTS.items():
            account = create_account(name, f"{name}@example.org", PASSWORD, role)
            db.session.flush()
            suspend(user_named("admin"), account, utcnow() + timedelta(days=3), "Shouting at everyone.")
        db.session.commit()


def suspend_owner(app, name: str) -> None:
    with app.app_context():
        suspend(user_named("admin"), user_named(name), utcnow() + timedelta(days=3), "Shouting at everyone.")
        db.session.commit()


def build_site(app) -> Site:
    with app.app_context():
        for name, role in ACCOUNTS:
            create_account(name, f"{name.lower()}@example.org", PASSWORD, role)
        db.session.commit()
    make_suspended_accounts(app)
    published = make_post(app, "writer", "Open Letters")
    draft = make_post(app, "writer", "Withdrawn")
    comment = make_comment(app, published, "A kind word.", "commenter")
    held = make_comment(app, published, "Waiting for a look.", "commenter")
    tombstone = make_comment(app, published, "Said too soon.", "commenter")
    make_comment(app, published, "A reply that keeps the thread.", "Ana", parent_id=tombstone)
    draft_comment = make_comment(app, draft, "Early thoughts.", "commenter")
    with app.app_context():
        moderate_comment(user_named("moderator"), db.session.get(Comment, held), Action.UNAPPROVE)
        delete_own_comment(user_named("commenter"), db.session.get(Comment, tombstone))
        withdrawn = post_by_slug(draft)
        update_post(user_named("writer"), withdrawn, withdrawn.title, withdrawn.body_markdown, publish=False)
        db.session.commit()
        published_id, draft_id = post_by_slug(published).id, withdrawn.id
        reset_token = passwords.reset_token(user_named("commenter"))
        email_token = request_email_change(user_named("commenter"), "commenter.new@example.org", PASSWORD)
        mail = mail_links(published)
        signup_token = signup_rules.signup_token(signup_rules.Signup("newcomer", "newcomer@example.org", "/"))
    return Site(signup_token=signup_token, published=published, published_id=published_id, draft=draft, draft_id=draft_id,
                comment=comment, held=held, tombstone=tombstone, draft_comment=draft_comment, reset_token=reset_token,
                email_token=email_token, mail=mail)


def mail_links(published: str) -> MailLinks:
    """commenter follows the published post (not confirmed yet); one email failed for good."""
    from community.models import OutboxMessage
    from community.notifications import subscriptions, tokens

    subscriptions.follow_post(post_by_slug(published), user_named("commenter"))
    subscriber = subscriptions.subscriber_of(user_named("commenter"))
    failed = OutboxMessage(kind="notices", to_address="commenter@example.org", subject="Refused", raw="", status="failed",
                           last_error="550 No such user")
    db.session.add(failed)
    db.session.commit()
    return MailLinks(tokens.make_token(tokens.CONFIRM, subscriber.id), tokens.make_token(tokens.UNSUBSCRIBE, subscriber.id, "all"),
                     tokens.make_token(tokens.MANAGE, subscriber.id), failed.id)


Rows = dict[str, list[tuple]]


def snapshot(app) -> Rows:
    """Every row of every table, to tell whether a request changed anything (and to put them back)."""
    with app.app_context():
        return {
            table.name: [tuple(row) for row in db.session.execute(sa.select(table).order_by(*table.primary_key.columns))]
            for table in db.metadata.sorted_tables
        }


def restore(app, rows: Rows) -> None:
    """Exactly these rows again. DELETE rather than TRUNCATE ... RESTART IDENTITY: PostgreSQL's
    sequences stay past the ids put back, so a new row never collides with one."""
    with app.app_context():
        tables = db.metadata.sorted_tables
        with db.engine.begin() as connection:
            for table in reversed(tables):
                connection.execute(table.delete())
            for table in tables:  # parents first; within a table by id, so a reply follows its parent
                names = [column.name for column in table.columns]
                if rows[table.name]:
                    connection.execute(table.insert(), [dict(zip(names, row)) for row in rows[table.name]])
        cache.clear()


@dataclass(frozen=True)
class Stage:
    """Where a case runs: the app, a fresh browser, and what the routes act on."""

    app: Flask
    client: FlaskClient
    auth: AuthActions
    objects: object


@pytest.fixture(scope="module")
def built_site(migrated_database: str) -> Iterator[tuple[Flask, Site, Rows]]:
    app = create_app(test_config(migrated_database))
    with app.app_context():
        empty_all_tables()
    site = build_site(app)
    yield app, site, snapshot(app)
    with app.app_context():
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def on_site(built_site) -> Stage:
    app, site, rows = built_site
    restore(app, rows)
    client = app.test_client()
    return Stage(app, client, AuthActions(client), site)


@pytest.fixture
def suspended_accounts(app, users) -> None:
    make_suspended_accounts(app)


@pytest.fixture
def on_moderation(app, client, auth, world, suspended_accounts) -> Stage:
    return Stage(app, client, auth, world)


def outcome_of(stage: Stage, case: Case) -> Outcome:
    """Send the case's request and describe its answer as a person would notice it."""
    url = case.url(stage.objects)
    before = snapshot(stage.app)
    if case.method == "GET":
        response = stage.client.get(url)
    else:
        response = post_form(stage.client, url, case.data(stage.objects))
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303):
        assert location.startswith("/") and not location.startswith("//"), f"redirect off the site: {location}"
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    return Outcome(response.status_code, login=location.startswith("/auth/login"), writes=snapshot(stage.app) != before)


# --- the tables are complete -------------------------------------------------------------------------

def test_every_route_and_method_has_an_entry(app):
    served: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        served.setdefault(rule.endpoint, set()).update(set(rule.methods) - {"HEAD", "OPTIONS"})
    covered = {endpoint: {case.method for case in cases} for endpoint, cases in {**ROUTES, **MODERATION_ROUTES}.items()}
    missing = {endpoint: sorted(methods - covered.get(endpoint, set())) for endpoint, methods in served.items()
               if methods - covered.get(endpoint, set())}
    assert not missing, f"routes without an entry in the authorization matrix: {missing}"
    assert covered == served


@pytest.mark.parametrize(("endpoint", "index"), [(e, i) for e, cases in ROUTES.items() for i in range(len(cases))])
def test_each_case_says_what_every_actor_gets(endpoint, index):
    case = ROUTES[endpoint][index]
    assert set(case.expected) == set(actors_of(case))
    assert all(isinstance(outcome, Outcome) for outcome in case.expected.values())


# --- the matrix ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("endpoint", "index", "actor"), MATRIX)
def test_actor_gets_the_expected_answer(on_site, endpoint, index, actor):
    case = ROUTES[endpoint][index]
    if actor == SUSPENDED_OWNER:
        suspend_owner(on_site.app, case.owner)
        on_site.auth.login(case.owner)
    elif actor == OWNER:
        on_site.auth.login(case.owner)
    elif actor != "signed out":
        on_site.auth.login(LOGIN_NAMES[actor])
    assert outcome_of(on_site, case) == case.expected[actor]


@pytest.mark.parametrize(("endpoint", "index", "actor"), MODERATION_MATRIX)
def test_a_suspended_account_of_any_role_is_refused_every_moderation_route(on_moderation, endpoint, index, actor):
    on_moderation.auth.login(LOGIN_NAMES[actor])
    assert outcome_of(on_moderation, MODERATION_ROUTES[endpoint][index]) == FORBIDDEN


def unserved_methods() -> list[object]:
    """GET or POST where a route does not take it."""
    return [
        pytest.param(endpoint, method, id=f"{endpoint}-{method}")
        for endpoint, cases in {**ROUTES, **MODERATION_ROUTES}.items()
        for method in sorted({"GET", "POST"} - {case.method for case in cases})
    ]


@pytest.mark.parametrize(("endpoint", "method"), unserved_methods())
def test_a_method_a_route_does_not_take_is_405_and_changes_nothing(request, endpoint, method):
    stage = request.getfixturevalue("on_moderation" if endpoint in MODERATION_ROUTES else "on_site")
    address = (ROUTES.get(endpoint) or MODERATION_ROUTES[endpoint])[0].url  # the route's own address
    for actor in ("signed out", "admin"):
        if actor == "admin":
            stage.auth.login("admin")
        assert outcome_of(stage, Case(method, address, {})) == NOT_ALLOWED_METHOD, actor
