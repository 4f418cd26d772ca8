"""Email: rendered and stored in the request's transaction, delivered later by the worker.

A request never waits on SMTP, and a mail server outage only delays delivery: the
mail.send job retries with backoff until the server answers. Without HORSESHOE_MAIL_SERVER
(`make run`, a laptop) nothing is sent: the worker writes each email to its log, once, and the
job succeeds, so sign-up confirmation and reset links can still be followed.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import parseaddr

from flask import current_app, render_template
from sqlalchemy import update

from forum.core import clock, outbox
from forum.core.extensions import db
from forum.core.settings import Settings
from forum.models import OutboundEmail

SEND_JOB = "mail.send"

log = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    """A link for emails, built from the configured base URL (no request needed)."""
    return current_app.config["HORSESHOE"].base_url.rstrip("/") + path


def queue_email(to_address: str, subject: str, template: str, **context) -> OutboundEmail:
    """Render email/<template>.txt and .html and queue them for delivery.

    A context value "unsubscribe" (a URL) also becomes the one-click List-Unsubscribe header.
    """
    email = OutboundEmail(
        to_address=to_address,
        subject=" ".join(subject.split())[:200],  # no line breaks in a header
        text_body=render_template(f"email/{template}.txt", **context),
        html_body=render_template(f"email/{template}.html", **context),
        unsubscribe_url=context.get("unsubscribe"),
        created_at=clock.now(),
    )
    db.session.add(email)
    db.session.flush()
    outbox.enqueue(SEND_JOB, {"id": email.id})
    return email


def send_email_job(payload: dict) -> None:
    """Deliver one stored email over SMTP, or to the log without a server; idempotent (a sent email is not sent again).

    The database transaction ends before SMTP starts: a slow mail server must never hold
    SQLite's write lock (or a PostgreSQL row lock) while the site waits.
    """
    email = db.session.get(OutboundEmail, payload["id"])
    if email is None or email.sent_at is not None:
        db.session.commit()
        return
    message = _message(email)
    email_id = email.id
    db.session.commit()  # end the read transaction before any network I/O
    settings = current_app.config["HORSESHOE"]
    if settings.mail_server:
        with smtplib.SMTP(settings.mail_server, settings.mail_port, timeout=15) as smtp:
            smtp.send_message(message)
    else:
        _write_to_log(message)
    db.session.execute(
        update(OutboundEmail).where(OutboundEmail.id == email_id, OutboundEmail.sent_at.is_(None))
        .values(sent_at=clock.now())
    )
    db.session.commit()


def delivery_mode(settings: Settings) -> str:
    """One line for start-up logs: where the worker delivers mail."""
    if settings.mail_server:
        return f"Mail: delivered through the SMTP server at {settings.mail_server}:{settings.mail_port}."
    return ("Mail: no HORSESHOE_MAIL_SERVER set, so no email is sent: the worker prints each one to its "
            "console instead.")


def announce_delivery(settings: Settings) -> None:
    """Say once, at start-up, where mail goes (visible where INFO logs are shown: the worker, `flask run --debug`)."""
    log.info("%s", delivery_mode(settings))


def _write_to_log(message: EmailMessage) -> None:
    """The console backend: the whole email in one log record, instead of an SMTP delivery."""
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content().rstrip() if body is not None else ""
    log.info("Email not sent (no HORSESHOE_MAIL_SERVER), printed here instead:\nTo: %s\nSubject: %s\n\n%s\n",
             message["To"], message["Subject"], text)


def _message(email: OutboundEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["HORSESHOE"].mail_sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Message-ID"] = message_id(email)
    if email.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(email.text_body)
    if email.html_body:
        message.add_alternative(email.html_body, subtype="html")
    return message


def message_id(email: OutboundEmail) -> str:
    """A Message-ID derived from the stored email, the same on every attempt.

    SMTP cannot be exactly-once: a worker killed after the server's 250 but before sent_at is
    committed sends the email again. The stable id lets mail systems (and people) drop that copy.
    """
    domain = parseaddr(current_app.config["HORSESHOE"].mail_sender)[1].rpartition("@")[2] or "horseshoe.local"
    return f"<email-{email.id}.{int(email.created_at.timestamp())}@{domain}>"
