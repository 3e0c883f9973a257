"""Email: sent through SMTP when MAIL_SERVER is set; otherwise the whole message is written to the
app's log (at WARNING, so a development server shows it), links included."""

from __future__ import annotations

import email.policy
import logging
import re
import secrets
import smtplib
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from email import quoprimime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from flask import current_app, url_for
from markupsafe import escape


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


# --- composed messages and a kept-open connection (the notification worker's) ----------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# Every part quoted-printable, every header RFC 2047 where needed: the stored message is ASCII.
SMTP_POLICY = email.policy.SMTP.clone(cte_type="7bit")


def header_text(value: str, limit: int = 200) -> str:
    """Words safe in a header: CR, LF and every other control character become one space, so a
    name or title can never start a header of its own."""
    cleaned = " ".join(_CONTROL.sub(" ", value).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def compose_message(to: str, subject: str, text_body: str, html_body: str | None = None,
                    headers: Mapping[str, str] | None = None, sender: str | None = None) -> EmailMessage:
    """A message with a plain-text part and, when given, an HTML alternative; subject and extra
    header values pass through header_text."""
    sender = sender or current_app.config["MAIL_FROM"]
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = header_text(subject, 250)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or "localhost")
    for name, value in (headers or {}).items():
        message[name] = header_text(value, 900)
    message.set_content(text_body, cte="quoted-printable")
    if html_body is not None:
        message.add_alternative(html_body, subtype="html", cte="quoted-printable")
    return message


_PLAIN_HEADER = re.compile(r"[\x21-\x7e][\x20-\x7e]{0,900}")  # printable ASCII: written as it is


def _header_line(name: str, value: str) -> str:
    """One header, CRLF-ended: printable ASCII as it is (a List-Unsubscribe URL is one token that
    must reach mail clients whole, not as RFC 2047 words), anything else folded by the policy."""
    value = header_text(value, 900)
    if _PLAIN_HEADER.fullmatch(value):
        return f"{name}: {value}\r\n"
    return SMTP_POLICY.fold(name, SMTP_POLICY.header_store_parse(name, value)[1])


def _text_part(subtype: str, body: str) -> str:
    """A text part as compose_message's EmailMessage writes it: UTF-8, quoted-printable."""
    encoded = quoprimime.body_encode((b"\n".join(body.encode("utf-8").splitlines()) + b"\n").decode("latin-1"), 78)
    return (f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n'
            f"\r\n{encoded.replace(chr(10), chr(13) + chr(10))}")


class MessageShape:
    """One email for many recipients, composed once: its sender, subject and shared headers folded,
    its two bodies rendered with a marker where each recipient's own values go. A recipient's copy
    (`for_recipient`) fills the markers and encodes the parts with the email package's encoders,
    without building an EmailMessage, whose header objects cost most of the time the mail worker
    took per message. What it writes is what compose_message writes (tests compare them)."""

    def __init__(self, subject: str, text_body: str, html_body: str, headers: Mapping[str, str] | None = None,
                 sender: str | None = None) -> None:
        sender = sender or current_app.config["MAIL_FROM"]
        self.domain = sender.rpartition("@")[2].strip("> ") or "localhost"
        self.subject = header_text(subject, 250)
        self.from_line, self.subject_line = _header_line("From", sender), _header_line("Subject", self.subject)
        self.tail = "".join(_header_line(name, value) for name, value in (headers or {}).items())
        self.text_body, self.html_body = text_body, html_body

    def for_recipient(self, to: str, values: Mapping[str, str], headers: Mapping[str, str] | None = None) -> str:
        """The whole message for `to`: each marker of the bodies replaced by its value (HTML-escaped
        in the HTML part), `headers` added after the shared ones; CRLF line ends, ASCII only."""
        text_body, html_body = self.text_body, self.html_body
        for marker, value in values.items():
            text_body = text_body.replace(marker, value)
            html_body = html_body.replace(marker, str(escape(value)))
        boundary = f"{'=' * 15}{secrets.randbelow(10 ** 19):019d}=="  # never in a quoted-printable body
        own = "".join(_header_line(name, value) for name, value in (headers or {}).items())
        return (f"{self.from_line}{_header_line('To', to)}{self.subject_line}"
                f"Date: {formatdate(usegmt=True)}\r\nMessage-ID: {make_msgid(domain=self.domain)}\r\n{own}{self.tail}"
                f'MIME-Version: 1.0\r\nContent-Type: multipart/alternative;\r\n boundary="{boundary}"\r\n\r\n'
                f"--{boundary}\r\n{_text_part('plain', text_body)}\r\n"
                f"--{boundary}\r\n{_text_part('html', html_body)}\r\n--{boundary}--\r\n")


class PermanentFailure(Exception):
    """The server refused for good (a 5xx): sending again would get the same answer."""


class TemporaryFailure(Exception):
    """The server was away or said "try later" (a 4xx): worth another try."""


class SmtpConnection:
    """One SMTP connection kept open across messages (a worker sends many), opened again when the
    server hung up. `send` raises PermanentFailure or TemporaryFailure with the server's answer."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server
        self.smtp: smtplib.SMTP | None = None
        self.opened = 0  # connections opened so far

    def _open(self) -> smtplib.SMTP:
        self.opened += 1
        server, context = self.server, ssl.create_default_context()
        if server.use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout, context=context)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        if server.use_tls and not server.use_ssl:
            smtp.starttls(context=context)
        if server.username:
            smtp.login(server.username, server.password or "")
        return smtp

    def send(self, sender: str, to: str, raw: str) -> None:
        for attempt in (1, 2):  # a kept connection the server closed meanwhile gets one fresh try
            try:
                if self.smtp is None:
                    self.smtp = self._open()
                self.smtp.sendmail(sender, [to], raw.encode("ascii", "replace"))
                return
            except smtplib.SMTPServerDisconnected as error:
                self.close()
                if attempt == 2:
                    raise TemporaryFailure(str(error) or "the server closed the connection") from error
            except smtplib.SMTPRecipientsRefused as error:
                code, answer = next(iter(error.recipients.values()))
                self._reset()
                raise _failure(code, answer) from error
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
                self._reset()
                raise _failure(error.smtp_code, error.smtp_error) from error
            except (OSError, smtplib.SMTPException) as error:
                self.close()
                raise TemporaryFailure(str(error) or type(error).__name__) from error

    def _reset(self) -> None:
        """After a refusal the connection stays usable for the next message."""
        try:
            if self.smtp is not None:
                self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def _failure(code: int, answer: bytes | str) -> Exception:
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
    kind = PermanentFailure if 500 <= code < 600 else TemporaryFailure
    return kind(f"{code} {text}"[:500])
