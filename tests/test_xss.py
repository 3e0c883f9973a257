"""Every vector of the XSS corpus (tests/data/xss) through every field a person controls: nothing
stored and no page drawn from it carries a script, an event handler, a javascript:/vbscript:/data:
URL or a style. The forms are used with CSRF on; where sending every vector through HTTP would
only repeat the same service call, the service is called and the pages are read over HTTP."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from community.extensions import db
from community.models import Comment, LogEntry, ModerationSettings, Post, User
from community.services import DomainError
from community.services.comments import Guest, add_comment, check_guest_name, check_website
from community.services.moderation import Action, edit_as_moderator, moderate_comments, suspend
from community.services.settings import check_address_list, check_email_list
from community.services.reports import report_comment
from community.text import ESSAY_TAGS, storable
from tests.conftest import PASSWORD, csrf_token
from tests.factories import make_post, post_by_slug, user_named
from tests.signup_mail import mails_logged, signup_links
from tests.xss import active_content, assert_inert, vectors

GUEST_EMAIL = "guest@example.net"


@pytest.fixture
def app_settings():
    """Few pages hold every comment and every post, so each is read once."""
    return {"COMMENTS_PER_PAGE": 500, "POSTS_PER_PAGE": 5_000, "MAX_LINKS": 100}


class Browser:
    """A test client that reads its CSRF token once, as a page would, and sends it with every form."""

    def __init__(self, client) -> None:
        self.client = client
        self.token = csrf_token(client)

    def post(self, path: str, data: dict[str, object], **kwargs):
        return self.client.post(path, data={"csrf_token": self.token, **data}, **kwargs)

    def pages(self, path: str) -> int:
        """Every page of a paged list (`path` ends in "page="), checked; returns how many there were."""
        for number in range(1, 1_000):
            response = self.client.get(f"{path}{number}")
            if response.status_code == 404:
                return number - 1
            assert response.status_code == 200, f"GET {path}{number}: {response.status_code}"
            assert_inert(response.get_data(as_text=True), f"GET {path}{number}")
        raise AssertionError(f"{path}: no end of the pages")

    def page(self, path: str, expected: int = 200) -> str:
        response = self.client.get(path)
        assert response.status_code == expected, f"GET {path}: {response.status_code}"
        html = response.get_data(as_text=True)
        assert_inert(html, f"GET {path}")
        return html


def signed_in(app, name: str) -> Browser:
    client = app.test_client()
    client.post("/auth/login", data={"csrf_token": csrf_token(client, "/auth/login"), "login": name, "password": PASSWORD})
    browser = Browser(client)
    assert f"Signed in as <strong>{name}</strong>" in client.get("/").get_data(as_text=True)
    return browser


def assert_answer_inert(response, where: str) -> None:
    """A form's answer: a redirect, or the form shown again with its errors (and what was typed)."""
    assert response.status_code in (200, 201, 302, 422), f"{where}: {response.status_code}"
    if response.is_json:
        assert_inert(response.get_json().get("html", ""), where, site_scripts=False)
    else:
        assert_inert(response.get_data(as_text=True), where)


def assert_stored_inert(app, column, allowed_tags=ESSAY_TAGS) -> int:
    """Every stored HTML value of `column` is on the allowlist and inert; returns how many there are."""
    with app.app_context():
        values = db.session.scalars(sa.select(column)).all()
    for value in values:
        assert_inert(value, f"stored {column}", site_scripts=False)
        tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", value))
        assert tags <= allowed_tags, f"stored {column}: {tags - allowed_tags} in {value[:200]!r}"
    return len(values)


def test_the_check_sees_raw_attacks_and_ignores_escaped_ones():
    """The check is not blind: most raw vectors are caught, and none once escaped as text."""
    caught = [vector for vector in vectors() if active_content(vector, site_scripts=False)]
    assert len(vectors()) >= 300 and len(caught) >= 300
    assert not [vector for vector in vectors() if active_content(str(escape(vector)), site_scripts=False)]


