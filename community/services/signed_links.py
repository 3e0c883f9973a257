"""Links that carry signed, timestamped data (sign-up, password reset, email change): signed with
SECRET_KEY, still read with SECRET_KEY_FALLBACKS while keys rotate, and an expired or altered link
turned into the sentence the reader sees."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from community.services import DomainError


def link_serializer(salt: str) -> URLSafeTimedSerializer:
    config = current_app.config
    keys = [*(config.get("SECRET_KEY_FALLBACKS") or ()), config["SECRET_KEY"]]  # signs with the last
    return URLSafeTimedSerializer(keys, salt=salt)


def read_link(salt: str, token: str, max_age: int, expired: str, invalid: str) -> object:
    """The data a link's token carries, or a DomainError saying `expired` or `invalid`."""
    try:
        return link_serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise DomainError(expired) from None
    except BadData:
        raise DomainError(invalid) from None
