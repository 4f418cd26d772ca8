"""Mail out, as the SMTP sink received it, and delivery reports about it as a mail server writes them.

`sent_to` pairs each message the sink received for an address with its SMTP envelope (the return path
is the envelope's MAIL FROM); `delivery_report` builds an RFC 3464 multipart/report about one of those
messages, as Postfix would send it back to that return path.
"""

from __future__ import annotations

import itertools
from email.message import EmailMessage

from forum.core.extensions import db
from forum.mail import inbound
from forum.models import InboundChannel, InboundMail
from tests.support.smtp import Envelope, SmtpSink

BADGE_SUBJECT = "You earned a badge"  # the worker grants badges while it runs the notification jobs
_numbers = itertools.count(1)


def sent_to(smtp_server: SmtpSink, address: str) -> list[tuple[EmailMessage, Envelope]]:
    """The messages for address (badge emails left out), each with its SMTP envelope, in arrival order."""
    return [(message, envelope) for message, envelope in zip(smtp_server.messages, smtp_server.envelopes, strict=True)
            if address in envelope.rcpt_tos and message["Subject"] != BADGE_SUBJECT]


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def delivery_report(return_path: str, recipient: str, original: EmailMessage, *, status: str = "5.1.1",
                    action: str = "failed") -> bytes:
    """A multipart/report (RFC 3464) to return_path saying delivery of original to recipient failed (5.x.x), or
    was delayed (action="delayed", status 4.x.x); the original's headers come back in it, as Postfix sends them."""
    boundary = f"report-boundary-{next(_numbers)}"
    diagnostic = ("550 5.1.1 <{0}>: Recipient address rejected: User unknown" if status.startswith("5")
                  else "451 4.4.1 Connection timed out while talking to mx.{1}").format(recipient,
                                                                                          recipient.split("@")[1])
    headers = "".join(f"{name}: {value}\n" for name, value in original.items())
    report = f"""\
Return-Path: <>
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: {return_path}
Subject: Undelivered Mail Returned to Sender
Date: Fri, 20 Nov 2026 09:30:00 +0000
Message-ID: <dsn-{next(_numbers)}@mx.example.net>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"

--{boundary}
Content-Type: text/plain; charset=utf-8

This is the mail system at host mx.example.net.

I'm sorry to have to inform you that your message could not be delivered to one or more recipients.

<{recipient}>: {diagnostic}

--{boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Arrival-Date: Fri, 20 Nov 2026 09:29:58 +0000

Final-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {diagnostic}

--{boundary}
Content-Type: text/rfc822-headers

{headers}
--{boundary}--
"""
    return report.replace("\n", "\r\n").encode()


def receive(raw: bytes, to: str, run_jobs) -> InboundMail:
    """Receive one message for `to` as the SMTP listener does, let the worker handle it, and return the record."""
    received = inbound.receive(raw, InboundChannel.SMTP, [to])
    run_jobs()
    db.session.expire_all()
    return db.session.get(InboundMail, received.mail.id)
