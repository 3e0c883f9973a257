"""The app served by gunicorn on a free port of 127.0.0.1 against the test database, and a client
that talks to it over real HTTP as a browser would (its cookies, CSRF tokens read from the page),
keeping a ledger of every write the server acknowledged. Shared by tests/test_concurrency.py and
tests/test_crash_safety.py, with the checks both run on the database afterwards."""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, CommentLike, PostLike, Role
from community.services.accounts import create_account
from community.services.counts import find_drift

ROOT = Path(__file__).resolve().parents[1]
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
COMMENT_ANCHOR = re.compile(r"#comment-(\d+)$")
# How long a server may live at most, whatever happens to the test that started it.
SERVER_LIFETIME = 300
NO_ANSWER = "no answer"  # in a Ledger's answers: the connection broke before a status came


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The fields after the command name, which is in parentheses and may hold spaces.
            state, parent = stat.rsplit(")", 1)[1].split()[:2]
            if int(parent) == pid and state != "Z":  # a zombie is already dead, waiting to be reaped
                found.append(int(entry.name))
    return found


class Gunicorn:
    """gunicorn serving wsgi:app with `workers` sync workers, the settings given in the environment.

    It runs under coreutils' `timeout`, so it ends by itself after SERVER_LIFETIME seconds even if
    the test process dies; stop() ends it sooner. The app is preloaded, so a worker killed in a
    test is replaced at once by a fork of the master rather than after importing everything again.
    """

    def __init__(self, database_url: str, secret_key: str, log_path: Path, workers: int = 4) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": secret_key,
            "FLOOD_SECONDS": "0",
            "HOLD_FIRST_COMMENT": "false",
            "SPAM_FORM_CHECKS": "false",  # its clients post without drawing the form first
            "RATELIMIT_ENABLED": "false",
        }
        command = [
            "timeout", "--kill-after=5", str(SERVER_LIFETIME),
            sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
            "--preload", "--config", "python:tests.gunicorn_hooks", "--timeout", "60", "--graceful-timeout", "5",
            "--log-level", "warning", "wsgi:app",
        ]
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self.wait_until_serving()
        except BaseException:
            self.stop()
            raise

    def wait_until_serving(self, seconds: float = 60) -> None:
        """Until the site answers its front page (its workers booted, or put back after a kill)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")
            try:
                if Browser(self.url, timeout=5).get("/").status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {seconds} s:\n{self.log()}")

    @property
    def master_pid(self) -> int | None:
        masters = _children(self.process.pid)  # `timeout`'s one child
        return masters[0] if masters else None

    def worker_pids(self) -> list[int]:
        master = self.master_pid
        return _children(master) if master else []

    def kill_a_worker(self, rng: random.Random) -> bool:
        """SIGKILL one of the workers, chosen by `rng`, as the kernel's OOM killer would; the
        master forks a new one. False if none was there to kill (all being replaced)."""
        for _attempt in range(20):
            workers = self.worker_pids()
            if workers:
                try:
                    os.kill(rng.choice(workers), signal.SIGKILL)
                    return True
                except ProcessLookupError:  # it ended between the listing and the kill
                    continue
            time.sleep(0.01)
        return False

    def log(self, last: int = 6000) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-last:]

    def stop(self) -> None:
        """SIGTERM (timeout passes it on to gunicorn, which stops its workers); SIGKILL to the
        process group this server started in if that is not enough."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._log.close()


@pytest.fixture
def gunicorn(app, tmp_path) -> Iterator[Callable[..., Gunicorn]]:
    """Start gunicorn against the test database (SQLite file or PostgreSQL scratch database) with
    the test app's secret key; every server started is stopped when the test ends."""
    servers: list[Gunicorn] = []

    def start(workers: int = 4) -> Gunicorn:
        server = Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], app.config["SECRET_KEY"],
                          tmp_path / f"gunicorn-{len(servers)}.log", workers=workers)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


# --- a browser over real HTTP ------------------------------------------------------------------------

@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> dict:
        return json.loads(self.body)


