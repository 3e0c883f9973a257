"""Many readers at once, over real HTTP: 8 processes × 120 mixed requests (comment, reply, like,
unlike, delete their own comment), each with its own signed-in account, against gunicorn with
several workers, on SQLite and on PostgreSQL. Nothing fails; every acknowledged comment is stored
(every acknowledged deletion done); every counter equals its COUNT(*); nobody likes anything twice.

Select it with `-m concurrency`."""

from __future__ import annotations

import multiprocessing
import random
from collections import Counter

import pytest

from tests.conftest import PASSWORD
from tests.live_server import (  # noqa: F401  (gunicorn: a fixture)
    Ledger, database_problems, gunicorn, set_stage, signed_in_writer, unexpected_answers,
)

pytestmark = pytest.mark.concurrency

PROCESSES, REQUESTS = 8, 120
ACTIONS = {"comment": 3, "reply": 3, "like": 3, "unlike": 2, "delete": 1.5}  # how often, relatively
# What each kind of request may be answered; anything else (a 5xx above all) is a failure.
ANSWERS = {
    "comment": {201, 302},  # a new thread on an open post is always taken
    "reply": {201, 302, 422},  # 422: the comment answered was deleted meanwhile, or its thread is at its deepest
    "like": {200, 302, 404},  # 404: the comment was deleted meanwhile
    "unlike": {200, 302, 404},
    "delete": {302},  # only one's own comments, each once
}


def mixed_requests(base_url: str, login: str, slug: str, post_id: int, seed_ids: list[int],
                   shared_ids, seed: int) -> Ledger:
    """One reader's session: REQUESTS writes chosen at random, on comments anyone wrote lately."""
    rng = random.Random(seed)
    writer = signed_in_writer(base_url, login, PASSWORD)
    own: list[int] = []
    for number in range(REQUESTS):
        action = rng.choices(list(ACTIONS), list(ACTIONS.values()))[0]
        as_json = rng.random() < 0.5
        recent = list(shared_ids[-30:]) + seed_ids
        if action == "delete" and own:
            writer.delete(own.pop(rng.randrange(len(own))))
        elif action in ("like", "unlike"):
            if rng.random() < 0.25:
                writer.like("posts", post_id, action == "like", as_json)
            else:
                writer.like("comments", rng.choice(recent), action == "like", as_json)
        else:
            parent_id = rng.choice(recent) if action == "reply" else None
            comment_id = writer.comment(slug, f"{login}, thought {number}.", parent_id, as_json)
            if comment_id is not None:
                own.append(comment_id)
                shared_ids.append(comment_id)
    return writer.ledger


def test_eight_processes_of_mixed_writes_lose_nothing_and_keep_counts_true(app, gunicorn):
    stage = set_stage(app, "Crowded Rooms", readers=PROCESSES, seeds=3, password=PASSWORD)
    server = gunicorn(workers=4)

    context = multiprocessing.get_context("fork")  # set_stage left no database connection to inherit
    with context.Manager() as manager:
        shared_ids = manager.list()
        with context.Pool(PROCESSES) as pool:
            ledgers = pool.starmap(mixed_requests, [
                (server.url, login, stage.slug, stage.post_id, stage.seed_ids, shared_ids, number)
                for number, login in enumerate(stage.user_ids)
            ], chunksize=1)

    unexpected = unexpected_answers(ledgers, ANSWERS)
    assert not unexpected, f"unexpected answers {unexpected}; server log:\n{server.log()}"
    answers = sum((ledger.answers for ledger in ledgers), start=Counter())
    assert sum(answers.values()) == PROCESSES * REQUESTS
    assert answers[("delete", 302)] > 0 and answers[("unlike", 200)] + answers[("unlike", 302)] > 0
    server.stop()
    with app.app_context():
        problems = database_problems(dict(zip(stage.user_ids.values(), ledgers)))
    assert {kind: found for kind, found in problems.items() if found} == {}
