"""What every response tells the browser, the cookies, trusted proxies and the request size limit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from community import create_app
from community.config import security_settings
from community.models import Comment
from tests.conftest import PASSWORD, csrf_token, post_form, test_config
from tests.factories import count_rows, make_comment, make_post

ROOT = Path(__file__).resolve().parents[1]


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().partition(" ")[::2] for part in policy.split(";"))


@pytest.fixture
def essay(app, users) -> str:
    slug = make_post(app, title="Letters We Never Sent")
    make_comment(app, slug, "A *kind* [word](https://example.org).")
    return slug


def pages(essay: str) -> list[tuple[str, str]]:
    return [
        ("GET", "/"), ("GET", f"/posts/{essay}"), ("GET", "/auth/login"), ("GET", "/auth/password/forgot"),
        ("GET", "/nowhere"), ("GET", "/static/css/site.css"), ("GET", "/static/js/discussion.js"),
        ("GET", "/avatars/0123456789abcdef0123.svg"), ("POST", "/auth/login"), ("PUT", "/auth/login"),
    ]


def test_every_response_carries_the_security_headers(client, essay):
    for method, path in pages(essay):
        response = client.open(path, method=method)
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert "Content-Security-Policy" in headers, path
        assert "Strict-Transport-Security" not in headers, path  # plain HTTP: no HSTS


def test_the_policy_allows_only_this_site_and_nothing_inline(client):
    response = client.get("/")
    policy = directives(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self'" and policy["connect-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
    text = response.headers["Content-Security-Policy"]
    assert "unsafe" not in text and "data:" not in text and "*" not in text


def test_json_errors_carry_the_headers_too(client):
    response = client.get("/nowhere", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.is_json
    assert directives(response)["script-src"] == "'self'"


# --- nothing on the pages needs 'unsafe-inline' ----------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def inline_code(html: str) -> list[str]:
    found = []
    for name, pattern in (("inline script", INLINE_SCRIPT), ("style attribute", STYLE_ATTRIBUTE),
                          ("event handler", EVENT_HANDLER), ("style element", STYLE_ELEMENT),
                          ("javascript: URL", JAVASCRIPT_URL)):
        found += [f"{name}: {match.group(0)[:80]}" for match in pattern.finditer(html)]
    return found


@pytest.mark.parametrize("template", sorted(str(path.relative_to(ROOT)) for path in (ROOT / "templates").rglob("*.html")))
def test_no_template_holds_inline_script_or_style(template):
    found = inline_code((ROOT / template).read_text())
    if template.startswith("templates/notifications/email/"):
        # An email's HTML part is read by mail clients, not under the site's CSP, and most clients
        # drop <style> elements: inline style attributes are how an email is styled. Script never.
        found = [piece for piece in found if not piece.startswith("style attribute")]
    assert found == []


@pytest.mark.parametrize("script", sorted(path.name for path in (ROOT / "community" / "static" / "js").glob("*.js")))
def test_the_script_builds_no_inline_style_or_script(script):
    source = (ROOT / "community" / "static" / "js" / script).read_text()
    assert inline_code(source) == []
    assert not re.search(r"""setAttribute\(\s*["'](style|on[a-z]+)["']|\beval\(|new Function\(|\.cssText""", source)


def test_rendered_pages_hold_no_inline_script_or_style(client, auth, essay):
    auth.login("admin")  # the most controls: moderation buttons, own-comment links, every form
    for path in ("/", f"/posts/{essay}", f"/posts/{essay}?replytocom=1", "/auth/password", "/moderation/",
                 "/moderation/settings", f"/posts/{essay}/threads"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert inline_code(response.get_data(as_text=True)) == [], path


def test_the_stylesheet_loads_nothing_from_elsewhere():
    """Its only url()s are the site's own fonts, beside it in static/."""
    stylesheet = ROOT / "community" / "static" / "css" / "site.css"
    css = stylesheet.read_text()
    assert not re.search(r"@import|expression\(", css)
    for target in re.findall(r"url\(([^)]*)\)", css):
        assert re.fullmatch(r"\.\./fonts/[\w.-]+\.woff2\?v=[0-9a-f]{12}", target), target


# --- HTTPS and proxies ----------------------------------------------------------------------------------

def test_hsts_is_sent_over_https_only(client):
    assert client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_hsts_can_be_turned_off(migrated_database):
    app = create_app(test_config(migrated_database, HSTS_SECONDS=0))
    assert "Strict-Transport-Security" not in app.test_client().get("/", base_url="https://localhost").headers


def _address_app(migrated_database: str, **config):
    app = create_app(test_config(migrated_database, **config))

    @app.get("/_who")
    def who():
        from flask import request

        return {"address": request.remote_addr, "secure": request.is_secure}

    return app


FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(migrated_database):
    response = _address_app(migrated_database).test_client().get("/_who", headers=FORWARDED)
    assert response.get_json() == {"address": "127.0.0.1", "secure": False}
    assert "Strict-Transport-Security" not in response.headers


def test_a_trusted_proxy_gives_the_client_address_and_scheme(migrated_database):
    app = _address_app(migrated_database, TRUSTED_PROXIES=1)
    response = app.test_client().get("/_who", headers=FORWARDED)
    assert response.get_json() == {"address": "203.0.113.9", "secure": True}
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    # Only the hop the proxy added counts: a client cannot forge an address in front of it.
    spoofed = app.test_client().get("/_who", headers={"X-Forwarded-For": "10.0.0.1, 203.0.113.9"})
    assert spoofed.get_json()["address"] == "203.0.113.9"


# --- cookies ------------------------------------------------------------------------------------------

def cookie_named(response, name: str) -> str:
    found = [cookie for cookie in response.headers.getlist("Set-Cookie") if cookie.startswith(f"{name}=")]
    assert found, f"no {name} cookie set"
    return found[0]


def test_session_and_remember_cookies_are_httponly_and_lax(client, users, auth):
    response = auth.login(remember="y")
    for name in ("session", "remember_token"):
        cookie = cookie_named(response, name)
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
        assert "Secure" not in cookie  # the test server speaks plain HTTP


def test_production_cookies_are_secure(migrated_database, users):
    app = create_app(test_config(migrated_database, SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True))
    client = app.test_client()
    page = client.get("/auth/login", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"csrf_token": token, "login": "reader", "password": PASSWORD,
                                                "remember": "y"}, base_url="https://localhost",
                           headers={"Referer": "https://localhost/auth/login"})
    assert response.status_code == 302
    for name in ("session", "remember_token"):
        assert "Secure" in cookie_named(response, name)


@pytest.mark.parametrize(
    ("environment", "secure"),
    [
        ({}, False),  # development: http://127.0.0.1
        ({"SITE_URL": "https://community.example"}, True),  # the site says it is served over HTTPS
        ({"SITE_URL": "http://community.example"}, False),
        ({"SITE_URL": "https://community.example", "SECURE_COOKIES": "false"}, False),  # said outright wins
        ({"SECURE_COOKIES": "true"}, True),
    ],
)
def test_secure_cookies_follow_the_site_address_unless_set(monkeypatch, environment, secure):
    for name in ("SITE_URL", "SECURE_COOKIES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = security_settings()
    assert settings["SESSION_COOKIE_SECURE"] is secure and settings["REMEMBER_COOKIE_SECURE"] is secure
    assert settings["SESSION_COOKIE_HTTPONLY"] and settings["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("value", ["community.example", "ftp://community.example", "https://", "https://x.example/sub"])
def test_a_malformed_site_url_fails_at_start(monkeypatch, value):
    monkeypatch.setenv("SITE_URL", value)
    with pytest.raises(RuntimeError, match="SITE_URL"):
        security_settings()


# --- the request size limit ------------------------------------------------------------------------------

def test_the_default_limit_sits_above_the_largest_form(monkeypatch):
    monkeypatch.delenv("MAX_CONTENT_LENGTH", raising=False)
    settings = security_settings()
    # A 100,000-character essay of four-byte characters, percent-encoded, with room to spare.
    assert settings["MAX_CONTENT_LENGTH"] == settings["MAX_FORM_MEMORY_SIZE"] == 4 * 1024 * 1024
    assert settings["MAX_CONTENT_LENGTH"] > 100_000 * 4 * 3


@pytest.fixture
def small_limit(migrated_database, users):
    app = create_app(test_config(migrated_database, MAX_CONTENT_LENGTH=64 * 1024, MAX_FORM_MEMORY_SIZE=64 * 1024))
    return app.test_client()


def test_a_request_over_the_limit_is_a_clean_413_page(small_limit):
    token = csrf_token(small_limit, "/auth/login")
    response = small_limit.post("/auth/login", data={"csrf_token": token, "login": "x" * 70_000, "password": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "What you sent is too large: this site accepts at most 64 KiB at once." in page
    assert "Skip to content" in page  # the site's own page, not a bare server error
    assert directives(response)["script-src"] == "'self'"


def test_a_json_request_over_the_limit_gets_json(small_limit):
    response = small_limit.post("/comments/preview", json={"body": "x" * 70_000}, headers={"Accept": "application/json"})
    assert response.status_code == 413 and response.is_json
    assert response.get_json() == {"error": "What you sent is too large: this site accepts at most 64 KiB at once.",
                                   "status": 413}


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data"])
@pytest.mark.parametrize("body", ["x" * 1_000_000, "é" * 500_000], ids=["ascii", "accented"])  # 1 MB each
def test_a_megabyte_comment_gets_its_error_at_the_field_not_a_413(client, app, essay, auth, content_type, body):
    auth.login("reader")
    before = count_rows(app, Comment)
    response = client.post(f"/posts/{essay}/comments", content_type=content_type,
                           data={"csrf_token": csrf_token(client), "body": body})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="body-error"' in page and "A comment is at most 5,000 characters" in page
    assert count_rows(app, Comment) == before


def test_a_script_posting_a_megabyte_comment_gets_json_field_errors(client, app, essay, auth):
    auth.login("reader")
    response = post_form(client, f"/posts/{essay}/comments", {"body": "x" * 1_000_000},
                         headers={"Accept": "application/json"})
    assert response.status_code == 422 and "body" in response.get_json()["errors"]