class Browser:
    """One person's browser: a cookie jar, the CSRF token of its session, no redirects followed."""

    def __init__(self, base_url: str, timeout: float = 30) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self.host, self.port, self.timeout = host, int(port), timeout
        self.cookies: dict[str, str] = {}
        self.token = ""

    def request(self, method: str, path: str, fields: dict[str, object] | None = None, as_json: bool = False) -> Reply:
        headers = {"Accept": "application/json" if as_json else "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
            self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
        finally:
            connection.close()
        return reply

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, path: str, as_json: bool = False) -> Reply:
        return self.request("GET", path, as_json=as_json)

    def post(self, path: str, fields: dict[str, object] | None = None, as_json: bool = False) -> Reply:
        return self.request("POST", path, {"csrf_token": self.token, **(fields or {})}, as_json=as_json)

    def open(self, path: str = "/") -> Reply:
        """Read a page and the CSRF token on it, as the page's forms would send it."""
        reply = self.get(path)
        match = CSRF_META.search(reply.text)
        assert match, f"no CSRF token on {path} ({reply.status})"
        self.token = match.group(1)
        return reply

    def log_in(self, login: str, password: str) -> None:
        self.open("/auth/login")
        reply = self.post("/auth/login", {"login": login, "password": password})
        assert reply.status == 302, f"could not log in as {login}: {reply.status}"
        self.open("/")


# --- writes, and the ledger of those acknowledged ------------------------------------------------

@dataclass
class Ledger:
    """What the server said it did, for one account, and how every request was answered."""

    # Acknowledged comments and deletions as (id, words): on SQLite a new row may take the id of the
    # newest comment once that is deleted, so an id alone does not say which comment it was.
    comments: list[tuple[int, str]] = field(default_factory=list)
    deleted: list[tuple[int, str]] = field(default_factory=list)
    likes: dict[tuple[str, int], bool] = field(default_factory=dict)  # last acknowledged state per target
    unsure: set[tuple[str, int]] = field(default_factory=set)  # a later like request got no answer
    answers: Counter = field(default_factory=Counter)  # (action, status) -> how many
    lost: int = 0  # requests whose answer never came (the connection broke)

    def merge(self, other: Ledger) -> None:
        self.comments += other.comments
        self.deleted += other.deleted
        self.likes.update(other.likes)
        self.unsure |= other.unsure
        self.answers.update(other.answers)
        self.lost += other.lost


class Writer:
    """A signed-in reader writing through the site's own forms, half of the time as the page's
    script does (asking for JSON), the other half as a browser without JavaScript."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.ledger = Ledger()

    def _send(self, action: str, path: str, fields: dict[str, object], as_json: bool) -> Reply | None:
        try:
            reply = self.browser.post(path, fields, as_json=as_json)
        except (OSError, http.client.HTTPException):
            self.ledger.answers[(action, NO_ANSWER)] += 1
            self.ledger.lost += 1
            return None
        self.ledger.answers[(action, reply.status)] += 1
        return reply

    def comment(self, slug: str, body: str, parent_id: int | None = None, as_json: bool = False) -> int | None:
        """Post a comment or reply; its id when the server acknowledged it."""
        fields = {"body": body, "parent_id": parent_id or ""}
        reply = self._send("reply" if parent_id else "comment", f"/posts/{slug}/comments", fields, as_json)
        comment_id = None
        if reply is not None and reply.status == 201:
            comment_id = reply.json()["id"]
        elif reply is not None and reply.status == 302:
            anchor = COMMENT_ANCHOR.search(reply.headers.get("location", ""))
            comment_id = int(anchor.group(1)) if anchor else None
        if comment_id is not None:
            self.ledger.comments.append((comment_id, body))
        return comment_id

    def like(self, kind: str, target_id: int, liked: bool, as_json: bool = False) -> bool:
        """Like or unlike a post or a comment ("posts" or "comments"); True when acknowledged."""
        key = (kind, target_id)
        reply = self._send("like" if liked else "unlike", f"/likes/{kind}/{target_id}", {"liked": int(liked)}, as_json)
        if reply is None:
            self.ledger.unsure.add(key)
            return False
        if reply.status in (200, 302):
            self.ledger.likes[key] = liked
            self.ledger.unsure.discard(key)
            return True
        return False

    def delete(self, comment_id: int) -> bool:
        """Delete one of this reader's acknowledged comments."""
        body = next(body for known_id, body in reversed(self.ledger.comments) if known_id == comment_id)
        reply = self._send("delete", f"/comments/{comment_id}/delete", {}, as_json=False)
        if reply is not None and reply.status == 302:
            self.ledger.deleted.append((comment_id, body))
            return True
        return False


