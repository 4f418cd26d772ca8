"""The built-in SMTP listener (`flask mail listen`), for a small site whose MX points at Horseshoe itself.

aiosmtpd speaks SMTP; the handler here decides what is accepted. RCPT: addresses at our mail domain
(the worker bounces the ones that mean nothing) and the categories' own addresses, nothing else (550),
so the listener is never an open relay. DATA: the message is stored and queued by
forum.mail.inbound.receive, the same call as the pipe command and the provider webhook, before the
250, so mail the sending server was told "250" for is never lost; a second copy of the same message is
a 250 too, and stored once. A database that is locked or unreachable is a 451: the sending server keeps
the message and tries again later. Above mail.max_message_mb the answer is 552: the limit is announced
in EHLO (SIZE) and counted while the data arrives, so an over-size message is refused, not stored.

receive() is one short transaction, but blocking database I/O all the same: it runs in a worker
thread (asyncio.to_thread) with an app context and database session of its own, removed after each
message, so the event loop keeps serving other connections meanwhile.

The listener verifies no DKIM, SPF or DMARC itself. It puts `Authentication-Results: <its host name>;
none` on top of every message, so that an Authentication-Results header the sender wrote is never
taken for the receiving server's verdict (with HORSESHOE_MAIL_AUTHSERV_ID empty the topmost one is
believed): the sender of a new question gets a confirmation link. The header is the same bytes every
time (no date in it), so a retried delivery is still recognised as the same message. TLS, spam
filtering and sender authentication need a full mail server in front (README, "Mail in").

Below that header goes `Return-Path: <the envelope sender>`, as any mail server's final delivery writes it:
only the envelope tells a bounce with a null sender (MAIL FROM:<>) from mail a person wrote, and nothing
may answer such a message (RFC 5321 4.5.5; forum.mail.parsing reads it), or two robots write forever.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parseaddr

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from forum.core.extensions import db
from forum.mail import addresses, inbound
from forum.models import InboundChannel
from forum.services.community_settings import REGISTRY, get_setting

log = logging.getLogger(__name__)

MAX_RECIPIENTS = 100  # RFC 5321 4.5.3.1.8: a server must take at least 100
TEMPORARY_FAILURE = "451 4.3.0 Temporary failure: please try again later"
NO_SUCH_USER = "550 5.1.1 <{address}>: no such user here"


def max_message_bytes() -> int:
    """mail.max_message_mb in bytes: the largest raw message any of the three ways in accepts."""
    return int(get_setting("mail.max_message_mb") * inbound.MB)


def megabytes(size: int) -> str:
    """A size in MB as the setting names it (0.1, 10), for the sentences refusals give."""
    return f"{round(size / inbound.MB, 3):g}"


def stamped(raw: bytes, hostname: str, sender: str) -> bytes:
    """The message with this listener's own (empty) verdict and the envelope sender on top: see the module's
    docstring. sender is MAIL FROM's address, "" for the null sender."""
    sender = "".join(sender.split()).strip("<>")
    return (f"Authentication-Results: {hostname}; none\r\nReturn-Path: <{sender}>\r\n"
            .encode("utf-8", "replace") + raw)


def is_ours(address: str) -> bool:
    """Mail for this address is Horseshoe's to take: a reply or bounce address, or a category's own address.

    Anything else, even at our own domain, is refused at RCPT with 550, so the sending server tells its
    sender (the envelope's, which forged mail cannot aim at a victim) instead of Horseshoe bouncing later.
    """
    address = parseaddr(address)[1].lower()
    if "@" not in address:
        return False
    return (addresses.is_reply_address(address) or addresses.is_bounce_address(address)
            or addresses.is_category_address(address))


def default_max_message_bytes() -> int:
    """The setting's default, announced while the database cannot be asked."""
    return int(REGISTRY["mail.max_message_mb"].default * inbound.MB)


@dataclass
class InboundHandler:
    """aiosmtpd handler hooks; each database call runs in a worker thread inside an app context of its own."""

    app: Flask
    hostname: str
    # Announced to new connections (SIZE) and counted while data arrives; refreshed with every message stored.
    size_limit: int = field(default_factory=default_max_message_bytes)

    async def handle_RCPT(self, server: SMTP, session, envelope, address: str, rcpt_options: list[str]) -> str:
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        try:
            ours = await asyncio.to_thread(self.in_app, is_ours, address)
        except Exception:
            log.exception("mail listener: could not look up %s", address)
            return TEMPORARY_FAILURE
        if not ours:
            return NO_SUCH_USER.format(address=address)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session, envelope) -> str:
        return await asyncio.to_thread(self.store, envelope.original_content, list(envelope.rcpt_tos),
                                       envelope.mail_from or "")

    def store(self, raw: bytes, recipients: list[str], sender: str) -> str:
        """Store one message; the SMTP answer. Any failure is temporary: the sender keeps the mail and retries."""
        try:
            return self.in_app(self._store, raw, recipients, sender)
        except Exception:
            log.exception("mail listener: could not store a message for %s", ", ".join(recipients))
            return TEMPORARY_FAILURE

    def _store(self, raw: bytes, recipients: list[str], sender: str) -> str:
        self.size_limit = limit = max_message_bytes()
        message = stamped(raw, self.hostname, sender)
        if len(message) > limit:
            return f"552 5.3.4 Message too big: this community accepts mail up to {megabytes(limit)} MB"
        received = inbound.receive(message, InboundChannel.SMTP, recipients)
        if received.duplicate:
            return f"250 2.0.0 OK: already received as #{received.mail.id}"
        return f"250 2.0.0 OK: queued as #{received.mail.id}"

    def in_app(self, work: Callable, *args):
        """Run work in an app context of its own and drop its database session after, whatever happened."""
        with self.app.app_context():
            try:
                return work(*args)
            finally:
                db.session.remove()


class MailController(Controller):
    """aiosmtpd's threaded controller, announcing the current size limit to each new connection."""

    handler: InboundHandler

    def factory(self) -> SMTP:
        return SMTP(self.handler, **{**self.SMTP_kwargs, "data_size_limit": self.handler.size_limit})


def start(app: Flask, host: str, port: int) -> MailController:
    """Listen on host:port in a background thread (tests, and `serve`); stop() the controller to end it.

    A database that does not answer yet does not stop the listener: it answers 451 until the database does.
    """
    hostname = socket.getfqdn()
    handler = InboundHandler(app, hostname)
    try:
        handler.size_limit = handler.in_app(max_message_bytes)
    except SQLAlchemyError as exc:
        log.warning("mail listener: the database does not answer (%s); mail gets 451 until it does", exc)
    controller = MailController(handler, hostname=host, port=port, server_hostname=hostname)
    controller.start()
    return controller


def serve(app: Flask, host: str, port: int, ready: Callable[[MailController], None]) -> None:
    """Listen until SIGTERM or Ctrl-C (SIGINT), then stop. A delivery cut off mid-way gets no 250: its sender
    tries again, and a message already stored is recognised as the same one."""
    controller = start(app, host, port)
    stopping = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        ready(controller)
        while not stopping.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
        signal.signal(signal.SIGTERM, previous)
