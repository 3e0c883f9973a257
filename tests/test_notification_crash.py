"""The mail worker killed with SIGKILL in the middle of its work, 20 times: afterwards every email
is delivered, none lost, and a kill duplicates at most the one message in flight.

Select it with `-m crash_safety`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from community.extensions import db
from community.models import MessageStatus, OutboxMessage, Subscriber, Subscription, SubscriptionKind
from community.models.base import utcnow
from tests.factories import make_comment, make_post, post_by_slug
from tests.smtp_server import smtp_server

pytestmark = pytest.mark.crash_safety

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 20
FOLLOWERS = 150
PATIENCE = 120  # seconds a round may wait for the worker to make progress before the test fails


def worker(app, port: int, log, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": app.config["SECRET_KEY"],
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port), "MAIL_USE_TLS": "0", "SITE_URL": "https://community.example",
           "NOTIFY_BATCH_MINUTES": "0"}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "mail-worker", "--poll", "0.2", *extra],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def test_a_worker_killed_mid_send_loses_no_email(app, users, tmp_path):
    slug = make_post(app, "author", "Power Cuts")
    with app.app_context():
        post_id = post_by_slug(slug).id
        for number in range(FOLLOWERS):
            subscriber = Subscriber(email=f"follower{number}@example.net", email_key=f"follower{number}@example.net",
                                    confirmed_at=utcnow())
            db.session.add(subscriber)
            db.session.flush()
            db.session.add(Subscription(subscriber_id=subscriber.id, kind=SubscriptionKind.COMMENTS, target=post_id,
                                        post_id=post_id))
        db.session.commit()
    make_comment(app, slug, "Is anyone there?", "reader")
    log = (tmp_path / "worker.log").open("w")
    with smtp_server() as (inbox, port):
        inbox.delay = 0.01
        kills = 0
        for _round in range(ROUNDS):
            before = len(inbox.messages)
            process = worker(app, port, log)
            deadline = time.monotonic() + PATIENCE
            while len(inbox.messages) == before and process.poll() is None:
                assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-3000:]
                time.sleep(0.005)
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                kills += 1
            process.wait()
        drain = worker(app, port, log, "--once")
        assert drain.wait(timeout=600) == 0, (tmp_path / "worker.log").read_text()[-3000:]
        received = Counter(message["To"] for message in inbox.messages)
    assert set(received) == {f"follower{number}@example.net" for number in range(FOLLOWERS)}
    duplicates = sum(count - 1 for count in received.values())
    assert duplicates <= kills
    with app.app_context():
        statuses = Counter(db.session.scalars(sa.select(OutboxMessage.status)).all())
    assert statuses == {MessageStatus.SENT: FOLLOWERS}
