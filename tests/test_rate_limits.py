"""Rate limits, switched on: every limited action answers 429 past its budget, says in words when to
try again, keeps what was typed, and one account's or address's budget is never another's."""

from __future__ import annotations

import os
import re
import pytest
from community import create_app, ratelimits
from community.extensions import db
from community.models import Comment
from community.ratelimits import DEFAULT_LIMITS, RATE_LIMITS, in_words
from tests.conftest import PASSWORD, post_form, test_config
from tests.factories import count_rows, make_comment, make_post
from tests.signup_mail import ask_to_sign_up, mails_logged

# Small budgets, so a test gets over them in a few requests; each test's app starts with fresh counts.
TIGHT = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_LOGIN_IP": "3 per minute",
    "RATELIMIT_LOGIN_ACCOUNT": "2 per minute",
    "RATELIMIT_SIGNUPS": "2 per hour",
    "RATELIMIT_SIGNUP_ATTEMPTS": "4 per hour",
    "RATELIMIT_SIGNUP_EMAILS": "1 per 10 minutes",
    "RATELIMIT_COMMENTS": "2 per minute",
    "RATELIMIT_LIKES": "2 per minute",
    "RATELIMIT_REPORTS": "1 per day",
    "RATELIMIT_PREVIEW": "2 per minute",
    "RATELIMIT_PASSWORD_CHANGE": "2 per minute",
    "RATELIMIT_PASSWORD_FORGOT": "2 per minute",
    "RATELIMIT_PASSWORD_FORGOT_ACCOUNT": "2 per minute",
    "RATELIMIT_PASSWORD_RESET": "2 per minute",
}
JSON = {"Accept": "application/json"}
PASSWORD_ENDPOINTS = ("auth.change_password", "auth.forgot_password", "auth.reset_password")


def from_ip(address: str) -> dict[str, object]:
    return {"environ_base": {"REMOTE_ADDR": address}}


@pytest.fixture
def app_settings() -> dict[str, object]:
    return TIGHT


@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="Letters We Never Sent")


def assert_refused_in_words(response, refusal: str) -> str:
    """429, a Retry-After in seconds, and the sentence saying when; returns the page or message."""
    assert response.status_code == 429
    seconds = int(response.headers["Retry-After"])
    assert 1 <= seconds <= 24 * 3600
    text = response.get_json()["error"] if response.is_json else response.get_data(as_text=True)
    assert f"{refusal} Try again in {in_words(seconds)}." in text
    return text


def wrong_login(client, login="reader", **kwargs):
    return post_form(client, "/auth/login", {"login": login, "password": "not the password"}, **kwargs)


def comment(client, slug, body="A thought of my own.", **kwargs):
    return post_form(client, f"/posts/{slug}/comments", {"body": body}, **kwargs)


# --- logins ------------------------------------------------------------------------------------------

def test_logins_past_the_address_budget_get_429_keeping_the_login_not_the_password(client, users):
    for name in ("reader", "Ana", "author"):  # different accounts: only the address budget runs out
        assert wrong_login(client, name).status_code == 422
    response = post_form(client, "/auth/login", {"login": "moderator", "password": "hunter2 secret"})
    page = assert_refused_in_words(response, "Too many login attempts.")
    assert 'value="moderator"' in page and "hunter2 secret" not in page
    assert re.search(r'class="field__error" id="login-error"[^>]*>Too many login attempts', page)
    # Even the right password waits: the budget counts attempts, not failures.
    assert post_form(client, "/auth/login", {"login": "reader", "password": PASSWORD}).status_code == 429


def test_the_login_budget_of_one_name_holds_across_addresses(client, users):
    assert wrong_login(client, "reader", **from_ip("10.0.0.1")).status_code == 422
    assert wrong_login(client, " READER ", **from_ip("10.0.0.2")).status_code == 422  # the same, as typed
    assert_refused_in_words(wrong_login(client, "reader", **from_ip("10.0.0.3")), "Too many login attempts.")
    # Another account from that same new address is untouched.
    assert wrong_login(client, "Ana", **from_ip("10.0.0.3")).status_code == 422