def signed_in_writer(base_url: str, login: str, password: str) -> Writer:
    browser = Browser(base_url)
    browser.log_in(login, password)
    return Writer(browser)


@dataclass(frozen=True)
class Stage:
    """A post with a few comments by its author, and readers ready to sign in to it."""

    slug: str
    post_id: int
    seed_ids: list[int]  # comments nobody deletes, to reply to and like
    user_ids: dict[str, int]  # the readers' logins and ids


def set_stage(app, title: str, readers: int, seeds: int, password: str) -> Stage:
    from tests.factories import make_comment, make_post, post_by_slug

    logins = [f"reader{number}" for number in range(readers)]
    with app.app_context():
        create_account("author", "author@example.org", password, Role.AUTHOR)
        user_ids = {login: create_account(login, f"{login}@example.org", password).id for login in logins}
        db.session.commit()
    slug = make_post(app, "author", title)
    seed_ids = [make_comment(app, slug, f"{title}: opening thought {n}.", "author") for n in range(seeds)]
    with app.app_context():
        post_id = post_by_slug(slug).id
        db.engine.dispose()  # a process forked later inherits no connection of ours
    return Stage(slug, post_id, seed_ids, user_ids)


def unexpected_answers(ledgers: list[Ledger], allowed: dict[str, set[object]]) -> dict[tuple[str, object], int]:
    """How often each kind of request got an answer it should never get (a 5xx above all)."""
    answers = sum((ledger.answers for ledger in ledgers), start=Counter())
    return {key: count for key, count in answers.items() if key[1] not in allowed[key[0]]}


# --- what must hold in the database afterwards ------------------------------------------------------

def lost_comments(ledger: Ledger) -> list[str]:
    """Acknowledged comments not stored as acknowledged (missing, changed, hidden), and deleted
    ones whose words are still there."""
    rows = {row.id: row for row in db.session.execute(
        sa.select(Comment.id, Comment.body_markdown, Comment.status, Comment.deleted_at)
    )}
    deleted = set(ledger.deleted)
    problems = []
    for comment_id, body in ledger.comments:
        row = rows.get(comment_id)
        stored_as_written = row is not None and row.body_markdown == body
        if (comment_id, body) in deleted:
            if stored_as_written:  # gone, a tombstone without its words, or the id taken by a newer comment
                problems.append(f"comment {comment_id} was deleted but is still there")
        elif not stored_as_written:
            problems.append(f"comment {comment_id} was acknowledged but is not stored")
        elif row.status != "approved" or row.deleted_at is not None:
            problems.append(f"comment {comment_id} is stored as {row.status}, deleted at {row.deleted_at}")
    return problems


def wrong_likes(ledgers: dict[int, Ledger]) -> list[str]:
    """Likes whose stored state differs from the last one acknowledged to that account (targets
    since removed, and targets with a later request never answered, aside)."""
    stored = {
        "posts": set(map(tuple, db.session.execute(sa.select(PostLike.user_id, PostLike.post_id)))),
        "comments": set(map(tuple, db.session.execute(sa.select(CommentLike.user_id, CommentLike.comment_id)))),
    }
    # A deleted comment's likes go with it (and its id may come back on SQLite): such targets aside.
    removed = {comment_id for ledger in ledgers.values() for comment_id, _body in ledger.deleted}
    problems = []
    for user_id, ledger in ledgers.items():
        for (kind, target_id), liked in ledger.likes.items():
            if (kind, target_id) in ledger.unsure or (kind == "comments" and target_id in removed):
                continue
            if ((user_id, target_id) in stored[kind]) != liked:
                problems.append(f"{kind} {target_id}: user {user_id} was told {'liked' if liked else 'unliked'}")
    return problems


