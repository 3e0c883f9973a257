"""The lossless export: every table of the site as JSON Lines, one row a line, in an order that
loads back (tables after the tables they point at, comments parents first), and its import into
an empty database. Export, import and export again give the same bytes, on SQLite, PostgreSQL
and from one to the other.

The first line names the format and the schema (the Alembic revision); each other line is
{"table": ..., "row": {column: value}} with datetimes in UTC ISO 8601. Password hashes and other
secrets are left out unless asked for; an account imported without one logs in after a reset."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import IO, Any

import sqlalchemy as sa

from community.extensions import db
from community.transfer.authors import NO_PASSWORD
from community.transfer.threads import reset_id_sequences

FORMAT = "community-export"
VERSION = 1
BATCH = 1_000
# Comments point at their parent and root: by depth, every parent is loaded before its replies.
ORDER_BY = {"comments": ("depth", "id")}


class ExportError(Exception):
    """The file cannot be loaded here; the message says why."""


def is_secret(table: sa.Table, column: sa.Column) -> bool:
    name = column.name.lower()
    return name == "password_hash" or "token" in name or "secret" in name


def schema_revision() -> str | None:
    try:
        return db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    except sa.exc.DBAPIError:
        db.session.rollback()
        return None


def tables() -> list[sa.Table]:
    return [table for table in db.metadata.sorted_tables if table.name != "alembic_version"]


def plain_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def export_lines(with_secrets: bool = False) -> Iterator[str]:
    """The whole site, line by line (rows are read in batches, never all at once)."""
    header = {"format": FORMAT, "version": VERSION, "schema": schema_revision(), "with_secrets": with_secrets,
              "tables": [table.name for table in tables()]}
    yield json.dumps(header, ensure_ascii=False)
    for table in tables():
        columns = [column for column in table.columns if with_secrets or not is_secret(table, column)]
        order = [table.c[name] for name in ORDER_BY.get(table.name, ())] or list(table.primary_key.columns)
        result = db.session.execute(sa.select(*columns).order_by(*order).execution_options(yield_per=BATCH))
        for row in result:
            plain = {column.name: plain_value(value) for column, value in zip(columns, row, strict=True)}
            yield json.dumps({"table": table.name, "row": plain}, ensure_ascii=False)


def write_export(out: IO[str], with_secrets: bool = False) -> int:
    lines = 0
    for line in export_lines(with_secrets):
        out.write(line + "\n")
        lines += 1
    return lines - 1


def _storage_type(column: sa.Column) -> sa.types.TypeEngine:
    kind = column.type
    return kind.impl_instance if isinstance(kind, sa.types.TypeDecorator) else kind


def _value(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    kind = _storage_type(column)
    if isinstance(kind, sa.DateTime):
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    if isinstance(kind, sa.Date):
        return date.fromisoformat(value)
    if isinstance(value, dict) and "base64" in value:
        return base64.b64decode(value["base64"])
    return value


def site_is_empty() -> bool:
    return all(db.session.scalar(sa.select(sa.literal(1)).select_from(table).limit(1)) is None for table in tables())


def import_lines(lines: Iterator[str]) -> dict[str, int]:
    """Load an export into this empty database; returns the rows loaded per table. Flushes, never
    commits; raises ExportError for a file that does not fit."""
    try:
        header = json.loads(next(lines))
    except (StopIteration, json.JSONDecodeError):
        raise ExportError("The file is not a Community export (its first line is no export header).") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("version") != VERSION:
        raise ExportError("The file is not a Community export of a version this site reads.")
    if header.get("schema") != schema_revision():
        raise ExportError(f"The export is of schema {header.get('schema')}, this database is at "
                          f"{schema_revision()}: upgrade both sites to the same version first.")
    if not site_is_empty():
        raise ExportError("The database is not empty; an export loads only into a new site.")
    by_name = {table.name: table for table in tables()}
    loaded: dict[str, int] = {}
    pending: list[dict[str, Any]] = []
    current: sa.Table | None = None

    def flush() -> None:
        if pending and current is not None:
            db.session.execute(sa.insert(current), pending)
            loaded[current.name] = loaded.get(current.name, 0) + len(pending)
            pending.clear()

    for number, line in enumerate(lines, start=2):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            table = by_name[record["table"]]
            row = {name: _value(table.c[name], value) for name, value in record["row"].items()}
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise ExportError(f"Line {number} cannot be read: {error!r}.") from None
        if table is not current:
            flush()
            current = table
        if table.name == "users" and "password_hash" not in row:
            row["password_hash"] = NO_PASSWORD
        pending.append(row)
        if len(pending) >= BATCH:
            flush()
    flush()
    reset_id_sequences(*(name for name, table in by_name.items() if "id" in table.c and loaded.get(name)))
    return loaded
