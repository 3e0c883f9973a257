"""Counting the SQL statements a request runs, with an SQLAlchemy event listener."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask

from community.extensions import db


@contextmanager
def count_queries(app: Flask, with_parameters: bool = False) -> Iterator[list]:
    """Collects every statement the app's engine runs inside the block (with its parameters, if asked)."""
    statements: list = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE", "BEGIN")):
            statements.append((statement, parameters) if with_parameters else statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
