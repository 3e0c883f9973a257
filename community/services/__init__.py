"""Plain functions holding the rules; they flush, raise DomainError, and never commit."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal a person can read; `field` names the form field it belongs next to, if any."""

    def __init__(self, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


class NotAllowed(DomainError):
    """The actor may not do this (HTTP 403)."""

    def __init__(self, message: str = "You are not allowed to do that.") -> None:
        super().__init__(message, status=403)
