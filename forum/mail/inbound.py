"""Every email that reaches Horseshoe comes in here, from any of the three ways in.

`receive` stores the raw message and queues it (mail.process_inbound) in one short transaction, so
the SMTP listener, the pipe command and the provider webhook answer at once and nothing received is
lost if handling fails: the worker retries it. A message already received (same bytes: a mail server
retrying, a webhook replayed) is not stored again; `Received.duplicate` says so.

`process_inbound_job` then decides what the message is, in this order: too large (bounced); mail to
one of our bounce addresses (a delivery report is counted, anything else ignored: forum.mail.bounces);
any other automatic message (auto-reply, bulk, mailing list), mail from one of our own addresses, a
category's included, or to a bounce address whose key is not ours (ignored, never answered: no loops);
mail to a reply address (forum.mail.replies, unless mail.reply_by_email is off); mail to a category's
address (forum.mail.questions); anything else gets a bounce naming the addresses that work. Every
refusal is a helpful bounce (forum.mail.refusals), never a post.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forum.core import clock, outbox
from forum.core.errors import DomainError
from forum.core.extensions import db
from forum.core.i18n import _l
from forum.mail import addresses, bounces, parsing, questions, refusals, replies
from forum.mail.message import InboundMessage
from forum.models import Category, InboundChannel, InboundMail, InboundStatus
from forum.services import posting
from forum.services.community_settings import get_setting

PROCESS_JOB = "mail.process_inbound"
MB = 1024 * 1024


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


def process_inbound_job(payload: dict) -> None:
    """Handle one received message (the mail.process_inbound job); commits once, at the end.

    Idempotent: a mail no longer RECEIVED was handled already, and a rerun does nothing. A domain error
    from a handler ends as a refusal (a job retried forever would post twice); anything else propagates
    for the worker to retry, and leaves the mail RECEIVED unless a handler had committed its outcome.
    The message is parsed between two transactions: reading megabytes of MIME takes seconds, and on
    SQLite the worker's transaction holds the database's one write lock the whole time.
    """
    mail = db.session.get(InboundMail, payload["id"])
    raw = mail.raw if mail is not None and mail.status == InboundStatus.RECEIVED.value else None
    # The topmost Authentication-Results is believed (when no authserv-id is configured) only from our own
    # listener, which writes one on top of every message; a pipe or a provider may add none (parsing).
    from_listener = mail is not None and mail.channel == InboundChannel.SMTP.value
    db.session.commit()
    if raw is None:
        return
    message = parsing.parse(raw, payload.get("envelope_recipients") or (), believe_topmost=from_listener)
    if mail.status != InboundStatus.RECEIVED.value:  # handled meanwhile: a second run of the job, its lease lapsed
        db.session.commit()
        return
    refusals.record_message(mail, message)
    try:
        route(message, mail)
    except DomainError as error:
        refusals.refuse_error(message, mail, error)
    _settle(mail)
    db.session.commit()


def route(message: InboundMessage, mail: InboundMail) -> None:
    """Decide what the message is, in the order of this module's docstring, and hand it to its handler."""
    max_mb = get_setting("mail.max_message_mb")
    if message.size > max_mb * MB:
        refusals.refuse(message, mail, "too_large", max_mb=f"{max_mb:g}")
        return
    email_id = _bounced_email_id(message)
    if email_id is not None:
        bounces.record_report(message, email_id, mail)
        if mail.status == InboundStatus.RECEIVED.value:
            _mark(mail, InboundStatus.BOUNCE, "A delivery report about an email this site sent; counted.")
        return
    why = _never_answered(message)
    if why:
        _mark(mail, InboundStatus.IGNORED, f"Ignored: {why} is never answered.")
        return
    for recipients in _addressed_to(message):
        reply_to = next((address for address in recipients if addresses.is_reply_address(address)), None)
        if reply_to is not None:
            if not _too_long(message, mail):
                _reply(message, mail, reply_to)
            return
        category = _category_for(recipients)
        if category is not None:
            mail.category_id = category.id
            if not _too_long(message, mail):
                questions.handle(message, category, mail)
            return
    refusals.refuse(message, mail, "unknown_address", address=", ".join(message.recipients) or _l("that address"),
                    addresses=_category_addresses())