@pytest.mark.parametrize(("spent", "tried"), [("reader@example.org", "reader"), ("reader", "reader@example.org")])
def test_a_spent_budget_does_not_tie_an_email_to_a_username(client, users, spent, tried):
    """The attack: spend the budget of an email from one address, then try the username from
    another; a refusal would say the two are one account."""
    for address in ("10.0.5.1", "10.0.5.2"):
        wrong_login(client, spent, **from_ip(address))
    assert wrong_login(client, spent, **from_ip("10.0.5.3")).status_code == 429
    assert wrong_login(client, tried, **from_ip("10.0.5.4")).status_code == 422
    # The same for a name of no account: nothing tells the two apart.
    for address in ("10.0.5.5", "10.0.5.6"):
        wrong_login(client, "nobody@example.org", **from_ip(address))
    assert wrong_login(client, "nobody", **from_ip("10.0.5.7")).status_code == 422


def test_a_spent_reset_budget_does_not_tie_an_email_to_a_username(client, users):
    for address in ("10.0.6.1", "10.0.6.2"):
        post_form(client, "/auth/password/forgot", {"login": "reader@example.org"}, **from_ip(address))
    assert post_form(client, "/auth/password/forgot", {"login": "reader@example.org"},
                     **from_ip("10.0.6.3")).status_code == 429
    assert post_form(client, "/auth/password/forgot", {"login": "reader"}, **from_ip("10.0.6.4")).status_code == 302


def test_the_login_budget_of_one_address_is_not_anothers(client, users):
    for name in ("reader", "Ana", "author"):
        wrong_login(client, name, **from_ip("10.0.1.1"))
    assert wrong_login(client, "admin", **from_ip("10.0.1.1")).status_code == 429
    response = post_form(client, "/auth/login", {"login": "admin", "password": PASSWORD}, **from_ip("10.0.1.2"))
    assert response.status_code == 302


def test_reading_the_login_page_is_never_limited(client, users):
    for _ in range(10):
        assert client.get("/auth/login").status_code == 200
    response = post_form(client, "/auth/login", {"login": "reader", "password": PASSWORD})
    assert response.status_code == 302


def test_a_script_gets_the_refusal_as_json(client, users):
    for name in ("reader", "Ana", "author"):
        wrong_login(client, name)
    response = wrong_login(client, "admin", headers=JSON)
    assert_refused_in_words(response, "Too many login attempts.")
    assert response.get_json()["retry_after"] == int(response.headers["Retry-After"])


# --- sign-ups -----------------------------------------------------------------------------------------

def register(client, username, email=None, **kwargs):
    """The first step of signing up; the link it mails is read by tests.signup_mail."""
    return post_form(client, "/auth/register", {"username": username, "email": email or f"{username}@example.net"},
                     **kwargs)


def test_sign_ups_asked_from_one_address_are_limited_keeping_what_was_typed(app):
    for name in ("wren", "finch"):
        assert register(app.test_client(), name, **from_ip("10.0.2.1")).status_code == 200
    response = register(app.test_client(), "robin", **from_ip("10.0.2.1"))
    page = assert_refused_in_words(response, "Too many sign-ups were asked for from your address.")
    assert 'value="robin"' in page and 'value="robin@example.net"' in page
    assert register(app.test_client(), "robin", **from_ip("10.0.2.2")).status_code == 200


def test_accounts_made_from_one_address_are_limited(app):
    links = [ask_to_sign_up(app.test_client(), name, f"{name}@example.net", **from_ip(f"10.0.3.{number}"))[1]
             for number, name in enumerate(("wren", "finch", "robin"))]
    for link in links[:2]:
        client = app.test_client()  # each new account signs in; a fresh browser makes the next
        assert post_form(client, link, {"password": PASSWORD, "confirm": PASSWORD}, **from_ip("10.0.3.9")).status_code == 302
    response = post_form(app.test_client(), links[2], {"password": PASSWORD, "confirm": PASSWORD}, **from_ip("10.0.3.9"))
    page = assert_refused_in_words(response, "Too many accounts were made from your address.")
    assert PASSWORD not in page
    assert post_form(app.test_client(), links[2], {"password": PASSWORD, "confirm": PASSWORD},
                     **from_ip("10.0.3.8")).status_code == 302


