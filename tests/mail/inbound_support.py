"""Real emails for the inbound tests: messages built as a mail client writes them, received and handled.

`deliver` receives a message as the SMTP listener does (forum.mail.inbound.receive) and lets the worker
handle it, as `flask --app wsgi worker` would; `bounces_to` reads the helpful bounces queued for a sender.
"""

from __future__ import annotations

import itertools
from email.message import EmailMessage

from sqlalchemy import select

from forum.core import worker
from forum.core.extensions import db
from forum.mail import addresses, inbound, refusals
from forum.models import InboundChannel, InboundMail, OutboundEmail, User

_numbers = itertools.count(1)
QUOTE_HEADER = "On Fri, 20 Nov 2026 at 09:00, Horseshoe <horseshoe@horseshoe.local> wrote:"
QUOTED = "Bea replied to “Connection drops every evening”:\nHave you tried restarting it?"


def email(sender: str, to: str, text: str, *, subject: str = "Re: Connection drops every evening",
          quoted: str = QUOTED, headers: dict[str, str] | None = None,
          attachments: list[tuple[str, str, bytes]] = ()) -> bytes:
    """An answer as a mail client writes it: the new words on top, the email answered quoted below.

    attachments: (file name, MIME type, bytes).
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<reply-{next(_numbers)}@mail.example.com>"
    message["Date"] = "Fri, 20 Nov 2026 09:05:00 +0000"
    for name, value in (headers or {}).items():
        message[name] = value
    quote = "\n".join(f"> {line}" for line in quoted.splitlines())
    message.set_content(f"{text}\n\n{QUOTE_HEADER}\n{quote}\n" if quoted else f"{text}\n")
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message)


def thread_address(user: User, thread_id: int, answers_id: int = 0) -> str:
    return addresses.reply_address(addresses.reply_key(user.id, "t", thread_id, answers_id))


def conversation_address(user: User, conversation_id: int, answers_id: int = 0) -> str:
    return addresses.reply_address(addresses.reply_key(user.id, "m", conversation_id, answers_id))


def deliver(raw: bytes, to: str) -> InboundMail:
    """Receive one message through the SMTP way in, run the worker's jobs, and return what became of it."""
    received = inbound.receive(raw, InboundChannel.SMTP, [to])
    worker.run_until_empty()
    db.session.expire_all()
    return db.session.get(InboundMail, received.mail.id)


def bounces_to(address: str) -> list[OutboundEmail]:
    """The helpful bounces queued for address, oldest first."""
    return list(db.session.scalars(select(OutboundEmail).where(
        OutboundEmail.to_address == address, OutboundEmail.html_body.contains("did not post it"))
        .order_by(OutboundEmail.id)))


def says(bounce: OutboundEmail, reason: str, **context) -> bool:
    """Whether the bounce gives the reason's sentence, as the sender reads it."""
    return refusals.sentence(reason, **context) in " ".join(bounce.text_body.split())
