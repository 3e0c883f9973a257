"""SQLite writers take turns on a lock file: in order across threads and processes, re-entrant
within one thread, so a request never waits on itself."""

from __future__ import annotations

import threading

from community.sqlite import _WriterTurn


def test_a_thread_may_take_its_own_turn_again_and_gives_it_back_once_done(tmp_path):
    database = str(tmp_path / "site.sqlite3")
    mine, other = _WriterTurn(), _WriterTurn()
    order: list[str] = []
    mine.take(database)
    mine.take(database)  # a second connection of the same request: no waiting on itself

    def other_writer():
        other.take(database)
        order.append("other writes")
        other.give_back(database)

    waiting = threading.Thread(target=other_writer)
    waiting.start()
    mine.give_back(database)
    order.append("first connection done")  # the turn is still held by the second connection
    mine.give_back(database)
    waiting.join(timeout=30)
    assert order == ["first connection done", "other writes"]
