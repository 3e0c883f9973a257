"""Signed, purpose-bound links for email: a token says which subscriber (by id, never by address)
and what it may do; a confirmation link cannot unsubscribe, an unsubscribe link cannot confirm."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from community.services import DomainError

CONFIRM = "confirm"
MANAGE = "manage"
UNSUBSCRIBE = "unsubscribe"
# How long each kind of link works: a confirmation as long as the request waits (7 days); links in
# sent mail for a year, as people unsubscribe from old messages.
LIFETIMES = {CONFIRM: timedelta(days=7), MANAGE: timedelta(days=365), UNSUBSCRIBE: timedelta(days=365)}


class BadLink(DomainError):
    """A token that is forged, altered, expired or meant for something else."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"community.notifications.{purpose}")


def make_token(purpose: str, subscriber_id: int, scope: str = "") -> str:
    return _serializer(purpose).dumps([subscriber_id, scope])


def read_token(purpose: str, token: str) -> tuple[int, str]:
    """(subscriber id, scope), or BadLink with a sentence saying why."""
    try:
        subscriber_id, scope = _serializer(purpose).loads(token, max_age=int(LIFETIMES[purpose].total_seconds()))
    except SignatureExpired:
        raise BadLink("This link has expired. Links in our emails work for a limited time; "
                      "ask again from the site.", status=400) from None
    except (BadSignature, ValueError, TypeError):
        raise BadLink("This link is not valid. Please use the whole link from the email.", status=400) from None
    if not isinstance(subscriber_id, int) or not isinstance(scope, str):
        raise BadLink("This link is not valid. Please use the whole link from the email.", status=400)
    return subscriber_id, scope


def site_url(endpoint: str, **values: object) -> str:
    """An absolute link for an email: SITE_URL and the route's path, never the request's Host."""
    base = current_app.config.get("SITE_URL") or current_app.config.get("NOTIFY_FALLBACK_URL", "http://127.0.0.1:5000")
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base.rstrip("/") + path
