"""Text from the outside world made storable before any view reads it: NUL, which PostgreSQL refuses
in text (a 500 on any query that carries one) and which browsers show as U+FFFD anyway, becomes
U+FFFD in form fields and query strings, the same on every database; a path holding one names
nothing here. Bytes that are not UTF-8 already arrive as U+FFFD or stay percent-encoded (Werkzeug)."""

from __future__ import annotations

from flask import Flask, abort, request
from flask import Request as FlaskRequest
from werkzeug.datastructures import MultiDict
from werkzeug.utils import cached_property

from community.text import storable


def _storable_values(values: MultiDict[str, str]) -> MultiDict[str, str]:
    if not any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
        return values  # nearly always: no copy
    return type(values)((storable(key), storable(value)) for key, value in values.items(multi=True))


class StorableTextRequest(FlaskRequest):
    @cached_property
    def args(self) -> MultiDict[str, str]:
        return _storable_values(super().args)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _storable_values(self.__dict__["form"])


def refuse_nul_in_path() -> None:
    if "\x00" in request.path:
        abort(404)


def register(app: Flask) -> None:
    app.request_class = StorableTextRequest
    app.before_request(refuse_nul_in_path)
