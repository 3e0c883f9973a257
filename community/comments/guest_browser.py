"""A guest's browser, known by a random key in a signed, long-lived cookie: the key goes with each
of their comments, draws their avatar, and is what lets an earlier approved comment vouch for
the next one (an email alone is only typed, and anyone can type it)."""

from __future__ import annotations

import secrets

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