def test_failed_sign_ups_spend_only_the_attempts_budget(app, users):
    client = app.test_client()
    for _ in range(4):  # "reader" is taken: refused, no account made
        assert register(client, "reader").status_code == 422
    assert_refused_in_words(register(client, "wren"), "Too many sign-up attempts.")


def test_weak_passwords_behind_the_link_spend_the_attempts_budget(app):
    _answer, link = ask_to_sign_up(app.test_client(), "wren", "wren@example.net")
    client = app.test_client()
    for _ in range(4):
        assert post_form(client, link, {"password": "password123", "confirm": "password123"}).status_code == 422
    assert_refused_in_words(post_form(client, link, {"password": PASSWORD, "confirm": PASSWORD}),
                            "Too many sign-up attempts.")
    assert client.get(link).status_code == 200  # reading is not limited


@pytest.mark.parametrize("email", ["wren@example.net", "reader@example.org"])
def test_one_address_gets_one_sign_up_email_however_often_it_is_asked_and_the_page_says_the_same(app, users, email):
    """A new address or an account's: the form cannot flood an inbox, and the answer does not show it."""
    with mails_logged() as mails:
        answers = [register(app.test_client(), name, email, **from_ip(f"10.0.4.{number}"))
                   for number, name in enumerate(("wren", "finch", "robin"))]
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert all(f"we sent a link to <strong>{email}</strong>" in answer.get_data(as_text=True) for answer in answers)
    assert len(mails) == 1 and f"To: {email}" in mails[0]
    with mails_logged() as mails:
        register(app.test_client(), "wren", "other@example.net", **from_ip("10.0.4.9"))
    assert len(mails) == 1  # another address has its own budget


# --- comments -----------------------------------------------------------------------------------------

def test_comments_past_the_budget_show_the_form_again_with_the_text_kept(client, app, slug, auth):
    auth.login("reader")
    assert comment(client, slug, "First.").status_code == 302
    assert comment(client, slug, "Second.").status_code == 302
    response = comment(client, slug, "A third thought, <typed> with care.")
    page = assert_refused_in_words(response, "You are commenting faster than this site allows.")
    assert "A third thought, &lt;typed&gt; with care.</textarea>" in page
    assert re.search(r'id="body-error"[^>]*>You are commenting faster', page)
    assert count_rows(app, Comment) == 2


def test_the_pages_script_gets_the_refusal_at_the_comment_field(client, app, slug, auth):
    auth.login("reader")
    comment(client, slug, "First.")
    comment(client, slug, "Second.")
    response = comment(client, slug, "Third.", headers=JSON)
    message = assert_refused_in_words(response, "You are commenting faster than this site allows.")
    assert response.get_json()["errors"] == {"body": [message]}
    assert count_rows(app, Comment) == 2


def test_refused_comments_do_not_spend_the_budget(client, slug, auth):
    auth.login("reader")
    for _ in range(3):
        assert comment(client, slug, "   ").status_code == 422  # empty: corrected, not counted
    assert comment(client, slug, "Now with words.").status_code == 302


def test_one_readers_comment_budget_is_not_anothers(client, app, slug, auth):
    auth.login("reader")
    comment(client, slug, "One.")
    comment(client, slug, "Two.")
    assert comment(client, slug, "Three.").status_code == 429
    auth.logout()
    auth.login("Ana")
    assert comment(client, slug, "Mine.").status_code == 302


def test_guests_are_limited_per_address(app, slug):
    guest = {"name": "Wren", "email": "wren@example.net", "website": ""}
    client = app.test_client()
    for body in ("One.", "Two."):
        assert post_form(client, f"/posts/{slug}/comments", {"body": body, **guest}, **from_ip("10.0.3.1")).status_code == 302
    response = post_form(client, f"/posts/{slug}/comments", {"body": "Three.", **guest}, **from_ip("10.0.3.1"))
    page = assert_refused_in_words(response, "You are commenting faster than this site allows.")
    assert 'value="Wren"' in page and "Three.</textarea>" in page
    other = app.test_client()
    assert post_form(other, f"/posts/{slug}/comments", {"body": "Hello.", **guest}, **from_ip("10.0.3.2")).status_code == 302


