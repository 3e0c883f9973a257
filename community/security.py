"""What every response tells the browser (Content-Security-Policy and the headers beside it), the
request size limit, trusted proxies, and the session version checked on every request.
SECURITY.md explains each choice."""

from __future__ import annotations

from flask import Flask, current_app, flash, g, request, session
from flask_login import current_user, user_logged_in
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from community.extensions import login_manager
from community.models import User
from community.services.sessions import account_for_login_id

# Same-origin everything, and no inline script or style anywhere: the site has none to allow
# (templates carry no <script> body, no on* handler and no style attribute; see the tests).
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",  # avatars are SVGs drawn by this site; nothing needs data: URLs
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
))
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors, for browsers too old to know it
}
# The same answer whoever asks: no account to load for them (and for /healthz, no session to touch).
ASSET_ENDPOINTS = frozenset({"static", "avatars.avatar", "health.healthz"})
SESSION_ENDED = ("Your session has ended because you logged out or changed your password elsewhere. "
                 "Please log in again.")


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if personalised():
        # Besides Vary: Cookie (Flask's): no cache, shared or the browser's disk, keeps a page
        # holding this reader's CSRF token or account, unless the view said otherwise.
        response.headers.setdefault("Cache-Control", "private, no-store")
    hsts_seconds = current_app.config["HSTS_SECONDS"]
    # Only over HTTPS: a header received over plain HTTP would be ignored, and on a development
    # server it would lock the browser out of http://127.0.0.1 for a year.
    if request.is_secure and hsts_seconds:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={hsts_seconds}")
    return response


def personalised() -> bool:
    """Whether this answer is one reader's: it was made for an account, or it carries the
    session's CSRF token (generate_csrf keeps this request's in g)."""
    if "csrf_token" in g:
        return True
    return request.endpoint not in ASSET_ENDPOINTS and current_user.is_authenticated


def rotate_csrf_secret(_app: Flask, **_extra: object) -> None:
    """A session that signs in gets a new CSRF secret: a token learned before (from a shared
    computer, or planted by whoever prepared the session) stops working."""
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)


def _in_words(size: int) -> str:
    mib = size / (1024 * 1024)
    return f"{mib:g} MiB" if mib >= 1 else f"{size // 1024:,} KiB"


def request_too_large(error: RequestEntityTooLarge):
    from community.errors import error_response

    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    message = "What you sent is too large."
    if limit:
        message = f"What you sent is too large: this site accepts at most {_in_words(limit)} at once."
    return error_response(413, message, title="Too large")


def load_user(login_id: str) -> User | None:
    """Flask-Login's loader: the account, if the session's version is still the account's; else the
    session is signed out here (and its remember-me cookie deleted) with a word why."""
    user = account_for_login_id(login_id)
    if user is None:
        for key in ("_user_id", "_fresh", "_id"):
            session.pop(key, None)
        session["_remember"] = "clear"  # Flask-Login deletes the remember-me cookie on the way out
        flash(SESSION_ENDED, "info")
    return user


def check_session_version() -> None:
    """Load the account on every request, so an ended session is signed out at once, whatever the
    view reads."""
    if request.endpoint not in ASSET_ENDPOINTS:
        current_user._get_current_object()


def remembered() -> bool:
    """Whether this browser holds a remember-me cookie (to issue it again with a new version)."""
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def register(app: Flask) -> None:
    proxies = app.config.get("TRUSTED_PROXIES") or 0
    if proxies:
        # The client's address and scheme from X-Forwarded-For/-Proto, as set by that many proxies.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.after_request(add_security_headers)
    app.register_error_handler(RequestEntityTooLarge, request_too_large)
    login_manager.user_loader(load_user)
    user_logged_in.connect(rotate_csrf_secret, app)
    app.before_request(check_session_version)
