"""A rate-limit store that every gunicorn worker of one machine shares without a server: an SQLite
file of its own (instance/ratelimits.sqlite3 by default), registered with the `limits` library
under the scheme `community-sqlite`. With REDIS_URL the counts live in Redis instead, shared by
every machine.

Why a file of its own rather than the site's database: on SQLite the site has one writer at a
time, and every login attempt and comment would queue behind (and hold up) the site's own
writes; the file's writes take microseconds and never meet the site's. Why not memory: each
worker would keep its own counts, and with N workers a visitor would get N budgets."""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from urllib.parse import urlsplit

from limits.storage.base import MovingWindowSupport, Storage

SCHEME = "community-sqlite"
LONGEST_WINDOW = 2 * 24 * 3600  # a day is the longest budget; older entries are only clutter
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS hits (key TEXT NOT NULL, at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_hits_key_at ON hits (key, at)",
    "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at REAL NOT NULL)",
)


class SqliteFileStorage(Storage, MovingWindowSupport):
    """Moving windows as rows (key, time) in one SQLite file, read and written in one IMMEDIATE
    transaction each, so two workers never both take the last place in a budget."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: object) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.path = urlsplit(uri).path
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        """This process's connection (a forked worker opens its own), the schema made once."""
        if self._connection is None or self._pid != os.getpid():
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=15, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            for statement in _SCHEMA:
                connection.execute(statement)
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def _transaction(self, work):
        with self._lock:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                result = work(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

    # --- the moving window (the site's strategy) -----------------------------------------------

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()

        def take(db: sqlite3.Connection) -> bool:
            db.execute("DELETE FROM hits WHERE key = ? AND at < ?", (key, now - expiry))
            if random.random() < 0.001:  # now and then, what other keys left behind
                db.execute("DELETE FROM hits WHERE at < ?", (now - LONGEST_WINDOW,))
            (taken,) = db.execute("SELECT count(*) FROM hits WHERE key = ? AND at >= ?", (key, now - expiry)).fetchone()
            if taken + amount > limit:
                return False
            db.executemany("INSERT INTO hits (key, at) VALUES (?, ?)", [(key, now)] * amount)
            return True

        return self._transaction(take)

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = time.time()
        with self._lock:
            oldest, taken = self._db().execute(
                "SELECT min(at), count(*) FROM hits WHERE key = ? AND at >= ?", (key, now - expiry)).fetchone()
        return (oldest, taken) if taken else (now, 0)

    # --- fixed windows, for completeness --------------------------------------------------------

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()

        def add(db: sqlite3.Connection) -> int:
            db.execute("DELETE FROM counters WHERE key = ? AND expires_at <= ?", (key, now))
            db.execute("INSERT INTO counters (key, value, expires_at) VALUES (?, ?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value", (key, amount, now + expiry))
            return db.execute("SELECT value FROM counters WHERE key = ?", (key,)).fetchone()[0]

        return self._transaction(add)

    def get(self, key: str) -> int:
        with self._lock:
            row = self._db().execute("SELECT value FROM counters WHERE key = ? AND expires_at > ?",
                                     (key, time.time())).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        with self._lock:
            row = self._db().execute("SELECT expires_at FROM counters WHERE key = ?", (key,)).fetchone()
        return row[0] if row else time.time()

    def check(self) -> bool:
        with self._lock:
            return self._db().execute("SELECT 1").fetchone() == (1,)

    def clear(self, key: str) -> None:
        self._transaction(lambda db: (db.execute("DELETE FROM hits WHERE key = ?", (key,)),
                                      db.execute("DELETE FROM counters WHERE key = ?", (key,))))

    def reset(self) -> int | None:
        def empty(db: sqlite3.Connection) -> int:
            removed = db.execute("DELETE FROM hits").rowcount
            return removed + db.execute("DELETE FROM counters").rowcount

        return self._transaction(empty)


def file_storage_uri(instance_path: str) -> str:
    return f"{SCHEME}://{os.path.join(instance_path, 'ratelimits.sqlite3')}"
