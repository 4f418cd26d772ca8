"""Email out: rendered and stored in the caller's transaction, delivered later by the worker.

A request never waits on SMTP. The mail.send job delivers one stored email; when the mail server refuses
it or cannot be reached, the job fails and the worker retries it with exponential backoff and jitter, up
to the job's max attempts (8, forum.core.outbox). Then the job goes dead and the email shows on the admin
"Delivery problems" page (forum.mail.delivery_problems), where staff resend or discard it; nothing is
lost quietly. Without HORSESHOE_MAIL_SERVER (`make run`, a laptop) nothing is sent: the worker writes
each email to its log, once, and the job succeeds, so sign-up confirmation and reset links can still be
followed.

What mail clients and mail servers are told, and why:
- Message-ID, the same on every attempt; In-Reply-To and References pointing at one synthetic root per
  thread, case or conversation (`<thread-42@domain>`), with a subject that stays the same (the
  notifications choose it), so every email about one thread is one conversation in Gmail, Outlook or
  Apple Mail.
- Reply-To: the recipient's own signed reply address (forum.mail.addresses), on notifications where
  answering by email makes sense (`reply_address_for`).
- Auto-Submitted (RFC 3834: auto-generated, or auto-replied for an answer to a message received) and
  X-Auto-Response-Suppress, so out-of-office replies and read receipts do not write back.
- The envelope sender bounces+<email id>-<mac>@domain (VERP): a delivery report comes back naming the
  email, and so the address, that bounced (forum.mail.bounces counts it). The From header stays
  HORSESHOE_MAIL_SENDER.
Mail to an address whose mail kept bouncing is not queued at all, unless it is essential (sign-in,
security and the member's own data: `essential=True`).
"""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app, render_template
from sqlalchemy import update

from forum.core import clock, i18n, outbox
from forum.core.extensions import db
from forum.core.i18n import _
from forum.core.settings import Settings
from forum.mail import addresses, bounces
from forum.models import Notification, NotificationKind, OutboundEmail, User
from forum.services import community_settings

SEND_JOB = "mail.send"
# app.extensions key of forum.mail.case_replies.reply_target, put there by forum.mail.init_app: case
# replies import the case desk, which imports the notifications that import this module.
CASE_TARGET = "horseshoe.mail.case_target"
CaseTarget = Callable[[Notification], tuple[int, int] | None]
_THREAD_REF = re.compile(r"[a-z]+-\d{1,12}")
# Notifications about a thread that a reply by email answers well, as a post on it.
REPLYABLE_THREAD_KINDS = frozenset({
    NotificationKind.REPLY, NotificationKind.MENTION, NotificationKind.QUOTE, NotificationKind.NEW_QUESTION,
    NotificationKind.NEEDS_INFO, NotificationKind.REMINDER, NotificationKind.FEEDBACK_REQUEST,
})
# Notifications that carry their thread's References, so mail clients that thread by them (Apple Mail,
# Thunderbird, Outlook) group them; only the replyable ones take the thread's subject too (Gmail also
# compares subjects): an accepted answer says so in its own. Moderation notices, merges and incident
# alerts stay apart altogether: news about the thread, not part of its talk.
THREADED_KINDS = REPLYABLE_THREAD_KINDS | {NotificationKind.ACCEPTED, NotificationKind.VOTES}

log = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    """A link for emails, built from the configured base URL (no request needed)."""
    return current_app.config["HORSESHOE"].base_url.rstrip("/") + path


