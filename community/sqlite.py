"""SQLite as the database of a server with several workers: WAL, foreign keys, and writers that
queue in turn instead of failing or sleeping.

A request that may write takes SQLite's write lock when its transaction begins (BEGIN
IMMEDIATE): a deferred transaction that read first and writes later fails at once with "database
is locked" when another writer committed in between, whatever the busy timeout. Before that, it
waits on an exclusive flock of `<database>.writers`: the kernel wakes the next writer the moment
the last one finishes, where SQLite's own busy handler polls with sleeps of up to 100 ms."""

from __future__ import annotations

import fcntl
import os
import threading
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request

_HOLDING = "holds_writer_lock"


def configure(engine: sa.Engine) -> None:
    sa.event.listen(engine, "connect", _pragmas)
    sa.event.listen(engine, "begin", _begin)
    # Given back when the connection returns to the pool, after its commit or rollback has run
    # (Core's commit event comes before the commit): never held between requests.
    sa.event.listen(engine.pool, "checkin", _release_writer_lock)


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers run beside a writer; foreign keys are off in SQLite unless asked for."""
    # We issue BEGIN ourselves (see _begin); this also makes SAVEPOINT work as documented.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin(connection: sa.Connection) -> None:
    # Straight to the driver: one statement with no result needs none of Core's machinery, and
    # every read of a page passes here.
    driver = connection.connection.driver_connection
    if has_request_context() and request.method in ("GET", "HEAD", "OPTIONS"):
        driver.execute("BEGIN")
        return
    _take_writer_lock(connection)
    driver.execute("BEGIN IMMEDIATE")


def _database_file(connection: sa.Connection) -> str | None:
    name = connection.engine.url.database
    return name if name and name != ":memory:" and not name.startswith("file:") else None


class _WriterTurn:
    """One thread's place among the writers: an open lock file per database, and how many of the
    thread's connections are writing. The lock is re-entrant within a thread, so a request that
    opens a second connection while writing never waits on itself."""

    def __init__(self) -> None:
        self.files: dict[str, int] = {}
        self.writing: dict[str, int] = {}

    def take(self, database: str) -> None:
        if not self.writing.get(database):
            if database not in self.files:
                self.files[database] = os.open(f"{database}.writers", os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self.files[database], fcntl.LOCK_EX)
        self.writing[database] = self.writing.get(database, 0) + 1

    def give_back(self, database: str) -> None:
        self.writing[database] -= 1
        if not self.writing[database]:
            fcntl.flock(self.files[database], fcntl.LOCK_UN)


_threads = threading.local()


def _take_writer_lock(connection: sa.Connection) -> None:
    database = _database_file(connection)
    if database is None or _HOLDING in connection.info:
        return
    turn = getattr(_threads, "turn", None)
    if turn is None:
        turn = _threads.turn = _WriterTurn()
    turn.take(database)
    connection.info[_HOLDING] = (turn, database)  # given back by whichever thread returns it


def _release_writer_lock(_dbapi_connection: Any, record: Any) -> None:
    held = record.info.pop(_HOLDING, None)
    if held is not None:
        turn, database = held
        turn.give_back(database)
