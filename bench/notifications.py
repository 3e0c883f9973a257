"""Notification benchmark (part of `make bench`): what a comment costs to post on a thread with
5,000 subscribers against one with none (the fan-out is the worker's, so the two should be within
1.2×), and how many messages a second the mail worker hands to a local aiosmtpd over its one
kept SMTP connection (target: at least 200/s).

`python bench/notifications.py --database sqlite|postgres`; results go to bench/results/."""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SUBSCRIBERS = 5_000
POSTS_PER_TURN = 50
TURNS = 6
MESSAGES = 2_000


def database_url(kind: str, scratch: Path) -> tuple[str, object]:
    if kind == "sqlite":
        return f"sqlite:///{scratch / 'bench-notify.sqlite3'}", None
    from tests.conftest import scratch_postgres_database

    context = scratch_postgres_database(os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
                                        "community_bench_notify")
    return context.__enter__(), context


def wait_for_port(port: int) -> None:
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("aiosmtpd did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        sys.exit("The notification benchmark needs aiosmtpd: make .venv/.installed-dev")
    from tests.smtp_server import free_port
    import flask_migrate
    import sqlalchemy as sa

    from community import create_app
    from community.extensions import db
    from community.models import Role, Subscriber, Subscription, SubscriptionKind
    from community.models.base import utcnow
    from community.notifications.worker import deliver_due, make_sender, run_once
    from community.services.accounts import create_account
    from community.services.comments import add_comment
    from community.services.posts import create_post

    port = free_port()
    # The SMTP server in a process of its own, so it does not share this one's interpreter lock.
    smtp = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c",
                             "aiosmtpd.handlers.Sink"])
    wait_for_port(port)
    with tempfile.TemporaryDirectory() as scratch:
        url, context = database_url(args.database, Path(scratch))
        config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                  "HOLD_FIRST_COMMENT": False, "FLOOD_SECONDS": 0, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
                  "MAIL_USE_TLS": False, "SITE_URL": "https://community.example", "NOTIFY_BATCH_MINUTES": 0}
        app = create_app(config)
        with app.app_context():
            flask_migrate.upgrade()
            writer = create_account("writer", "writer@example.org", "a long bench password", Role.ADMIN)
            quiet = create_post(writer, "Nobody Follows", "Words.", True)
            busy = create_post(writer, "Everybody Follows", "Words.", True)
            db.session.flush()
            quiet_id, busy_id = quiet.id, busy.id
            now = utcnow()
            db.session.execute(sa.insert(Subscriber), [
                {"email": f"reader{n}@example.net", "email_key": f"reader{n}@example.net", "confirmed_at": now,
                 "created_at": now} for n in range(SUBSCRIBERS)])
            ids = db.session.scalars(sa.select(Subscriber.id)).all()
            db.session.execute(sa.insert(Subscription), [
                {"subscriber_id": sid, "kind": SubscriptionKind.COMMENTS, "target": busy_id, "post_id": busy_id,
                 "created_at": now} for sid in ids])
            db.session.commit()
            run_once(make_sender(app))  # the two posts' events

            def post_comments(post_id: int) -> float:
                started = time.perf_counter()
                for number in range(POSTS_PER_TURN):
                    post = db.session.get(type(quiet), post_id)
                    add_comment(post, f"Comment {number}.", author=db.session.get(type(writer), writer.id))
                    db.session.commit()
                return (time.perf_counter() - started) / POSTS_PER_TURN * 1000

            quiet_ms, busy_ms = [], []
            for _turn in range(TURNS):  # alternating turns, so the machine's load falls on both alike
                quiet_ms.append(post_comments(quiet_id))
                busy_ms.append(post_comments(busy_id))
            posting_ratio = statistics.median(busy_ms) / statistics.median(quiet_ms)

            # The worker: fan-out and batching of those comments are not timed; sending is.
            db.session.execute(sa.text("DELETE FROM outbox_events WHERE done_at IS NULL"))
            db.session.commit()
            from community.notifications.messages import notification_message, Item
            subscribers = db.session.scalars(sa.select(Subscriber).limit(MESSAGES)).all()
            item = Item("Ana replied", "Ana", "A short reply.", "https://community.example/comments/1")
            for subscriber in subscribers:
                db.session.add(notification_message(subscriber, "notices", [item], "Ana replied", "all"))
            db.session.commit()
            sender = make_sender(app)
            started = time.perf_counter()
            sent = deliver_due(sender)
            seconds = time.perf_counter() - started
            sender.close()
            rate = sent / seconds
            connections = sender.connection.opened
            db.engine.dispose()
        if context is not None:
            context.__exit__(None, None, None)
    smtp.terminate()
    smtp.wait()
    lines = [
        f"# Notifications benchmark, {args.database}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores",
        f"post a comment, thread with no subscribers: {statistics.median(quiet_ms):.1f} ms (median of {TURNS} turns of {POSTS_PER_TURN})",
        f"post a comment, thread with {SUBSCRIBERS:,} subscribers: {statistics.median(busy_ms):.1f} ms",
        f"ratio: {posting_ratio:.2f}x (target: within 1.2x) {'PASS' if posting_ratio <= 1.2 else 'FAIL'}",
        f"mail worker: {sent} messages in {seconds:.2f} s = {rate:.0f} messages/s over {connections} SMTP connection(s) "
        f"(target: at least 200/s) {'PASS' if rate >= 200 else 'FAIL'}",
    ]
    print("\n".join(lines))
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"notifications-{args.database}.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