def test_moderators_are_not_limited_in_comments_or_likes(client, app, slug, auth):
    auth.login("moderator")
    for number in range(4):
        assert comment(client, slug, f"Note {number}.").status_code == 302
    for liked in ("1", "0", "1"):
        response = post_form(client, f"/likes/posts/{post_id(app, slug)}", {"liked": liked}, headers=JSON)
        assert response.status_code == 200


def test_previews_are_limited_per_address(app, slug):
    client = app.test_client()
    for _ in range(2):
        assert post_form(client, "/comments/preview", {"body": "*soft*"}, headers=JSON, **from_ip("10.0.4.1")).status_code == 200
    response = post_form(client, "/comments/preview", {"body": "*soft*"}, headers=JSON, **from_ip("10.0.4.1"))
    assert_refused_in_words(response, "Too many previews.")
    assert post_form(client, "/comments/preview", {"body": "*soft*"}, headers=JSON, **from_ip("10.0.4.2")).status_code == 200


# --- likes and reports ------------------------------------------------------------------------------

def post_id(app, slug) -> int:
    from tests.factories import post_by_slug

    with app.app_context():
        return post_by_slug(slug).id


def test_likes_share_one_budget_per_account(client, app, slug, auth):
    comment_id = make_comment(app, slug, "Liked.", author="author")
    auth.login("reader")
    assert post_form(client, f"/likes/posts/{post_id(app, slug)}", {"liked": "1"}, headers=JSON).status_code == 200
    assert post_form(client, f"/likes/posts/{post_id(app, slug)}", {"liked": "0"}, headers=JSON).status_code == 200
    response = post_form(client, f"/likes/comments/{comment_id}", {"liked": "1"}, headers=JSON)
    assert_refused_in_words(response, "You have liked and unliked very often.")
    # Without JavaScript the same refusal is a page.
    response = post_form(client, f"/likes/comments/{comment_id}", {"liked": "1"})
    assert_refused_in_words(response, "You have liked and unliked very often.")
    auth.logout()
    auth.login("Ana")
    assert post_form(client, f"/likes/comments/{comment_id}", {"liked": "1"}, headers=JSON).status_code == 200


def test_reports_past_the_budget_keep_the_details_typed(client, app, slug, auth):
    first = make_comment(app, slug, "Buy now.", author="author")
    second = make_comment(app, slug, "Buy again.", author="author")
    auth.login("reader")
    assert post_form(client, f"/comments/{first}/report", {"reason": "spam"}).status_code == 302
    response = post_form(client, f"/comments/{second}/report", {"reason": "other", "details": "Same shop, again."})
    page = assert_refused_in_words(response, "You have sent many reports.")
    assert "Same shop, again.</textarea>" in page and "Buy again." in page
    auth.logout()
    auth.login("Ana")
    assert post_form(client, f"/comments/{second}/report", {"reason": "spam"}).status_code == 302


# --- passwords ----------------------------------------------------------------------------------------

def change_password(client, current="not my password", **kwargs):
    fields = {"current_password": current, "password": "a new long phrase", "confirm": "a new long phrase"}
    return post_form(client, "/auth/password", fields, **kwargs)


def test_changing_a_password_is_limited_per_account_whatever_the_address(client, auth, users):
    auth.login("reader")
    assert change_password(client, **from_ip("10.0.6.1")).status_code == 422
    assert change_password(client, **from_ip("10.0.6.2")).status_code == 422
    response = change_password(client, "hunter2 secret", **from_ip("10.0.6.3"))
    page = assert_refused_in_words(response, "Too many password attempts.")
    assert re.search(r'id="current_password-error"[^>]*>Too many password attempts', page)
    assert "hunter2 secret" not in page and "a new long phrase" not in page
    auth.logout()
    auth.login("Ana")
    assert change_password(client, **from_ip("10.0.6.4")).status_code == 422


