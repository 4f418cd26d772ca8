"""Email: rendered and stored in the request's transaction, delivered later by the worker.

A request never waits on SMTP, and a mail server outage only delays delivery: the
mail.send job retries with backoff until the server answers.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app, render_template

from forum.extensions import db
from forum.jobs import queue
from forum.models import OutboundEmail
from forum.services import clock

SEND_JOB = "mail.send"


def absolute_url(path: str) -> str:
    """A link for emails, built from the configured base URL (no request needed)."""
    return current_app.config["HORSESHOE"].base_url.rstrip("/") + path


def queue_email(to_address: str, subject: str, template: str, **context) -> OutboundEmail:
    """Render email/<template>.txt and .html and queue them for delivery.

    A context value "unsubscribe" (a URL) also becomes the one-click List-Unsubscribe header.
    """
    email = OutboundEmail(
        to_address=to_address,
        subject=subject,
        text_body=render_template(f"email/{template}.txt", **context),
        html_body=render_template(f"email/{template}.html", **context),
        unsubscribe_url=context.get("unsubscribe"),
        created_at=clock.now(),
    )
    db.session.add(email)
    db.session.flush()
    queue.enqueue(SEND_JOB, {"id": email.id})
    return email


def send_email_job(payload: dict) -> None:
    """Deliver one stored email over SMTP; idempotent (a sent email is not sent again)."""
    email = db.session.get(OutboundEmail, payload["id"])
    if email is None or email.sent_at is not None:
        return
    settings = current_app.config["HORSESHOE"]
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    if email.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(email.text_body)
    if email.html_body:
        message.add_alternative(email.html_body, subtype="html")
    with smtplib.SMTP(settings.mail_server, settings.mail_port, timeout=15) as smtp:
        smtp.send_message(message)
    email.sent_at = clock.now()
    db.session.commit()
