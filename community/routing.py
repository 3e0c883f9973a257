"""Ids and page numbers from the outside world: one bounded `<int:...>` URL converter and one parser
for forms and query strings, so no id a database cannot hold (beyond 32 bits, or a digit like "²"
that int() refuses) ever reaches a query."""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map

# The largest id the tables can hold: their id columns are `integer`, 32 bits signed on PostgreSQL
# (a larger bound parameter is a DataError there, "integer out of range"); SQLite would take more.
MAX_ID = 2**31 - 1


def parse_id(raw: object, maximum: int = MAX_ID) -> int | None:
    """The id written in `raw`, or None unless it is plain ASCII digits from 1 to `maximum`."""
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if 1 <= value <= maximum else None


def page_number(per_page: int, name: str = "page") -> int:
    """The page a query string asks for (1 when it asks for none), or 404: a page whose offset a
    database cannot hold does not exist."""
    raw = request.args.get(name)
    if raw is None:
        return 1
    page = parse_id(raw, maximum=MAX_ID // per_page)
    if page is None:
        abort(404, "There is no such page.")
    return page


class BoundedInt(IntegerConverter):
    """`<int:...>` for ids: ASCII digits only, from 1 to MAX_ID; anything else is a 404."""

    regex = r"[0-9]+"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register(app: Flask) -> None:
    """Before the blueprints: their rules pick the converter up when they are added."""
    app.url_map.converters["int"] = BoundedInt
