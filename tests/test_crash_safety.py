"""Crash safety: gunicorn workers serving comments and likes are killed with SIGKILL in the middle
of the writes, 30 times, and gunicorn replaces them. Afterwards the database is whole (SQLite's
integrity_check and foreign_key_check; PostgreSQL's constraints and indexes valid), no row is an
orphan, every counter equals its COUNT(*), and every write whose answer came back is there.

Select it with `-m crash_safety`."""

from __future__ import annotations

import random
import threading
import time

import pytest

from tests.conftest import PASSWORD
from tests.live_server import (  # noqa: F401  (gunicorn: a fixture)
    NO_ANSWER, Stage, Writer, database_problems, gunicorn, set_stage, signed_in_writer, unexpected_answers,
)

pytestmark = pytest.mark.crash_safety

ROUNDS = 30
CLIENTS = 6
# A request cut off by a kill has no answer; any answer that came is one of these (never a 5xx).
ANSWERS = {"comment": {201, 302, NO_ANSWER}, "reply": {201, 302, NO_ANSWER},
           "like": {200, 302, NO_ANSWER}, "unlike": {200, 302, NO_ANSWER}}


def keep_writing(writer: Writer, stage: Stage, stop: threading.Event, seed: int) -> None:
    """Comments, replies, likes and unlikes, one after another, until told to stop."""
    rng = random.Random(seed)
    slug, post_id, seed_ids = stage.slug, stage.post_id, stage.seed_ids
    number = 0
    while not stop.is_set():
        number += 1
        as_json = rng.random() < 0.5
        targets = [comment_id for comment_id, _body in writer.ledger.comments[-10:]] + seed_ids
        choice = rng.random()
        if choice < 0.35:
            writer.comment(slug, f"Still here, {number}.", None, as_json)
        elif choice < 0.6:
            writer.comment(slug, f"Answering, {number}.", rng.choice(seed_ids), as_json)  # seeds stay shallow
        elif choice < 0.75:
            writer.like("posts", post_id, rng.random() < 0.6, as_json)
        else:
            writer.like("comments", rng.choice(targets), rng.random() < 0.6, as_json)


def test_workers_killed_in_the_middle_of_writes_lose_no_acknowledged_write(app, gunicorn):
    stage = set_stage(app, "Power Cuts", readers=CLIENTS, seeds=4, password=PASSWORD)
    server = gunicorn(workers=3)  # fewer workers than clients: every worker is nearly always mid-request
    writers = [signed_in_writer(server.url, login, PASSWORD) for login in stage.user_ids]

    stop = threading.Event()
    clients = [threading.Thread(target=keep_writing, args=(writer, stage, stop, number))
               for number, writer in enumerate(writers)]
    for client in clients:
        client.start()
    killer = random.Random(50)
    kills = 0
    try:
        for _round in range(ROUNDS):
            time.sleep(killer.uniform(0.1, 0.2))
            kills += server.kill_a_worker(killer)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=60)

    server.wait_until_serving()  # the master has put workers back
    after = writers[0].comment(stage.slug, "The lights are back.")
    unexpected = unexpected_answers([writer.ledger for writer in writers], ANSWERS)
    assert not unexpected, f"unexpected answers {unexpected}; server log:\n{server.log()}"
    assert kills == ROUNDS
    assert sum(writer.ledger.lost for writer in writers) > 0, "no kill cut off a request in flight"
    assert sum(len(writer.ledger.comments) for writer in writers) > 1, "no comment got through between the kills"
    assert after is not None, "the server takes writes again after the kills"
    server.stop()
    with app.app_context():
        problems = database_problems({user_id: writer.ledger for user_id, writer in zip(stage.user_ids.values(), writers)})
    assert {kind: found for kind, found in problems.items() if found} == {}
