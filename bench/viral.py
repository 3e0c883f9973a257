"""One post goes viral: a mixed load at a fixed offered rate on one post of 2,000 comments.

Signed-out readers, signed-in readers, likes and unlikes, new comments and replies, and the
page's "new comments" poll arrive together, each kind at its own fixed rate, from a small asyncio
client (`python bench/viral.py`, or the last part of `make bench`).

Why its latencies have no coordinated omission: every request has a time it is due (the run's
start + n / rate, for its kind), fixed before the run, and its latency is measured from that
time to the end of its answer, not from when the client got round to sending it. A closed-loop
tool (wrk, or this client with a fixed number of connections) sends the next request only after
an answer, so while the server stalls it stops asking, and the stall shows as one slow request
instead of the hundreds that would have queued behind it. Here a stall makes every request due
during it late, and they all count. The client never waits for an answer before sending the next
request (up to MAX_OPEN connections at once; a request waiting for a free one is still timed
from when it was due).

Afterwards it checks that every acknowledged write is in the database (each acknowledged comment
by its unique words, each like and unlike by the final state of its (reader, comment) pair, which
never has two requests in flight) and that every stored counter equals its COUNT(*)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import statistics
import sys
import time
import urllib.parse
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

MAX_OPEN = 512  # connections open at once; past it a request waits (and its wait is counted)
TIMEOUT = 10.0
# The mixed load, per second: 1,000 readers (most signed out), 100 likes, 20 comments.
RATES = {
    "read, signed out": 700.0,
    "read, signed in": 300.0,
    "poll for new comments": 50.0,
    "like or unlike": 100.0,
    "comment or reply": 20.0,
}


THOUGHTS = ("friend letter drift distance remember summer city call silence laugh years kitchen train promise "
            "photo birthday message forgive change habit walk coffee music night honest small kind quiet river "
            "window garden morning autumn bridge lantern harbour meadow orchard pebble ribbon willow").split()


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)  # ms, from when each was due
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))


async def http(host: str, port: int, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
    """One HTTP/1.1 exchange on a new connection (gunicorn's sync workers close each one)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close",
                 *(f"{name}: {value}" for name, value in headers.items())]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        answer = await reader.read()
    finally:
        writer.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, answer.split(b"\r\n\r\n", 1)[-1]


@dataclass
class Account:
    cookie: str
    token: str