def queue_email(to_address: str, subject: str, template: str, *, reply_to: str | None = None,
                thread_ref: str | None = None, answering: str | None = None, essential: bool = False,
                suppression_checked: bool = False, reader: User | None = None, **context) -> OutboundEmail | None:
    """Render email/<template>.txt and .html and queue them for delivery; None when not queued.

    Not queued: non-essential mail to an address whose mail kept bouncing (forum.mail.bounces), so
    callers of non-essential mail must accept None. essential=True is for mail the member asked for or
    must see (password reset, address confirmation, second factor, account deletion, their data export).
    suppression_checked: the caller already left such addresses out (bounces.suppressed_among, for a batch).
    thread_ref ("thread-42", "case-7", "conversation-3") threads every email about one thing as one
    conversation; answering is the Message-ID of a received email this one automatically answers (a
    refusal, a confirmation request: "" when it had none), which makes it Auto-Submitted: auto-replied.
    A context value "unsubscribe" (a URL) also becomes the one-click List-Unsubscribe header.
    The subject (a lazy string, `_l`) and bodies are written in the reader's language and time zone: reader,
    else the context's "user" (most mail is to the member it is about), else English and UTC.
    """
    if not (essential or suppression_checked) and bounces.is_suppressed(to_address):
        log.info("Not emailing %s (%s): its mail keeps bouncing.", to_address, template)
        return None
    in_reply_to, references = _threading(thread_ref, answering)
    reader = reader or context.get("user")
    with i18n.reading_as(getattr(reader, "language", None), getattr(reader, "time_zone", None)):
        subject = " ".join(str(subject).split())[:200]  # no line breaks in a header
        text_body = render_template(f"email/{template}.txt", **context)
        html_body = render_template(f"email/{template}.html", **context)
    email = OutboundEmail(
        to_address=to_address,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        unsubscribe_url=context.get("unsubscribe"),
        created_at=clock.now(),
        reply_to=reply_to,
        in_reply_to=in_reply_to,
        references=references,
        essential=essential,
    )
    db.session.add(email)
    db.session.flush()
    outbox.enqueue(SEND_JOB, {"id": email.id})
    return email


def _threading(thread_ref: str | None, answering: str | None) -> tuple[str | None, str]:
    """In-Reply-To and References as stored: the thread's synthetic root, or the message answered."""
    if thread_ref is not None and answering is not None:
        raise ValueError("an email follows a thread or answers a received message, not both")
    if thread_ref is not None:
        if not _THREAD_REF.fullmatch(thread_ref):
            raise ValueError(f"thread_ref {thread_ref!r} is not like 'thread-42'")
        root = thread_root(thread_ref)
        return root, root
    if answering is not None:
        answered = "".join(answering.split())
        answered = answered if answered.startswith("<") and answered.endswith(">") and len(answered) <= 300 else ""
        return answered, answered  # "" still marks the email as an answer (auto-replied), without the header
    return None, ""


def thread_root(thread_ref: str) -> str:
    """The Message-ID every email about one thread, case or conversation follows; no email has it itself."""
    return f"<{thread_ref}@{addresses.sender_domain()}>"


def _is_thread_root(message_id: str) -> bool:
    local, _at, domain = message_id.strip("<>").rpartition("@")
    return domain == addresses.sender_domain() and bool(_THREAD_REF.fullmatch(local))


@dataclass(frozen=True)
class MailThread:
    """Where a notification's email belongs in its reader's mail client, and where a reply to it goes."""

    ref: str | None  # "thread-42", "case-7", "conversation-3"; None: an email of its own
    reply_to: str | None  # the recipient's signed reply address; None when off, or when a reply makes no sense
    answer_on: str = ""  # "thread", "case" or "conversation": what a reply becomes part of

    @property
    def reply_hint(self) -> str:
        """The line the email shows when replying to it works; "" when it does not."""
        if self.reply_to is None:
            return ""
        if self.answer_on == "conversation":
            return _("Reply to this email to answer in the conversation.")
        if self.answer_on == "case":
            return _("Reply to this email to answer on the case.")
        return _("Reply to this email to answer on the thread.")