def _addressed_to(message: InboundMessage) -> tuple[tuple[str, ...], ...]:
    """Where to look for the address the message is for: the envelope's recipients on their own first, then all.

    A mail server's pipe delivers one copy per recipient (README): each copy is for its envelope recipient, so the
    copy for a category's address is mail to the category even when its To: names a reply address, whose own copy
    is the reply (else both copies post it). Mail forwarded to Horseshoe names the category only in To: or Cc:.
    """
    envelope = message.envelope_recipients
    return (envelope, message.recipients) if envelope else (message.recipients,)


def _too_long(message: InboundMessage, mail: InboundMail) -> bool:
    """Refuse words no post or message can hold (64 KB), before anything reads them all: the content checks and
    the personal-data guard take seconds a megabyte, and a held question's are read again on each view of its
    confirmation page. True once refused."""
    if len(message.text.encode("utf-8")) <= posting.MAX_BODY_BYTES:
        return False
    refusals.refuse(message, mail, "too_long", max_kb=f"{posting.MAX_BODY_BYTES // 1024}")
    return True


def _reply(message: InboundMessage, mail: InboundMail, address: str) -> None:
    if not get_setting("mail.reply_by_email"):
        refusals.refuse(message, mail, "reply_off")
        return
    days = get_setting("mail.reply_key_days")
    try:
        key = addresses.parse_reply_key(addresses.detail_of(address, addresses.mailbox()[0]), days)
    except addresses.BadKey as bad:
        refusals.refuse(message, mail, f"{bad.reason}_key", days=days)
        return
    replies.handle(message, key, mail)


def _bounced_email_id(message: InboundMessage) -> int | None:
    """The email whose bounce address (key checked) the message was sent to; None for anything else.

    Whether it is a delivery report that counts is forum.mail.bounces' to decide: only mail servers write
    there, and a bounce that is not a standard report is still ignored, never answered.
    """
    for address in message.recipients:
        if addresses.is_bounce_address(address):
            try:
                return addresses.parse_bounce_key(addresses.detail_of(address, "bounces"))
            except addresses.BadKey:
                continue
    return None


def _never_answered(message: InboundMessage) -> str:
    """Why this message must get no answer (loops), in words; "" for mail a person may be answered about.

    Mail to a bounce address whose key is not ours is one: only mail servers write there, and a bounce
    answered by a bounce goes round for ever.
    """
    if message.automatic:
        return f"an automatic message ({message.automatic})"
    if message.from_address and addresses.is_site_address(message.from_address):
        return "mail from our own address"
    if any(addresses.is_bounce_address(address) for address in message.recipients):
        return "mail to a bounce address"
    return ""


def _category_for(recipients: Sequence[str]) -> Category | None:
    """The category whose address comes first among the recipients (addresses are stored lowercase)."""
    if not recipients:
        return None
    statement = select(Category).where(Category.email_address.in_(recipients))
    found = {category.email_address: category for category in db.session.scalars(statement)}
    return next((found[address] for address in recipients if address in found), None)


def _category_addresses() -> list[str]:
    return list(db.session.scalars(select(Category.email_address).where(Category.email_address.is_not(None))
                                   .order_by(Category.position, Category.name)))


def _mark(mail: InboundMail, status: InboundStatus, outcome: str) -> None:
    mail.status = status.value
    mail.outcome = outcome[:300]


def _settle(mail: InboundMail) -> None:
    """Every handled mail says when, and keeps its raw bytes only while it waits for confirmation (PENDING)."""
    if mail.status == InboundStatus.RECEIVED.value:  # a handler returned without deciding: never run it again
        _mark(mail, InboundStatus.IGNORED, "Not handled: no part of Horseshoe took this message.")
    if mail.processed_at is None:
        mail.processed_at = clock.now()
    if mail.status != InboundStatus.PENDING.value:
        mail.raw = None
