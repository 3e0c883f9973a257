"""A guest's browser, known by a random key in a signed, long-lived cookie: the key goes with each
of their comments, draws their avatar, and is what lets an earlier approved comment vouch for
the next one (an email alone is only typed, and anyone can type it)."""

from __future__ import annotations

import json
import secrets
from urllib.parse import quote

from flask import current_app, g, request
from flask.wrappers import Response
from itsdangerous import BadData, URLSafeSerializer

COOKIE = "guest"
SALT = "community.guest-browser"
YEAR = 365 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def browser_key() -> str:
    """This browser's key: the one its cookie carries if the signature holds, else a new one
    (remember_browser then sets the cookie)."""
    if "guest_key" not in g:
        key = None
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                key = _serializer().loads(raw)
            except BadData:
                key = None
        g.guest_key_is_new = not isinstance(key, str) or len(key) != 32
        g.guest_key = secrets.token_hex(16) if g.guest_key_is_new else key
    return g.guest_key


def remember_browser(response: Response) -> Response:
    """Set the cookie on a response when this request made the browser a new key."""
    if g.get("guest_key_is_new"):
        config = current_app.config
        response.set_cookie(COOKIE, _serializer().dumps(g.guest_key), max_age=YEAR, httponly=True,
                            samesite="Lax", secure=bool(config.get("SESSION_COOKIE_SECURE")))
    return response


DETAILS_COOKIE = "comment_author"  # WordPress keeps the same three in comment_author_* cookies


def remember_details(response: Response, save: bool, name: str, email: str, website: str) -> Response:
    """A guest who ticked "Save my name, email, and website" gets them in a cookie the page's script
    reads to fill the form (the page itself is shared by every guest, so the server never prints
    them into it); one who posts with the box unticked has the cookie cleared."""
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    if not save:
        if DETAILS_COOKIE in request.cookies:
            response.delete_cookie(DETAILS_COOKIE, samesite="Lax", secure=secure)
        return response
    details = json.dumps({"name": name, "email": email, "website": website or ""}, ensure_ascii=False)
    # Percent-encoded, so the script reads it back with decodeURIComponent; not HttpOnly, as the
    # script is what reads it.
    response.set_cookie(DETAILS_COOKIE, quote(details, safe=""), max_age=YEAR, samesite="Lax", secure=secure)
    return response