def test_changing_a_password_is_limited_per_address_too(app, users):
    for name in ("reader", "Ana"):
        client = app.test_client()
        post_form(client, "/auth/login", {"login": name, "password": PASSWORD}, **from_ip("10.0.6.9"))
        assert change_password(client, **from_ip("10.0.6.9")).status_code == 422
    client = app.test_client()
    post_form(client, "/auth/login", {"login": "author", "password": PASSWORD})
    assert change_password(client, **from_ip("10.0.6.9")).status_code == 429


def forgot(client, login, **kwargs):
    return post_form(client, "/auth/password/forgot", {"login": login}, **kwargs)


def test_reset_requests_are_limited_per_name_typed_across_addresses(client, users):
    assert forgot(client, "reader@example.org", **from_ip("10.0.7.1")).status_code == 302
    assert forgot(client, "reader@example.org", **from_ip("10.0.7.2")).status_code == 302
    page = assert_refused_in_words(forgot(client, "READER@example.org", **from_ip("10.0.7.3")),
                                   "Too many password reset requests.")
    assert 'value="READER@example.org"' in page
    assert forgot(client, "Ana", **from_ip("10.0.7.4")).status_code == 302


def test_reset_requests_are_limited_per_address(client, users):
    assert forgot(client, "author", **from_ip("10.0.7.5")).status_code == 302
    assert forgot(client, "nobody at all", **from_ip("10.0.7.5")).status_code == 302  # same answer, no account
    assert forgot(client, "admin", **from_ip("10.0.7.5")).status_code == 429
    assert forgot(client, "admin", **from_ip("10.0.7.6")).status_code == 302


def test_new_passwords_sent_with_a_reset_link_are_limited_per_address(client, users):
    fields = {"password": "a new long phrase", "confirm": "a new long phrase"}
    for _ in range(2):
        assert post_form(client, "/auth/password/reset/not-a-token", fields).status_code == 400
    response = post_form(client, "/auth/password/reset/not-a-token", fields)
    assert_refused_in_words(response, "Too many password attempts.")
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/auth/password/reset/not-a-token").status_code == 400  # reading is not limited
    assert post_form(client, "/auth/password/reset/not-a-token", fields, **from_ip("10.0.7.9")).status_code == 400


# --- the table ------------------------------------------------------------------------------------------

MUST_BE_LIMITED = ("auth.login", "auth.register", "auth.confirm_signup", "comments.create", "likes.post_like", "likes.comment_like",
                   "comments.report", *PASSWORD_ENDPOINTS)


def test_essay_previews_are_limited_per_address_keeping_the_essay(app, users, auth, client):
    auth.login("author")
    essay = {"title": "Slow Thoughts", "body": "A *long* essay.", "preview": "1"}
    for _ in range(2):
        assert post_form(client, "/posts/new", essay, **from_ip("10.0.9.1")).status_code == 200
    page = assert_refused_in_words(post_form(client, "/posts/new", essay, **from_ip("10.0.9.1")), "Too many previews.")
    assert 'value="Slow Thoughts"' in page and "A *long* essay." in page
    # Saving is never limited by previews.
    saved = post_form(client, "/posts/new", {"title": "Slow Thoughts", "body": "A *long* essay.", "publish": "y"},
                      **from_ip("10.0.9.1"))
    assert saved.status_code == 302
    slug = saved.headers["Location"].rsplit("/", 1)[1]
    for _ in range(2):
        post_form(client, f"/posts/{slug}/edit", essay, **from_ip("10.0.9.2"))
    assert_refused_in_words(post_form(client, f"/posts/{slug}/edit", essay, **from_ip("10.0.9.2")), "Too many previews.")


def test_every_endpoint_of_the_table_exists_and_takes_posts(app):
    methods = {rule.endpoint: rule.methods for rule in app.url_map.iter_rules()}
    for endpoint in RATE_LIMITS:
        assert "POST" in methods[endpoint], endpoint


