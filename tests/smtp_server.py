"""A real SMTP server (aiosmtpd) on a loopback port, for the notification tests: it keeps every
message it accepts, and can refuse chosen recipients for good (550) or for now (451)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the server received, and whom it refuses."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse_for_good: set[str] = set()
        self.refuse_for_now: set[str] = set()
        self.connections = 0
        self.delay = 0.0  # seconds each DATA takes, so a worker can be caught mid-send
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse_for_good:
            return "550 5.1.1 No such user here"
        if address.lower() in self.refuse_for_now:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


class CountingController(Controller):
    def factory(self):
        server = super().factory()
        self.handler.connections += 1
        return server


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = CountingController(inbox, hostname="127.0.0.1", port=port, ready_timeout=60)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
