"""Every email that reaches Horseshoe comes in here, from any of the three ways in.

`receive` stores the raw message and queues it (mail.process_inbound) in one short transaction, so
the SMTP listener, the pipe command and the provider webhook answer at once and nothing received is
lost if handling fails: the worker retries it. A message already received (same bytes: a mail server
retrying, a webhook replayed) is not stored again; `Received.duplicate` says so.

`process_inbound_job` then decides what the message is, in this order: too large (bounced); an
automatic message (auto-reply, bulk, or one of our own: ignored, never answered); a delivery report to a
bounce address (counted, forum.mail.bounces); mail to a reply address (forum.mail.replies); mail to a
category's address (forum.mail.questions); anything else gets a bounce naming the addresses that work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forum.core import clock, outbox
from forum.core.extensions import db
from forum.models import InboundChannel, InboundMail, InboundStatus

PROCESS_JOB = "mail.process_inbound"


@dataclass(frozen=True)
class Received:
    mail: InboundMail
    duplicate: bool


def receive(raw: bytes, channel: InboundChannel, envelope_recipients: Sequence[str] = ()) -> Received:
    """Store one raw RFC 5322 message and queue its handling; commits. Duplicates are found by digest.

    envelope_recipients (SMTP's RCPT TO, a pipe's recipient argument) come first when the message is
    read: Bcc'd and forwarded mail carries its real recipient only there.
    """
    digest = hashlib.sha256(raw).hexdigest()
    existing = db.session.scalar(select(InboundMail).where(InboundMail.digest == digest))
    if existing is not None:
        db.session.commit()
        return Received(existing, duplicate=True)
    mail = InboundMail(digest=digest, channel=channel.value, raw=raw, received_at=clock.now(),
                       to_address=",".join(envelope_recipients)[:254], status=InboundStatus.RECEIVED.value)
    try:
        with db.session.begin_nested():
            db.session.add(mail)
            db.session.flush()
    except IntegrityError:  # the same message, received at the same moment by another process
        db.session.rollback()
        return Received(db.session.scalar(select(InboundMail).where(InboundMail.digest == digest)), duplicate=True)
    outbox.enqueue(PROCESS_JOB, {"id": mail.id, "envelope_recipients": list(envelope_recipients)})
    db.session.commit()
    return Received(mail, duplicate=False)
