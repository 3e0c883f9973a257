"""Email: sent through SMTP when MAIL_SERVER is set; otherwise the whole message is written to the
app's log (at WARNING, so a development server shows it), links included."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from flask import current_app, url_for


def absolute_url(endpoint: str, **values: Any) -> str:
    """A link for an email: SITE_URL (or, with mail going to the log, the development server's
    configured address) and the endpoint's path; never built from the request's Host or
    X-Forwarded-* headers, which whoever sends the request chooses."""
    base = current_app.config.get("SITE_URL") or current_app.config["LOCAL_URL"]
    return base + url_for(endpoint, **values)


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool  # STARTTLS after connecting (port 587)
    use_ssl: bool  # TLS from the first byte (port 465)
    timeout: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpServer:
        return cls(config["MAIL_SERVER"], config["MAIL_PORT"], config.get("MAIL_USERNAME"),
                   config.get("MAIL_PASSWORD"), bool(config.get("MAIL_USE_TLS")),
                   bool(config.get("MAIL_USE_SSL")), float(config.get("MAIL_TIMEOUT", 10)))


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    sender = current_app.config["MAIL_FROM"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or "localhost")
    message.set_content(body)
    return message


def readable(message: EmailMessage) -> str:
    """The message as a person reads it: its headers, then the body decoded (links in one piece)."""
    headers = "".join(f"{name}: {value}\n" for name, value in message.items()
                      if name.lower() not in ("content-type", "content-transfer-encoding", "mime-version"))
    return f"{headers}\n{message.get_content()}"


def deliver(server: SmtpServer, message: EmailMessage, logger: logging.Logger) -> bool:
    """Hand the message to the SMTP server; a failure is logged, never raised (nobody is waiting)."""
    context = ssl.create_default_context()
    try:
        if server.use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout, context=context)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        with smtp:
            if server.use_tls and not server.use_ssl:
                smtp.starttls(context=context)
            if server.username:
                smtp.login(server.username, server.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not send the email %r to %s through %s:%s",
                         message["Subject"], message["To"], server.host, server.port)
        return False
    return True


def send_mail(to: str, subject: str, body: str) -> threading.Thread | None:
    """Send (or log) one plain-text email. With MAIL_IN_BACKGROUND the SMTP exchange runs in a
    thread, so the answer to the request neither waits for it nor shows by its timing that a
    message was sent; the thread is returned for whoever wants to wait."""
    config = current_app.config
    message = build_message(to, subject, body)
    logger = current_app.logger
    if not config.get("MAIL_SERVER"):
        logger.warning("MAIL_SERVER is not set, so this email was not sent. Here it is in full:\n%s",
                       readable(message))
        return None
    server = SmtpServer.from_config(config)
    if not config.get("MAIL_IN_BACKGROUND", True):
        deliver(server, message, logger)
        return None
    thread = threading.Thread(target=deliver, args=(server, message, logger), name="send-mail", daemon=True)
    thread.start()
    return thread
