"""Property-based tests (hypothesis) of every form and of the text pipeline: any Unicode, right-to-left
and zero-width marks, emoji, NUL, lone surrogates (sent as the invalid UTF-8 bytes a broken client
would send) and inputs up to 1 MB never cause a 500. What a form refuses is answered 4xx with the
error at its field, and nothing is saved; what it accepts is stored sanitized."""

from __future__ import annotations

import os
import re
from urllib.parse import quote_from_bytes

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from community.extensions import db
from community.models import Comment, ModerationSettings, Post, Report, User
from community.services.accounts import USERNAME_RULE
from community.text import ESSAY_TAGS, excerpt, plain_text, render_comment, render_essay, sanitize_html, storable
from tests.conftest import PASSWORD, csrf_token
from tests.factories import make_comment, make_post, stored
from tests.signup_mail import mails_logged, signup_links
from tests.xss import active_content, vectors

# Modest and repeatable: under CI=true every run draws the same examples.
settings.register_profile(
    "community", max_examples=20, deadline=None, derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("community")

TRICKY = [
    "\u200f", "\u200e", "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u00ad", "\u2028", "\r\n", "\r",
    "\x00", "\x1b", "\x7f", "\ud800", "\udfff", "\ufffd", "\U0010ffff", "e\u0301", "👩‍👩‍👧‍👦", "🏳️‍🌈", "ﷺ", "עברית",
    "العربية", "𝕳𝖊𝖑𝖑𝖔", "Ⅻ", "²", "ß", "İ", "\t", " ", "\u3000", "%00", "&#0;", "'", '"', "<", ">", "&",
]
# Any code point at all: controls, unassigned ones and lone surrogates (which hypothesis leaves
# out of text unless asked) included.
ANY_CHARACTER = st.one_of(st.characters(codec=None, exclude_categories=()), st.integers(0xD800, 0xDFFF).map(chr))
any_text = st.lists(
    st.one_of(st.sampled_from(TRICKY), st.text(ANY_CHARACTER, max_size=12), st.sampled_from(vectors())),
    max_size=12,
).map("".join)


def long_text(sizes: list[int]):
    """One piece of any text repeated to one of `sizes` characters."""
    return st.builds(lambda piece, size: (piece * (size // len(piece) + 1))[:size], any_text.filter(bool),
                     st.sampled_from(sizes))


# Just past each limit (a comment's 5,000 characters, an essay's 100,000), and a megabyte.
field_text = st.one_of(any_text, any_text, any_text, long_text([5_001, 100_001, 1_000_000]))
# Rendering long Markdown takes a second per 100,000 characters; the forms refuse more than that
# by length, before rendering, so the pipeline gets one megabyte as an example.
pipeline_text = st.one_of(any_text, any_text, any_text, long_text([5_001, 20_000]))
MEGABYTE_OF_TEXT = ("\u200f👩‍👩‍👧 words \x00\ud800 " * 100_000)[:1_000_000]

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def encoded(fields: dict[str, str]) -> bytes:
    """A form body as a browser would send it, except that lone surrogates go as the invalid UTF-8
    bytes a broken client sends (Python would refuse to encode them)."""
    return b"&".join(
        quote_from_bytes(name.encode()).encode() + b"=" + quote_from_bytes(value.encode("utf-8", "surrogatepass")).encode()
        for name, value in fields.items()
    )


def submit(client, path: str, fields: dict[str, str], token: str | None = None):
    token = token or csrf_token(client)
    return client.post(path, data=encoded({"csrf_token": token, **fields}),
                       content_type="application/x-www-form-urlencoded")


def signed_in(app, name: str):
    client = app.test_client()
    answer = submit(client, "/auth/login", {"login": name, "password": PASSWORD}, csrf_token(client, "/auth/login"))
    assert answer.status_code == 302
    return client


@pytest.fixture
def signed(app, users):
    """Clients signed in once for all of a test's examples (hypothesis reuses the fixture), by name."""
    clients = {}

    def client_of(name: str):
        if name not in clients:
            clients[name] = signed_in(app, name)
        return clients[name]

    return client_of


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def assert_refused_at_a_field(answer, where: str) -> None:
    """A refusal a person can act on: 4xx, and (for a form shown again) the error beside its field."""
    assert 400 <= answer.status_code < 500, f"{where}: {answer.status_code}"
    page = answer.get_data(as_text=True)
    if answer.status_code == 422:
        assert 'class="field__error"' in page, f"{where}: 422 without an error at a field"
    else:  # a body too large for the server (413) or a bad request: the error page says why
        assert "<h1" in page and answer.status_code in (400, 413), f"{where}: {answer.status_code}"


def assert_answered(answer, before: dict[str, int], after: dict[str, int], where: str) -> bool:
    """True when the form was accepted (a redirect); else it was refused and nothing was saved."""
    assert answer.status_code < 500, f"{where}: {answer.status_code}"
    if answer.status_code in (302, 303):
        return True
    assert_refused_at_a_field(answer, where)
    assert after == before, f"{where}: refused, but rows changed: {before} -> {after}"
    return False


def assert_storable(value: str | None, where: str) -> None:
    """Plain text (printed escaped): any database can hold it."""
    assert value is None or not UNSTORABLE.search(value), f"{where}: NUL or a lone surrogate was stored"


def assert_sanitized_html(value: str, where: str) -> None:
    """Stored HTML (printed as is): only the allowlist, nothing that runs."""
    assert _tags(value) <= ESSAY_TAGS and not active_content(value, site_scripts=False), f"{where}: {value[:200]!r}"
    assert_storable(value, where)


# --- the text pipeline ---------------------------------------------------------------------------

def _tags(html: str) -> set[str]:
    return set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", html))


@settings(max_examples=60)
@given(pipeline_text)
@example("\ud800<script>alert(1)</script>\x00")
@example("[x](java\x00script:alert(1))")
@example(MEGABYTE_OF_TEXT)
def test_the_pipeline_never_raises_and_keeps_only_the_allowlist(markdown_text):
    comment, essay = render_comment(markdown_text), render_essay(markdown_text)
    for rendered in (comment, essay):
        assert_sanitized_html(rendered, "rendered")
        assert sanitize_html(rendered, ESSAY_TAGS) == rendered  # sanitizing again changes nothing
    assert not UNSTORABLE.search(plain_text(comment)) and len(excerpt(essay)) <= 280


@settings(max_examples=300)
@given(st.one_of(any_text, st.lists(st.sampled_from(vectors()), max_size=8).map("".join)))
def test_sanitizing_any_html_is_safe_and_idempotent(untrusted_html):
    clean = sanitize_html(untrusted_html, ESSAY_TAGS)
    assert_sanitized_html(clean, "sanitized")
    assert sanitize_html(clean, ESSAY_TAGS) == clean


def test_storable_text_replaces_only_nul_and_lone_surrogates():
    assert storable("a\x00b\ud800c\udfff👩‍👩‍👧\u200f") == "a\ufffdb\ufffdc\ufffd👩‍👩‍👧\u200f"


# --- accounts --------------------------------------------------------------------------------------

@given(username=field_text, email=any_text, password=field_text)
@example(username="wren\x00", email="wren@example.org", password=PASSWORD)
@example(username="wren", email="wren\x00@example.org", password=PASSWORD)
def test_register_with_any_text(app, username, email, password):
    client = app.test_client()
    before = row_counts(app)
    with mails_logged() as mails:
        answer = submit(client, "/auth/register", {"username": username, "email": email},
                        csrf_token(client, "/auth/register"))
    if answer.status_code != 200:
        assert not assert_answered(answer, before, row_counts(app), "register")
        return
    assert row_counts(app) == before, "register: something was stored before the emailed link was followed"
    links = signup_links(mails)
    if not links:  # the address has an account: its owner was told instead
        assert len(mails) == 1
        return
    answer = submit(client, links[0], {"password": password, "confirm": password}, csrf_token(client, links[0]))
    if assert_answered(answer, before, row_counts(app), "choose a password"):
        with app.app_context():
            user = db.session.scalars(sa.select(User).order_by(User.id.desc())).first()
        assert USERNAME_RULE.fullmatch(user.username) and user.username == username.strip()
        assert_storable(user.email, "email")


@given(login=field_text, password=field_text)
def test_login_with_any_text(app, users, login, password):
    client = app.test_client()
    before = row_counts(app)
    answer = submit(client, "/auth/login", {"login": login, "password": password}, csrf_token(client, "/auth/login"))
    assert not assert_answered(answer, before, row_counts(app), "login")  # no such account, or wrong


# --- comments --------------------------------------------------------------------------------------

@pytest.fixture
def slug(app, users) -> str:
    return make_post(app, title="Any Words")


def assert_newest_comment_sanitized(app) -> None:
    with app.app_context():
        comment = db.session.scalars(sa.select(Comment).order_by(Comment.id.desc())).first()
        assert_sanitized_html(comment.body_html, "comment body_html")
        for column in ("body_markdown", "guest_name", "guest_email", "guest_website"):
            assert_storable(getattr(comment, column), f"comment {column}")
        assert comment.guest_website is None or comment.guest_website.startswith(("http://", "https://"))


@given(body=field_text, name=field_text, email=any_text, website=any_text)
@example(body="hi", name="Wren", email="wren@example.org", website="https://[code]")
@example(body="hi\x00", name="Wren\x00", email="wren@example.org", website="")
def test_guest_comment_with_any_text(app, slug, body, name, email, website):
    client = app.test_client()
    before = row_counts(app)
    answer = submit(client, f"/posts/{slug}/comments", {"body": body, "name": name, "email": email, "website": website},
                    csrf_token(client, f"/posts/{slug}"))
    if assert_answered(answer, before, row_counts(app), "guest comment"):
        assert_newest_comment_sanitized(app)


@given(body=field_text, parent_id=st.one_of(any_text, st.integers(-2**70, 2**70).map(str)))
def test_signed_in_comment_and_reply_with_any_text(app, slug, signed, body, parent_id):
    client = signed("reader")
    parent = make_comment(app, slug, "A parent.", author="Ana")
    for fields in ({"body": body}, {"body": body, "parent_id": str(parent)}, {"body": "A reply.", "parent_id": parent_id}):
        before = row_counts(app)
        answer = submit(client, f"/posts/{slug}/comments", fields)
        if assert_answered(answer, before, row_counts(app), f"comment {sorted(fields)}"):
            assert_newest_comment_sanitized(app)


@given(body=field_text)
def test_editing_own_comment_with_any_text(app, slug, signed, body):
    client = signed("reader")
    comment_id = make_comment(app, slug, "My first words.", author="reader")
    before = row_counts(app)
    answer = submit(client, f"/comments/{comment_id}/edit", {"body": body})
    if assert_answered(answer, before, row_counts(app), "edit own comment"):
        assert_newest_comment_sanitized(app)
    else:
        assert stored(app, Comment, comment_id, "body_markdown") == "My first words."


@given(reason=st.one_of(st.sampled_from(["spam", "harassment", "off-topic", "other"]), any_text), details=field_text)
def test_report_with_any_text(app, slug, signed, reason, details):
    client = signed("reader")
    comment_id = make_comment(app, slug, "Report me.", author="Ana")
    before = row_counts(app)
    answer = submit(client, f"/comments/{comment_id}/report", {"reason": reason, "details": details})
    if assert_answered(answer, before, row_counts(app), "report"):
        with app.app_context():
            report = db.session.scalars(sa.select(Report).order_by(Report.id.desc())).first()
            assert report.reason == reason and len(report.details) <= 500
            assert_storable(report.details, "report details")


# --- posts -----------------------------------------------------------------------------------------

@settings(max_examples=12)  # each example sends two or more forms, some of a megabyte
@given(title=field_text, body=field_text, publish=st.sampled_from(["", "y", "\x00", "\ud800"]))
@example(title="\x00", body="\x00", publish="y")
def test_new_and_edited_posts_with_any_text(app, users, signed, title, body, publish):
    client = signed("author")
    existing = make_post(app, title="Editable", body="The words before.")
    for path in ("/posts/new", f"/posts/{existing}/edit"):
        before = row_counts(app)
        answer = submit(client, path, {"title": title, "body": body, "publish": publish, "save": "Save"})
        if assert_answered(answer, before, row_counts(app), path):
            with app.app_context():
                for post in db.session.scalars(sa.select(Post)):
                    assert_sanitized_html(post.body_html, "post body_html")
                    for column in ("title", "body_markdown", "excerpt"):
                        assert_storable(getattr(post, column), f"post {column}")
                    assert re.fullmatch(r"[a-z0-9-]+", post.slug)
        elif path.endswith("/edit"):
            assert stored(app, Post, post_id_of(app, existing), "body_markdown") == "The words before."


def post_id_of(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Post.id).where(Post.slug == slug))


# --- moderation ------------------------------------------------------------------------------------

SETTING_FIELDS = ("max_links", "flood_seconds", "close_after_days", "moderation_words", "disallowed_words",
                  "blocked_emails", "blocked_addresses", "hold_all_comments", "hold_first_comment")


@settings(max_examples=12)  # each example sends two or more forms, some of a megabyte
@given(st.fixed_dictionaries({}, optional={name: field_text for name in SETTING_FIELDS}))
@example({"max_links": "2", "flood_seconds": "0", "close_after_days": "0", "moderation_words": "a\x00b"})
@example({"max_links": "99999999999999999999999", "flood_seconds": "²", "close_after_days": "-0"})
def test_moderation_settings_with_any_text(app, users, signed, values):
    client = signed("admin")
    before = row_counts(app)
    answer = submit(client, "/moderation/settings", values)
    if assert_answered(answer, before, row_counts(app), "settings"):
        with app.app_context():
            saved = db.session.get(ModerationSettings, 1)
            for name in ("moderation_words", "disallowed_words", "blocked_emails", "blocked_addresses"):
                assert not UNSTORABLE.search(getattr(saved, name)), name


@given(days=st.one_of(st.sampled_from(["1", "7", "forever"]), any_text), reason=field_text)
def test_suspending_with_any_text(app, users, signed, days, reason):
    client = signed("moderator")
    reader_id = users.reader.id
    before = row_counts(app)
    suspended_before = stored(app, User, reader_id, "suspended_until")
    answer = submit(client, f"/moderation/accounts/{reader_id}/suspend", {"days": days, "reason": reason})
    if assert_answered(answer, before, row_counts(app), "suspend"):
        assert_storable(stored(app, User, reader_id, "suspension_reason"), "suspension reason")
    else:
        assert stored(app, User, reader_id, "suspended_until") == suspended_before


@given(role=st.one_of(st.sampled_from(["reader", "author", "moderator", "admin"]), any_text))
def test_changing_a_role_with_any_text(app, users, signed, role):
    client = signed("admin")
    before_role = stored(app, User, users.reader.id, "role")
    before = row_counts(app)
    answer = submit(client, f"/moderation/accounts/{users.reader.id}/role", {"role": role})
    if assert_answered(answer, before, row_counts(app), "role"):
        assert stored(app, User, users.reader.id, "role") == role
    else:
        assert stored(app, User, users.reader.id, "role") == before_role


query_value = st.one_of(any_text, st.integers(-2**70, 2**70).map(str))


@given(st.sampled_from(["/moderation/", "/moderation/log", "/moderation/accounts", "/"]),
       st.dictionaries(st.sampled_from(["q", "suspended", "moderator", "action", "account", "tab", "page", "cpage"]),
                       query_value, max_size=4))
@example("/moderation/accounts", {"q": "a\x00b"})
@example("/moderation/log", {"account": "\ud800", "moderator": "\x00"})
def test_search_and_filter_query_strings_with_any_text(app, users, signed, path, query):
    client = signed("moderator")
    before = row_counts(app)
    query_string = "&".join(f"{name}={quote_from_bytes(value.encode('utf-8', 'surrogatepass'))}" for name, value in query.items())
    answer = client.get(f"{path}?{query_string}")
    assert answer.status_code in (200, 404), f"{path}?{query_string}: {answer.status_code}"
    assert row_counts(app) == before  # nothing changes on GET
    assert not active_content(answer.get_data(as_text=True))


# --- regressions found by the properties ----------------------------------------------------------

def test_website_with_a_bracketed_host_is_refused_at_its_field_not_a_500(app, slug):
    client = app.test_client()
    answer = submit(client, f"/posts/{slug}/comments", {"body": "hi", "name": "Wren", "email": "wren@example.org",
                                                        "website": "https://[code]"}, csrf_token(client, f"/posts/{slug}"))
    assert answer.status_code == 422
    assert "A website is an http or https address" in answer.get_data(as_text=True)


def test_nul_in_a_comment_is_stored_as_a_replacement_character(app, slug):
    """PostgreSQL refuses NUL in text: it used to be a 500 there."""
    client = signed_in(app, "reader")
    answer = submit(client, f"/posts/{slug}/comments", {"body": "before\x00after"})
    assert answer.status_code == 302
    with app.app_context():
        comment = db.session.scalars(sa.select(Comment)).one()
    assert comment.body_markdown == "before\ufffdafter" and "before\ufffdafter" in comment.body_html


def test_nul_in_a_search_a_login_or_a_path_is_no_500(app, users, slug):
    client = signed_in(app, "moderator")
    assert client.get("/moderation/accounts?q=a%00b").status_code == 200
    assert client.get("/posts/x%00y").status_code == 404
    guest = app.test_client()
    assert submit(guest, "/auth/login", {"login": "a\x00", "password": "x"}, csrf_token(guest, "/auth/login")).status_code == 422


def test_a_refused_suspension_of_a_suspended_account_shows_its_error(app, users):
    """The account page used to show only "Lift the suspension" then, hiding the error."""
    client = signed_in(app, "moderator")
    path = f"/moderation/accounts/{users.reader.id}/suspend"
    assert submit(client, path, {"days": "7", "reason": "Spam links."}).status_code == 302
    answer = submit(client, path, {"days": "7", "reason": "  "})
    assert answer.status_code == 422 and "Give a reason; the person will see it." in answer.get_data(as_text=True)


def test_an_index_page_past_any_offset_is_a_404_not_a_500(client):
    assert client.get("/?page=922337203685477582").status_code == 404


def test_an_essay_over_the_limit_is_not_previewed(app, users, signed):
    client = signed("author")
    answer = submit(client, "/posts/new", {"title": "Long", "body": "*a* " * 30_000, "preview": "Preview"})
    assert answer.status_code == 422 and "A post is at most 100,000 characters." in answer.get_data(as_text=True)
    assert "<em>a</em>" not in answer.get_data(as_text=True)


def test_lone_surrogates_never_reach_the_sanitizer():
    """nh3 (Rust) cannot take a string that is not valid Unicode: it used to raise."""
    assert render_comment("\ud800") == "<p>\ufffd</p>\n" and sanitize_html("\udfff<em>x</em>") == "\ufffd<em>x</em>"