def test_every_state_changing_action_of_the_list_has_a_limit(app):
    for endpoint in MUST_BE_LIMITED:
        assert endpoint in app.view_functions and RATE_LIMITS.get(endpoint), endpoint
    for rules in RATE_LIMITS.values():
        for rule in rules:
            assert rule.setting in DEFAULT_LIMITS and rule.refusal.endswith(".")


def test_a_table_naming_a_missing_endpoint_stops_the_app_at_start(migrated_database, monkeypatch):
    monkeypatch.setitem(RATE_LIMITS, "auth.nowhere", RATE_LIMITS["auth.login"])
    with pytest.raises(RuntimeError, match="auth.nowhere"):
        create_app(test_config(migrated_database))


def test_limits_come_from_the_environment_and_a_bad_one_stops_the_start(migrated_database, monkeypatch):
    monkeypatch.setenv("RATELIMIT_COMMENTS", "10 per minute;100 per day")
    assert ratelimits.settings_from_environment()["RATELIMIT_COMMENTS"] == "10 per minute;100 per day"
    monkeypatch.setenv("RATELIMIT_LIKES", "lots")
    with pytest.raises(RuntimeError, match="RATELIMIT_LIKES"):
        create_app({k: v for k, v in test_config(migrated_database).items() if k != "RATELIMIT_ENABLED"})


def test_every_default_is_documented_in_the_readme():
    readme = open(os.path.join(os.path.dirname(__file__), "..", "README.md"), encoding="utf-8").read()
    for name, limits in DEFAULT_LIMITS.items():
        assert f"| `{name}` | `{limits}` |" in readme, name


def test_waits_are_said_in_words_rounded_up():
    assert in_words(1) == "1 second"
    assert in_words(42) == "42 seconds"
    assert in_words(60) == "1 minute"
    assert in_words(61) == "2 minutes"
    assert in_words(5400) == "2 hours"


# --- Redis ------------------------------------------------------------------------------------------------

REDIS_URL = os.environ.get("TEST_RATELIMIT_REDIS_URL", "redis://127.0.0.1:6379/13")


def redis_client():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)


def redis_is_up() -> bool:
    try:
        return bool(redis_client().ping())
    except Exception:
        return False


@pytest.mark.skipif(not redis_is_up() and os.environ.get("CI") != "true", reason="Redis is not running on 127.0.0.1:6379")
def test_with_redis_url_the_counts_live_in_redis_shared_by_app_servers(migrated_database, users):
    store = redis_client()
    store.flushdb()
    try:
        first = create_app(test_config(migrated_database, **TIGHT, REDIS_URL=REDIS_URL))
        assert first.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
        client = first.test_client()
        for name in ("reader", "Ana", "author"):
            assert wrong_login(client, name, **from_ip("10.0.5.1")).status_code == 422
        assert store.keys("*auth.login*"), "no rate-limit keys in Redis"
        # Another app server (a new app on the same Redis) knows the address is spent.
        second = create_app(test_config(migrated_database, **TIGHT, REDIS_URL=REDIS_URL))
        assert_refused_in_words(wrong_login(second.test_client(), "admin", **from_ip("10.0.5.1")), "Too many login attempts.")
        for made in (first, second):
            with made.app_context():
                db.engine.dispose()
    finally:
        store.flushdb()


@pytest.mark.skipif(not redis_is_up() and os.environ.get("CI") != "true", reason="Redis is not running on 127.0.0.1:6379")
def test_with_redis_url_one_address_gets_one_sign_up_email_across_app_servers(migrated_database, users):
    store = redis_client()
    store.flushdb()
    made = []
    try:
        with mails_logged() as mails:
            for _server in range(2):  # another app server (a new app on the same Redis) asked the same
                made.append(create_app(test_config(migrated_database, **TIGHT, REDIS_URL=REDIS_URL)))
                answer = register(made[-1].test_client(), "wren", "wren@example.net", **from_ip(f"10.0.6.{_server}"))
                assert answer.status_code == 200 and "we sent a link to" in answer.get_data(as_text=True)
        assert len(mails) == 1
        assert store.keys("*ratelimit_signup_emails*"), "no sign-up email budget in Redis"
    finally:
        for app in made:
            with app.app_context():
                db.engine.dispose()
        store.flushdb()