def duplicate_likes() -> list[tuple]:
    duplicates = []
    for model, target in ((PostLike, PostLike.post_id), (CommentLike, CommentLike.comment_id)):
        duplicates += db.session.execute(
            sa.select(model.user_id, target, sa.func.count()).group_by(model.user_id, target).having(sa.func.count() > 1)
        ).all()
    return duplicates


def broken_threads() -> list[str]:
    """Comments whose place in their thread does not add up: root, path and depth against the parent."""
    rows = {row.id: row for row in db.session.execute(
        sa.select(Comment.id, Comment.parent_id, Comment.root_id, Comment.path, Comment.depth)
    )}
    problems = []
    for row in rows.values():
        parent = rows.get(row.parent_id) if row.parent_id else None
        if row.parent_id and parent is None:
            problems.append(f"comment {row.id} answers {row.parent_id}, which is gone")
        elif row.path is None or row.root_id is None:
            problems.append(f"comment {row.id} has no place in a thread")
        elif parent is None and (row.root_id != row.id or row.depth != 1 or "/" in row.path):
            problems.append(f"top-level comment {row.id} is not its own root")
        elif parent is not None and (row.root_id != parent.root_id or row.depth != parent.depth + 1
                                     or not row.path.startswith(parent.path + "/")):
            problems.append(f"reply {row.id} does not sit under {parent.id}")
    return problems


def orphan_rows() -> list[str]:
    """Rows pointing at rows that do not exist, for every foreign key of the schema."""
    problems = []
    for table in db.metadata.sorted_tables:
        for key in table.foreign_keys:
            column = key.parent
            target = key.column.table.alias().c[key.column.name]  # an alias: comments.parent_id points at comments
            missing = db.session.scalar(
                sa.select(sa.func.count()).select_from(table)
                .where(column.isnot(None), ~sa.exists().where(target == column))
            )
            if missing:
                problems.append(f"{missing} rows of {table.name}.{column.name} point at no {target.table.name}")
    return problems


def invalid_constraints() -> list[str]:
    """PostgreSQL: constraints not validated, and indexes (unique ones included) not valid."""
    constraints = db.session.execute(sa.text(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint "
        "WHERE NOT convalidated AND connamespace = 'public'::regnamespace"
    )).all()
    indexes = db.session.execute(sa.text(
        "SELECT indexrelid::regclass::text FROM pg_index JOIN pg_class ON pg_class.oid = indexrelid "
        "WHERE NOT (indisvalid AND indisready AND indislive) AND relnamespace = 'public'::regnamespace"
    )).all()
    return [f"constraint {name} of {table}" for table, name in constraints] + [f"index {name}" for (name,) in indexes]


def sqlite_checks(database_file: str) -> tuple[list[str], list[tuple]]:
    """PRAGMA integrity_check's answer and PRAGMA foreign_key_check's rows, on a connection of its own."""
    connection = sqlite3.connect(database_file)
    try:
        integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        foreign_keys = connection.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        connection.close()
    return integrity, foreign_keys


def database_problems(ledgers: dict[int, Ledger]) -> dict[str, list]:
    """Everything that must be empty after a run, given each account's ledger: acknowledged writes
    lost, counters off their COUNT(*), duplicate likes, threads that do not add up, orphans, and
    the database's own checks."""
    everyone = Ledger()
    for ledger in ledgers.values():
        everyone.merge(ledger)
    problems = {
        "lost comments": lost_comments(everyone),
        "wrong likes": wrong_likes(ledgers),
        "counter drift": find_drift(),
        "duplicate likes": duplicate_likes(),
        "broken threads": broken_threads(),
        "orphan rows": orphan_rows(),
    }
    if db.engine.dialect.name == "postgresql":
        problems["invalid constraints"] = invalid_constraints()
    else:
        integrity, foreign_keys = sqlite_checks(db.engine.url.database)
        problems["integrity_check"] = [] if integrity == ["ok"] else integrity
        problems["foreign_key_check"] = foreign_keys
    return problems
