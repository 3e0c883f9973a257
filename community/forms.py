"""What the forms of every blueprint share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, request
from wtforms import Field
from wtforms.validators import ValidationError

from community.services import DomainError


def rule(check: Callable[[Any], Any]) -> Callable[[Any, Field], None]:
    """A WTForms validator from a service check, so each rule is written once, in the service.

    The validator only refuses: the field keeps exactly what was typed (so a page shown again
    after an error shows it as it was), and the service, which runs the same check when it acts,
    stores the cleaned value (stripped, lower-cased, with its https://).
    """

    def validate(form: Any, field: Field) -> None:
        try:
            check(field.data)
        except DomainError as error:
            raise ValidationError(error.message) from None

    return validate


def refuse_json_bodies() -> None:
    """Forms read form fields only, as the pages and their script send them. Flask-WTF would also
    fill a form from a JSON body, whose values can be numbers, lists or NULs that no field expects
    (a 500 deep in a check, or on PostgreSQL, which refuses NUL in text): refused before any form."""
    if request.is_json and request.method not in ("GET", "HEAD", "OPTIONS"):
        abort(415, "Send this as a form (application/x-www-form-urlencoded or multipart/form-data), "
                   "as the site's pages do.")


def show_domain_error(form: Any, error: DomainError, default_field: str) -> int:
    """Put a service's refusal next to the field it concerns; returns the status to answer with.

    A refusal about no field in particular (not allowed, not found) is answered at once instead.
    """
    if error.field is None and error.status != 400:
        abort(error.status, error.message)
    field = getattr(form, error.field or default_field, None) or getattr(form, default_field)
    field.errors = [*field.errors, error.message]
    return 422 if error.status == 400 else error.status


def field_attributes(field: Field, autofocus: bool = False) -> dict[str, object]:
    """The ARIA and focus attributes of a field's control, only those that apply (WTForms would
    print a None as the text "None")."""
    described_by = []
    if field.description:
        described_by.append(f"{field.id}-help")
    if field.errors:
        described_by.append(f"{field.id}-error")
    attributes: dict[str, object] = {}
    if described_by:
        attributes["aria-describedby"] = " ".join(described_by)
    if field.errors:
        attributes["aria-invalid"] = "true"
    if autofocus:
        attributes["autofocus"] = True
    return attributes
