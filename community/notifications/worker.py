"""The mail worker: `flask --app wsgi mail-worker` expands events, composes what is due and sends
it; `--once` drains what is due and exits. Every step commits before the next, so a worker killed
at any moment (SIGKILL included) loses nothing: at most the one message in flight is sent twice."""

from __future__ import annotations

import logging
import re
import signal
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app

from community.extensions import db
from community.mail import PermanentFailure, SmtpConnection, SmtpServer, TemporaryFailure
from community.models import MessageStatus, OutboxMessage, Subscriber
from community.models.base import utcnow
from community.notifications.compose import compose_due
from community.notifications.fanout import expand_events
from community.notifications.subscriptions import bounce_limit, expire_unconfirmed

log = logging.getLogger("community.mail_worker")
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=4)
READ_AT_ONCE = 200


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … doubling up to 4 h: about 14 tries within a day."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


class EmlFolder:
    """Without MAIL_SERVER: each message becomes instance/mail/<id>.eml (and a line in the log)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder

    def send(self, sender: str, to: str, raw: str, message_id: int) -> None:
        path = self.folder / f"{message_id:08d}.eml"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(raw, encoding="ascii", errors="replace")
        temporary.replace(path)
        log.warning("MAIL_SERVER is not set; the email to %s is in %s", to, path)

    def close(self) -> None:
        pass


class SmtpSender:
    def __init__(self, server: SmtpServer) -> None:
        self.connection = SmtpConnection(server)

    def send(self, sender: str, to: str, raw: str, message_id: int) -> None:
        self.connection.send(sender, to, raw)

    def close(self) -> None:
        self.connection.close()


def make_sender(app: Flask):
    if app.config.get("MAIL_SERVER"):
        return SmtpSender(SmtpServer.from_config(app.config))
    return EmlFolder(Path(app.instance_path) / "mail")


def _envelope_sender() -> str:
    sender = current_app.config["MAIL_FROM"]
    match = re.search(r"<([^>]*)>", sender)
    return match.group(1) if match else sender


@dataclass(frozen=True)
class Claimed:
    """A message to send, as plain values: nothing to reload after each commit."""

    id: int
    subscriber_id: int | None
    kind: str
    to_address: str
    raw: str
    attempts: int
    created_at: datetime
    address_stopped: bool


def _due() -> sa.Select:
    messages = OutboxMessage.__table__
    return (sa.select(messages.c.id, messages.c.subscriber_id, messages.c.kind, messages.c.to_address, messages.c.raw,
                      messages.c.attempts, messages.c.created_at, Subscriber.stopped_at.is_not(None))
            .select_from(messages.outerjoin(Subscriber, Subscriber.id == messages.c.subscriber_id))
            .where(messages.c.status == MessageStatus.QUEUED, messages.c.next_attempt_at <= utcnow())
            .order_by(messages.c.next_attempt_at, messages.c.id))


def _claim() -> list[Claimed]:
    """The next messages to send. PostgreSQL: one, row-locked (FOR UPDATE SKIP LOCKED) until its
    outcome commits, so workers never send the same one. SQLite, one worker: a batch, read in a
    transaction that ends before sending (it would hold the database's write lock)."""
    if db.session.get_bind().dialect.name == "postgresql":
        # The outcome's commit need not wait for the disk: a worker killed after it loses nothing
        # (the server has it); only a crash of the database server itself could forget the last
        # few "sent" marks, and those messages would go again, never be lost (README, Delivery).
        db.session.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))
        query = _due().limit(1).with_for_update(skip_locked=True, of=OutboxMessage.__table__)
        return [Claimed(*row) for row in db.session.execute(query)]
    rows = [Claimed(*row) for row in db.session.execute(_due().limit(READ_AT_ONCE))]
    db.session.commit()
    return rows


def _record(message: Claimed, error: Exception | None) -> None:
    now = utcnow()
    values: dict[str, object] = {"attempts": message.attempts + 1}
    if error is None:
        values.update(status=MessageStatus.SENT, sent_at=now, last_error=None)
    elif isinstance(error, PermanentFailure):
        values.update(status=MessageStatus.FAILED, last_error=str(error)[:500])
        _hard_bounce(message, str(error))
    else:
        values["last_error"] = str(error)[:500]
        give_up = timedelta(hours=current_app.config.get("NOTIFY_RETRY_HOURS", 24))
        if now - message.created_at >= give_up:
            values["status"] = MessageStatus.FAILED
        else:
            values["next_attempt_at"] = now + retry_delay(message.attempts + 1)
    db.session.execute(sa.update(OutboxMessage.__table__).where(OutboxMessage.__table__.c.id == message.id)
                       .values(**values))


def _hard_bounce(message: Claimed, answer: str) -> None:
    """A permanent refusal: the address is bouncing; after the limit its subscriptions stop."""
    if message.subscriber_id is None:
        return
    db.session.execute(sa.update(Subscriber).where(Subscriber.id == message.subscriber_id)
                       .values(hard_bounces=Subscriber.hard_bounces + 1, last_bounce=answer[:500]))
    db.session.execute(sa.update(Subscriber).where(Subscriber.id == message.subscriber_id,
                                                   Subscriber.hard_bounces >= bounce_limit(),
                                                   Subscriber.stopped_at.is_(None))
                       .values(stopped_at=utcnow()))


def deliver_due(sender, limit: int | None = None) -> int:
    """Send what is due, committing each outcome before the next message; returns how many were tried."""
    tried, envelope_from = 0, _envelope_sender()
    while limit is None or tried < limit:
        messages = _claim()
        if not messages:
            db.session.commit()
            return tried
        for message in messages:
            if message.address_stopped and message.kind != "confirm":
                db.session.execute(sa.update(OutboxMessage.__table__).where(OutboxMessage.__table__.c.id == message.id)
                                   .values(status=MessageStatus.FAILED, last_error="not sent: the address is stopped"))
            else:
                error: Exception | None = None
                try:
                    sender.send(envelope_from, message.to_address, message.raw, message.id)
                except (PermanentFailure, TemporaryFailure) as failure:
                    error = failure
                    log.warning("Email %s to %s not sent: %s", message.id, message.to_address, failure)
                _record(message, error)
            db.session.commit()
            tried += 1
    return tried


def run_once(sender) -> int:
    """One round: expire, expand, compose, send. Returns how much work it found."""
    work = 0
    expire_unconfirmed()
    db.session.commit()
    while (expanded := expand_events()):
        db.session.commit()
        work += expanded
    db.session.commit()
    after: int | None = 0
    while after is not None:
        composed, after = compose_due(after)
        db.session.commit()
        work += composed
    work += deliver_due(sender)
    return work


def register(app: Flask) -> None:
    @app.cli.command("mail-worker")
    @click.option("--once", is_flag=True, help="Send what is due now, then exit.")
    @click.option("--poll", default=2.0, show_default=True, help="Seconds between looks at an empty outbox.")
    def mail_worker(once: bool, poll: float) -> None:
        """Expand, batch and send the notification emails (runs until stopped; `make run` starts it)."""
        logging.basicConfig(level=logging.INFO)
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        sender = make_sender(current_app._get_current_object())
        try:
            while True:
                try:
                    work = run_once(sender)
                except sa.exc.OperationalError:
                    db.session.rollback()
                    log.exception("The database is unavailable; trying again")
                    work = 0
                if once and work == 0:
                    break
                if stopping:
                    break
                if work == 0:
                    time.sleep(poll)
        finally:
            sender.close()
            db.session.remove()
