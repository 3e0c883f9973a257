"""The comment form's own evidence: a signed, timestamped one-time token and a honeypot field.

A person loads the page, reads, types and sends; a script often posts at once, or replays one
form for ever, or fills every field it finds. The token (a random nonce, signed with the app's
secret by itsdangerous) says when the form was drawn; the honeypot is a field no person sees or
reaches, so only a machine fills it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app, g
from itsdangerous import BadSignature, URLSafeTimedSerializer

from community.models.base import utcnow

TOKEN_FIELD = "form_token"
HONEYPOT_FIELD = "subject"  # a name scripts fill and browsers' autofill leaves alone
MAX_AGE_SECONDS = 24 * 60 * 60
_SALT = "community.spam.comment-form"


@dataclass(frozen=True)
class FormEvidence:
    """What the posted form says about how it was filled. `problem` names a token that is missing,
    forged or too old; `seconds` is the time from drawing the form to sending it."""

    honeypot_filled: bool = False
    nonce: str | None = None
    seconds: float | None = None
    problem: str | None = None
    checked: bool = True  # False: the checks are off (SPAM_FORM_CHECKS), or the comment did not come from a form


NOT_CHECKED = FormEvidence(checked=False)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def new_form_token() -> str:
    """A fresh token for the comment form a response carries (one a request, as the CSRF token:
    a page drawn twice in one request, whole and from its shared copy, is the same bytes)."""
    if "comment_form_token" not in g:
        g.comment_form_token = _serializer().dumps(secrets.token_urlsafe(12))
    return g.comment_form_token


def read_form(form) -> FormEvidence:
    """The evidence in a posted form (any mapping of field names to values)."""
    if not current_app.config["SPAM_FORM_CHECKS"]:
        return NOT_CHECKED
    honeypot = bool((form.get(HONEYPOT_FIELD) or "").strip())
    raw = form.get(TOKEN_FIELD) or ""
    if not raw:
        return FormEvidence(honeypot, problem="no form token")
    try:
        nonce, signed_at = _serializer().loads(raw, return_timestamp=True)
    except BadSignature:
        return FormEvidence(honeypot, problem="form token not ours")
    if not isinstance(nonce, str):
        return FormEvidence(honeypot, problem="form token not ours")
    seconds = (utcnow() - signed_at).total_seconds()
    if seconds > MAX_AGE_SECONDS:
        return FormEvidence(honeypot, problem="form token older than a day")
    return FormEvidence(honeypot, nonce=nonce, seconds=max(0.0, seconds))