def test_comment_bodies_guest_names_and_websites(app, users):
    slug = make_post(app, title="Letters")
    # Typed values come back in the form when a field is refused: shown on a quiet post, so
    # drawing the form again does not draw the whole discussion every time.
    echo_slug = make_post(app, title="Echoes")
    reader = signed_in(app, "reader")
    guest = Browser(app.test_client())
    for number, vector in enumerate(vectors()):
        answer = reader.post(f"/posts/{slug}/comments", {"body": vector})
        assert_answer_inert(answer, f"reader comment #{number}")
        raw = {"body": vector, "name": vector, "email": GUEST_EMAIL, "website": vector}
        answer = guest.post(f"/posts/{echo_slug}/comments", raw)
        assert_answer_inert(answer, f"guest comment #{number}")
        if number < 50:  # the script's JSON path draws the same comment macro as the page
            answer = guest.post(f"/posts/{slug}/comments", {**raw, "name": "Guest", "website": ""},
                                headers={"Accept": "application/json"})
            assert answer.status_code in (201, 422)
            assert_answer_inert(answer, f"guest comment #{number} for a script")
    with app.app_context():
        # Each guest field that passes on its own, so every acceptable name and website is stored;
        # through the service (one transaction), as a request would deliver it (request_text).
        post = post_by_slug(slug)
        for vector in map(storable, vectors()):
            who = Guest(_or(check_guest_name, vector, "Guest"), GUEST_EMAIL, _or(check_website, vector, None))
            add_comment(post, vector if vector.strip() else "(blank)", guest=who, ip_address="127.0.0.1")
        db.session.commit()

    assert assert_stored_inert(app, Comment.body_html, ESSAY_TAGS) >= 2 * 300
    with app.app_context():
        names = db.session.scalars(sa.select(Comment.guest_name).where(Comment.guest_name != "Guest")).all()
        websites = db.session.scalars(sa.select(Comment.guest_website).where(Comment.guest_website.is_not(None))).all()
    assert len(names) >= 100
    assert all(website.startswith(("http://", "https://")) for website in websites)

    with app.app_context():  # some of them held, spammed or trashed, for the queue and the log
        reader_id, ids = user_named("reader").id, db.session.scalars(sa.select(Comment.id).order_by(Comment.id)).all()
        for action, chosen in ((Action.UNAPPROVE, ids[0::3]), (Action.SPAM, ids[1::3]), (Action.TRASH, ids[2::6])):
            moderate_comments(user_named("moderator"), chosen, action, reason="checking the corpus")
        db.session.commit()
    moderator = signed_in(app, "moderator")
    for viewer in (Browser(app.test_client()), reader, guest, moderator):
        assert viewer.pages(f"/posts/{slug}?cpage=") >= 1
        viewer.pages(f"/posts/{slug}/threads?cpage=")
        viewer.page("/")
    for tab in ("pending", "spam", "trash", "reported"):
        moderator.pages(f"/moderation/?tab={tab}&page=")
    moderator.page(f"/moderation/accounts/{reader_id}")
    with app.app_context():
        entries = db.session.scalar(sa.select(sa.func.count()).select_from(LogEntry))
    assert moderator.pages("/moderation/log?page=") == -(-entries // 50)


def _or(check, value: str, fallback: str) -> str:
    try:
        check(value)
    except DomainError:
        return fallback
    return value


def test_preview_of_every_vector_is_inert(app, users):
    guest = Browser(app.test_client())
    for number, vector in enumerate(vectors()):
        answer = guest.post("/comments/preview", {"body": vector})
        assert answer.status_code == 200
        assert_inert(answer.get_json()["html"], f"preview #{number}", site_scripts=False)


def test_post_titles_and_bodies_as_an_author(app, users):
    author = signed_in(app, "author")
    for number, vector in enumerate(vectors()):
        answer = author.post("/posts/new", {"title": vector, "body": vector, "publish": "y", "save": "Save"})
        assert_answer_inert(answer, f"post #{number}")
        if answer.status_code == 422:  # a title too long or blank: the words still go in, under a plain title
            answer = author.post("/posts/new", {"title": f"Essay {number}", "body": vector, "publish": "y", "save": "Save"})
            assert_answer_inert(answer, f"post #{number}, plain title")
        if number < 50:  # the editor's preview draws the same HTML as the stored essay, checked below
            answer = author.post("/posts/new", {"title": vector, "body": vector, "preview": "Preview"})
            assert_answer_inert(answer, f"preview of post #{number}")

    assert assert_stored_inert(app, Post.body_html) >= 300
    with app.app_context():  # excerpts are plain text, printed escaped: the index shows them
        slugs = db.session.scalars(sa.select(Post.slug)).all()
    reader = signed_in(app, "reader")
    guest = Browser(app.test_client())
    for viewer in (guest, reader):
        viewer.page("/")
    for slug in slugs:
        guest.page(f"/posts/{slug}")
        author.page(f"/posts/{slug}/edit")
    author.page("/drafts")


def test_usernames_at_registration(app, users):
    visitor = Browser(app.test_client())
    registered = 0
    for number, vector in enumerate(vectors()):
        with mails_logged() as mails:
            answer = visitor.post("/auth/register", {"username": vector, "email": f"new{number}@example.org"})
        assert_answer_inert(answer, f"registration #{number}")
        for link in signup_links(mails):  # the name was accepted: the emailed link shows it again
            visitor.page(link)
            answer = visitor.post(link, {"password": PASSWORD, "confirm": PASSWORD})
            assert_answer_inert(answer, f"choosing a password, registration #{number}")
        if answer.status_code == 302:
            registered += 1
            visitor.page("/")  # "Signed in as ..."
            visitor.post("/auth/logout", {})
            visitor = Browser(app.test_client())
    # The few vectors that are plain words make accounts; the rest are refused at the field.
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 6 + registered
    admin = signed_in(app, "admin")
    admin.page("/moderation/accounts")


def test_reports_moderator_edits_and_suspension_reasons(app, users):
    slug = make_post(app, title="Held")
    with app.app_context():
        post, reader, reporter, moderator = post_by_slug(slug), user_named("reader"), user_named("Ana"), user_named("moderator")
        comments = [add_comment(post, f"Comment {number}", author=reader) for number in range(len(vectors()))]
        db.session.commit()
        comment_ids = [comment.id for comment in comments]
        for comment, vector in zip(comments, vectors()):
            vector = storable(vector)  # as a request delivers it (community.request_text)
            try:
                with db.session.begin_nested():
                    report_comment(reporter, comment, "other", vector)
            except DomainError:  # blank or too long: refused, nothing stored
                pass
            edit_as_moderator(moderator, comment, vector if vector.strip() else "(blank)", reason=vector[:500])
        for vector in map(storable, vectors()):
            if vector.split():
                suspend(moderator, reader, None, vector)
        db.session.commit()
        reader_id, reported = reader.id, db.session.scalar(sa.select(sa.func.count()).where(Comment.open_report_count > 0))
    assert reported >= 300

    assert assert_stored_inert(app, Comment.body_html) == len(vectors())
    mod = signed_in(app, "moderator")
    mod.page("/moderation/?tab=reported")
    mod.page(f"/posts/{slug}")
    mod.page(f"/moderation/accounts/{reader_id}")
    with app.app_context():
        entries = db.session.scalar(sa.select(sa.func.count()).select_from(LogEntry))
    assert mod.pages("/moderation/log?page=") == -(-entries // 50)
    # The moderator's own edit form, through HTTP with CSRF, for a few of them.
    for comment_id, vector in list(zip(comment_ids, vectors()))[:40]:
        mod.page(f"/moderation/comments/{comment_id}/edit")
        answer = mod.post(f"/moderation/comments/{comment_id}/edit", {"body": vector, "reason": vector})
        assert_answer_inert(answer, f"moderator edit of comment {comment_id}")
    # Ana's own report form, shown again when a reason is too long.
    other = signed_in(app, "other_author")
    for comment_id, vector in list(zip(comment_ids, vectors()))[:40]:
        answer = other.post(f"/comments/{comment_id}/report", {"reason": "other", "details": vector * 20})
        assert_answer_inert(answer, f"report of comment {comment_id}")


def test_moderation_word_and_block_lists_as_admin(app, users):
    admin = signed_in(app, "admin")
    numbers = {"max_links": "2", "flood_seconds": "0", "close_after_days": "0"}
    emails = "\n".join(line for line in _lines() if _or(check_email_list, line, ""))
    addresses = "\n".join(line for line in _lines() if _or(check_address_list, line, ""))
    for number, chunk in enumerate(_chunks(vectors(), 19_000)):
        for field in ("blocked_emails", "blocked_addresses"):  # refused at the first entry that is not one
            answer = admin.post("/moderation/settings", {**numbers, field: chunk})
            assert answer.status_code == 422
            assert_answer_inert(answer, f"settings {field}, chunk {number}")
        lists = {"moderation_words": chunk, "disallowed_words": chunk, "blocked_emails": emails, "blocked_addresses": addresses}
        answer = admin.post("/moderation/settings", {**numbers, **lists})
        assert answer.status_code == 302, f"settings chunk {number}: {answer.status_code}"
        admin.page("/moderation/settings")
    with app.app_context():
        saved = db.session.get(ModerationSettings, 1)
        assert len(saved.moderation_words) > 1_000 and len(saved.blocked_emails) > 100
    admin.page("/moderation/log")


def _lines() -> list[str]:
    return [line.strip() for vector in vectors() for line in vector.splitlines() if line.strip()]


def _chunks(texts, limit: int) -> list[str]:
    """The texts one a line, cut into pieces of at most `limit` characters."""
    chunks, chunk = [], ""
    for text in texts:
        if chunk and len(chunk) + len(text) > limit:
            chunks.append(chunk)
            chunk = ""
        chunk += text + "\n"
    return [*chunks, chunk]