def mail_thread_for(notification: Notification) -> MailThread:
    """The thread reference and reply address of one notification's email (see reply_address_for)."""
    kind = notification.kind
    if kind == NotificationKind.MESSAGE.value and notification.conversation_id is not None:
        conversation_id = notification.conversation_id
        return _mail_thread(notification, "m", conversation_id, 0, f"conversation-{conversation_id}")
    if kind == NotificationKind.CASE_UPDATE.value:
        case_target: CaseTarget | None = current_app.extensions.get(CASE_TARGET)
        target = case_target(notification) if case_target is not None else None
        if target is None:
            return MailThread(None, None)
        return _mail_thread(notification, "c", target[0], target[1], f"case-{target[0]}")
    if kind in THREADED_KINDS and notification.thread_id is not None:
        ref = f"thread-{notification.thread_id}"
        if kind not in REPLYABLE_THREAD_KINDS:
            return MailThread(ref, None)
        return _mail_thread(notification, "t", notification.thread_id, notification.post_id or 0, ref)
    return MailThread(None, None)


def _mail_thread(notification: Notification, kind: str, target_id: int, answers_id: int, ref: str) -> MailThread:
    if not community_settings.cached_setting("mail.reply_by_email"):
        return MailThread(ref, None)
    key = addresses.reply_key(notification.user_id, kind, target_id, answers_id)
    return MailThread(ref, addresses.reply_address(key), addresses.REPLY_KINDS[kind])


def reply_address_for(notification: Notification) -> str | None:
    """The recipient's signed reply+ address for this notification's email, or None.

    Thread notifications a post answers (a reply, mention, quote, new question, a request for more
    information or feedback) → kind "t" with the post told of; a private conversation's message → "m";
    a case notification → "c" with the case message it tells of (forum.mail.case_replies.reply_target).
    None for everything else, and for everyone while the setting mail.reply_by_email is off.
    """
    return mail_thread_for(notification).reply_to


def send_email_job(payload: dict) -> None:
    """Deliver one stored email over SMTP, or to the log without a server; idempotent (a sent email is not sent again).

    An email an admin discarded is not sent. The database transaction ends before SMTP starts: a slow mail
    server must never hold SQLite's write lock (or a PostgreSQL row lock) while the site waits.
    """
    email = db.session.get(OutboundEmail, payload["id"])
    if email is None or email.sent_at is not None or email.discarded_at is not None:
        db.session.commit()
        return
    message = _message(email)
    email_id = email.id
    return_path = addresses.bounce_address(email_id)
    db.session.commit()  # end the read transaction before any network I/O
    settings = current_app.config["HORSESHOE"]
    if settings.mail_server:
        with smtplib.SMTP(settings.mail_server, settings.mail_port, timeout=15) as smtp:
            smtp.send_message(message, from_addr=return_path)
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
    reply_to = f"\nReply-To: {message['Reply-To']}" if message["Reply-To"] else ""
    log.info("Email not sent (no HORSESHOE_MAIL_SERVER), printed here instead:\nTo: %s\nSubject: %s%s\n\n%s\n",
             message["To"], message["Subject"], reply_to, text)


def _message(email: OutboundEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["HORSESHOE"].mail_sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Message-ID"] = message_id(email)
    if email.in_reply_to:
        message["In-Reply-To"] = email.in_reply_to
    if email.references:
        message["References"] = email.references
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    message["Auto-Submitted"] = auto_submitted(email)
    message["X-Auto-Response-Suppress"] = "All"  # Exchange and Outlook: no out-of-office or read receipts
    if email.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(email.text_body)
    if email.html_body:
        message.add_alternative(email.html_body, subtype="html")
    return message


def auto_submitted(email: OutboundEmail) -> str:
    """RFC 3834: "auto-replied" for an automatic answer to a message received (it follows that message,
    not one of our thread roots); "auto-generated" for everything else Horseshoe sends."""
    if email.in_reply_to is not None and not _is_thread_root(email.in_reply_to):
        return "auto-replied"
    return "auto-generated"


def message_id(email: OutboundEmail) -> str:
    """A Message-ID derived from the stored email, the same on every attempt.

    SMTP cannot be exactly-once: a worker killed after the server's 250 but before sent_at is
    committed sends the email again. The stable id lets mail systems (and people) drop that copy.
    """
    return f"<email-{email.id}.{int(email.created_at.timestamp())}@{addresses.sender_domain()}>"