class Load:
    """The mixed load on one post, and what it must find in the database afterwards."""

    def __init__(self, url: str, post_path: str, accounts: list[Account], comments: list[tuple[int, int]],
                 agent: str, thread_depth: int = 5) -> None:
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port = parsed.hostname, parsed.port
        self.post_path, self.accounts, self.agent = post_path, accounts, agent
        self.replyable = [comment_id for comment_id, depth in comments if depth < thread_depth]
        self.rng = random.Random(20261203)
        self.outcomes: dict[str, Outcome] = defaultdict(Outcome)
        self.run = uuid.uuid4().hex[:8]
        self.acknowledged_comments: set[str] = set()
        self.sent_comments = 0
        # Like pairs (account index, comment id): idle ones wait here; a pair is never in flight twice.
        self.idle_pairs = deque((a, c) for c, _ in comments[:200] for a in range(len(accounts)))
        self.rng.shuffle(self.idle_pairs)
        self.liked: dict[tuple[int, int], bool] = {}
        self.uncertain: set[tuple[int, int]] = set()
        self.slots = asyncio.Semaphore(MAX_OPEN)
        self.user_ids: dict[int, int] = {}  # account index -> users.id, for the check

    def headers(self, account: Account | None, form: bool = False) -> dict[str, str]:
        headers = {"User-Agent": self.agent}
        if account:
            headers["Cookie"] = account.cookie
        if form:
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        return headers

    async def timed(self, kind: str, due: float, method: str, path: str, headers: dict[str, str],
                    body: bytes = b"") -> tuple[int, bytes]:
        outcome = self.outcomes[kind]
        try:
            async with self.slots:
                status, answer = await asyncio.wait_for(http(self.host, self.port, method, path, headers, body), TIMEOUT)
        except (OSError, asyncio.TimeoutError):
            status, answer = 0, b""
        outcome.latencies.append((time.perf_counter() - due) * 1000)
        outcome.statuses[status] += 1
        if not 200 <= status < 400:
            outcome.errors += 1
        return status, answer

    async def read(self, due: float, signed_in: bool) -> None:
        account = self.rng.choice(self.accounts) if signed_in else None
        await self.timed("read, signed in" if signed_in else "read, signed out", due, "GET", self.post_path,
                         self.headers(account))

    async def poll(self, due: float) -> None:
        await self.timed("poll for new comments", due, "GET", f"{self.post_path}/comments/count", self.headers(None))

    async def like(self, due: float) -> None:
        if not self.idle_pairs:  # more likes in flight than pairs: a client's limit, counted as an error
            self.outcomes["like or unlike"].latencies.append((time.perf_counter() - due) * 1000)
            self.outcomes["like or unlike"].errors += 1
            return
        pair = self.idle_pairs.popleft()
        account, comment_id = self.accounts[pair[0]], pair[1]
        wanted = not self.liked.get(pair, False)
        body = urllib.parse.urlencode({"csrf_token": account.token, "liked": "1" if wanted else "0"}).encode()
        status, _ = await self.timed("like or unlike", due, "POST", f"/likes/comments/{comment_id}",
                                     self.headers(account, form=True), body)
        if status == 200:
            self.liked[pair] = wanted
            self.idle_pairs.append(pair)
        else:
            self.uncertain.add(pair)  # it may or may not have happened: left out of the check

    async def comment(self, due: float) -> None:
        account = self.rng.choice(self.accounts)
        self.sent_comments += 1
        words = f"viral {self.run} {self.sent_comments}"
        thought = " ".join(self.rng.sample(THOUGHTS, 7))  # unlike each other: the spam filter holds near-copies
        fields = {"csrf_token": account.token, "body": f"A thought on letting go: {thought}, {words}."}
        if self.sent_comments % 2 == 0 and self.replyable:
            fields["parent_id"] = str(self.rng.choice(self.replyable))
        status, answer = await self.timed("comment or reply", due, "POST", f"{self.post_path}/comments",
                                          self.headers(account, form=True), urllib.parse.urlencode(fields).encode())
        if status == 201:  # stored, published or held for a moderator alike
            self.acknowledged_comments.add(words)

    async def drive(self, seconds: float, scale: float = 1.0) -> None:
        """Every kind at its rate × `scale` for `seconds`, each request sent when it is due."""
        start = time.perf_counter() + 0.2
        schedule = []
        for kind, rate in RATES.items():
            rate *= scale
            schedule += [(start + n / rate, kind) for n in range(int(seconds * rate))]
        schedule.sort()
        actions = {
            "read, signed out": lambda due: self.read(due, False),
            "read, signed in": lambda due: self.read(due, True),
            "poll for new comments": self.poll,
            "like or unlike": self.like,
            "comment or reply": self.comment,
        }
        tasks = []
        for due, kind in schedule:
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(actions[kind](due)))
        await asyncio.gather(*tasks)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(load: Load, seconds: float, scale: float) -> list[str]:
    lines = ["| request | offered /s | answered /s | p50 ms | p99 ms | errors |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for kind, rate in RATES.items():
        outcome = load.outcomes[kind]
        answered = len(outcome.latencies) - outcome.errors
        lines.append(f"| {kind} | {rate * scale:,.0f} | {answered / seconds:,.0f} | "
                     f"{statistics.median(outcome.latencies) if outcome.latencies else 0:.1f} | "
                     f"{percentile(outcome.latencies, 0.99):.1f} | {outcome.errors} |")
    return lines


def verify(database_url: str, load: Load) -> str:
    """Every acknowledged write is stored, and every counter equals its COUNT(*)."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        stored = {row[0] for row in connection.execute(
            sa.text("SELECT body_markdown FROM comments WHERE body_markdown LIKE :run"), {"run": f"%viral {load.run} %"})}
        found = {re.search(r"viral \S+ \d+", body).group(0) for body in stored}
        missing_comments = load.acknowledged_comments - found
        likes = {(row[0], row[1]) for row in connection.execute(sa.text("SELECT user_id, comment_id FROM comment_likes"))}
        ids = load.user_ids
        wrong_likes = 0
        for (account, comment_id), liked in load.liked.items():
            if (account, comment_id) in load.uncertain or account not in ids:
                continue
            wrong_likes += ((ids[account], comment_id) in likes) != liked
        drift = connection.execute(sa.text(
            "SELECT count(*) FROM posts p WHERE comment_count != (SELECT count(*) FROM comments c WHERE c.post_id = p.id "
            "AND c.status = 'approved' AND c.deleted_at IS NULL) OR like_count != (SELECT count(*) FROM post_likes l "
            "WHERE l.post_id = p.id)")).scalar() + connection.execute(sa.text(
            "SELECT count(*) FROM comments c WHERE like_count != (SELECT count(*) FROM comment_likes l "
            "WHERE l.comment_id = c.id)")).scalar()
    engine.dispose()
    checked = sum(1 for pair in load.liked if pair not in load.uncertain)
    verdict = "every acknowledged write stored" if not missing_comments and not wrong_likes else "WRITES LOST"
    return (f"{verdict}: {len(load.acknowledged_comments) - len(missing_comments)} of "
            f"{len(load.acknowledged_comments)} acknowledged comments found, {checked - wrong_likes} of {checked} "
            f"(reader, comment) like states as last acknowledged; counters off their COUNT(*): {drift}.")


ACCOUNTS = 20
COMMENTS = 2000


def measure(kind: str, redis_url: str | None, seconds: float, scales: list[float]) -> str:
    """Seeds one post of COMMENTS comments, serves it with gunicorn (2 workers), and drives the
    mixed load at each scale of the offered rates; returns the report as Markdown."""
    import sqlalchemy as sa

    import run

    url = run.fresh_database(kind, "viral")
    env = dict(run.app_env(url, redis_url), RATELIMIT_LOGIN_IP="1000 per minute")  # the accounts sign in at once
    report = []
    try:
        run.flask(env, "db", "upgrade")
        seeded = run.flask(env, "seed-discussion", "--comments", str(COMMENTS), "--password", run.SEED_PASSWORD).strip().splitlines()
        post_path, a_reader = seeded[-1], re.search(r"sign in as (\S+)", seeded[-2]).group(1)
        tag = a_reader.rstrip("0123456789")
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            ids = dict(connection.execute(sa.text("SELECT username, id FROM users WHERE username LIKE :tag"), {"tag": f"{tag}%"}).all())
            depth = dict(connection.execute(sa.text("SELECT id, depth FROM comments WHERE status = 'approved'")).all())
        engine.dispose()
        with run.Gunicorn("wsgi:app", env) as server:
            accounts, user_ids = [], {}
            for n in range(ACCOUNTS):
                browser = run.Browser(server.url)
                browser.log_in(f"{tag}{n}")
                accounts.append(Account(browser.cookie_header, browser.csrf(post_path)))
                user_ids[n] = ids[f"{tag}{n}"]
            page = browser.get(post_path)[1].decode()  # a signed-in page: its Like buttons name their comments
            on_page = [int(i) for i in re.findall(r'data-like="c(\d+)"', page)]
            for scale in scales:
                load = Load(server.url, post_path, accounts, [(i, depth.get(i, 9)) for i in on_page], run.AGENT)
                load.user_ids = user_ids
                for warm in range(3):
                    run.Browser(server.url).get(post_path)
                started = time.perf_counter()
                asyncio.run(load.drive(seconds, scale))
                took = time.perf_counter() - started
                offered = sum(RATES.values()) * scale
                report += [f"Offered {offered:,.0f} requests/s for {seconds:.0f} s (the last answered after {took:.1f} s):", ""]
                report += summary(load, seconds, scale)
                report += ["", verify(url, load), ""]
                print("\n".join(report[-(len(RATES) + 6):]), flush=True)
    finally:
        run.drop_database(url)
    return "\n".join(report)


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--scales", default="0.25,1", help="fractions of the issue's offered rates, one run each")
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL") or ("redis://127.0.0.1:6379/14" if args.database == "postgres" else None)
    from datetime import datetime, timezone

    import run

    table = measure(args.database, redis_url, args.seconds, [float(s) for s in args.scales.split(",")])
    heading = (f"Viral post, measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores; "
               f"{args.database}{' + Redis' if redis_url else ''}; gunicorn 2 workers; one post of {COMMENTS:,} comments; "
               f"latency from when each request was due.\n\n")
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(timezone.utc):%Y%m%d-%H%M}-{args.database}-viral-{os.cpu_count()}cores.md"
    (run.RESULTS / name).write_text(heading + table + "\n")
    print(heading + table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
