"""Where the mail worker's time goes: `python bench/profile_mail_worker.py [--messages 600]
[--database sqlite|postgres] [--profile]`.

Queues one new comment's notices for N confirmed followers of a post (the fan-out already done:
one notice each), then runs the worker's two timed stages against a local aiosmtpd sink in a
process of its own: composing the due emails (`compose_due`) and sending them (`deliver_due`), and
prints messages a second for each and for both. With `--profile`, the functions that took the
most time under cProfile. `--compare OTHER_CHECKOUT` runs the same measurement with another
checkout's code in alternating rounds, so a loaded machine weighs on both alike."""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(code_root: Path, messages: int, database: str, profile: bool) -> dict[str, float]:
    """One round in this process, with the code under `code_root`."""
    sys.path.insert(0, str(code_root))
    sys.path.insert(1, str(ROOT))  # tests.smtp_server, tests.conftest from this checkout
    import flask_migrate
    import sqlalchemy as sa

    from community import create_app
    from community.extensions import db
    from community.models import Notice, Role, Subscriber, Subscription, SubscriptionKind
    from community.models.base import utcnow
    from community.notifications.compose import compose_due
    from community.notifications.worker import deliver_due, make_sender
    from community.services.accounts import create_account
    from community.services.comments import add_comment
    from community.services.posts import create_post
    from tests.smtp_server import free_port

    port = free_port()
    smtp = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c",
                             "aiosmtpd.handlers.Sink"])
    context = None
    with tempfile.TemporaryDirectory() as scratch:
        if database == "sqlite":
            url = f"sqlite:///{scratch}/profile-mail.sqlite3"
        else:
            from tests.conftest import scratch_postgres_database

            context = scratch_postgres_database(os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
                                                "community_profile_mail")
            url = context.__enter__()
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "profile only", "RATELIMIT_ENABLED": False,
                          "HOLD_FIRST_COMMENT": False, "FLOOD_SECONDS": 0, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
                          "MAIL_USE_TLS": False, "SITE_URL": "https://community.example", "NOTIFY_BATCH_MINUTES": 0})
        with app.app_context():
            flask_migrate.upgrade()
            writer = create_account("writer", "writer@example.org", "a long profile password", Role.ADMIN)
            post = create_post(writer, "Everybody Follows", "Words.", True)
            db.session.flush()
            comment = add_comment(post, "A thought worth a *mail*.", author=writer)
            db.session.flush()
            now = utcnow()
            db.session.execute(sa.insert(Subscriber), [
                {"email": f"reader{n}@example.net", "email_key": f"reader{n}@example.net", "confirmed_at": now,
                 "created_at": now} for n in range(messages)])
            ids = db.session.scalars(sa.select(Subscriber.id).where(Subscriber.user_id.is_(None))).all()
            db.session.execute(sa.insert(Subscription), [
                {"subscriber_id": sid, "kind": SubscriptionKind.COMMENTS, "target": post.id, "post_id": post.id,
                 "created_at": now} for sid in ids])
            db.session.execute(sa.insert(Notice), [
                {"subscriber_id": sid, "topic": f"comment:{comment.id}", "reason": "comment", "post_id": post.id,
                 "comment_id": comment.id, "created_at": now} for sid in ids])
            db.session.execute(sa.text("DELETE FROM outbox_events"))
            db.session.commit()
            db.session.remove()
            profiler = cProfile.Profile() if profile else None
            if profiler:
                profiler.enable()
            started = time.perf_counter()
            composed, after = 0, 0
            while after is not None:
                count, after = compose_due(after)
                db.session.commit()
                composed += count
            halfway = time.perf_counter()
            sender = make_sender(app)
            sent = deliver_due(sender)
            sender.close()
            ended = time.perf_counter()
            if profiler:
                profiler.disable()
            db.session.remove()
            db.engine.dispose()
        if context is not None:
            context.__exit__(None, None, None)
    smtp.terminate()
    smtp.wait()
    assert composed == sent == messages, (composed, sent, messages)
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
        print(out.getvalue())
    return {"compose": messages / (halfway - started), "send": messages / (ended - halfway),
            "both": messages / (ended - started)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compare", type=Path, help="another checkout (e.g. /work/main) measured in turn")
    parser.add_argument("--one-round", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_round:
        print(measure(args.one_round, args.messages, args.database, args.profile))
        return
    if args.compare is None:
        result = measure(ROOT, args.messages, args.database, args.profile)
        print("  ".join(f"{stage}: {rate:.0f} messages/s" for stage, rate in result.items()))
        return
    checkouts = {"before": args.compare.resolve(), "after": ROOT}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in checkouts}
    for _round in range(args.rounds):  # alternating, so the machine's load falls on both alike
        for name, code_root in checkouts.items():
            answer = subprocess.run([sys.executable, __file__, "--one-round", str(code_root), "--messages",
                                     str(args.messages), "--database", args.database],
                                    capture_output=True, text=True, check=True, cwd=code_root)
            results[name].append(eval(answer.stdout.strip().splitlines()[-1]))  # noqa: S307 (our own dict)
    print(f"# mail worker, {args.database}, {args.messages} messages, median of {args.rounds} alternating rounds")
    for name, rounds in results.items():
        print(f"{name:>6} ({checkouts[name]}): " + "  ".join(
            f"{stage} {statistics.median(r[stage] for r in rounds):.0f}/s" for stage in ("compose", "send", "both")))


if __name__ == "__main__":
    main()
