"""The helpful bounce: why an email was not posted, in plain words, and what the sender can do instead.

A refusal marks the InboundMail REFUSED and queues one email to the sender. It never answers an
automatic message, an empty or unreadable sender, or one of our own addresses (a loop), and it
answers at most REFUSALS_PER_HOUR refusals per sender address an hour: someone forging a flood of
mail with a victim's address as the sender must not turn Horseshoe into a spam cannon aimed at them.
The bounce itself is marked as an automatic reply, so a well-behaved mail system never answers it.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta

from sqlalchemy import func, select

from forum.core import clock, i18n
from forum.core.errors import AccountSuspended, DomainError, EmailNotVerified, Forbidden, Invalid, NotFound
from forum.core.extensions import db
from forum.core.i18n import _, _l, lazy_ngettext
from forum.mail import addresses, sending
from forum.mail.message import InboundMessage
from forum.models import InboundMail, InboundStatus, User

TEMPLATE = "mail_refused"
log = logging.getLogger(__name__)
REFUSALS_PER_HOUR = 5
# Forged mail names its victim as the sender: past this many refusals an hour, site-wide, Horseshoe stops
# answering refusals at all until the flood passes, so it never becomes a spam cannon aimed at someone.
SITE_REFUSALS_PER_HOUR = 200
_UNLISTED = _l("Your email could not be posted. Please post on the website instead.")
LazyText = type(_UNLISTED)  # a lazy string (_l): translated each time it is read
_LINKED_FIELDS = ("user_id", "category_id", "thread_id", "post_id", "case_message_id", "conversation_message_id")

# reason → what the sender reads: what happened and what to do. %(placeholders)s come from refuse()'s context
# (a missing one reads as nothing). Other handlers add their reasons here.
REASONS: dict[str, LazyText] = {
    "too_large": _l("Your email is larger than the %(max_mb)s MB this community accepts, attachments included. Send "
                    "the words on their own, or post on the website and attach the files there."),
    "too_long": _l("Your email's words are longer than the %(max_kb)s KB a post can hold, so nothing was posted. "
                   "Shorten them and send your email again, or post on the website and attach the rest as a file."),
    "forged_key": _l("The address you replied to was changed, so we cannot tell what it answers. Reply to the "
                     "notification email without editing its address, or answer on the website."),
    "expired_key": _l("The address you replied to has expired: reply addresses work for %(days)s days after the "
                      "notification was sent. Answer on the website, or reply to a newer notification."),
    "unknown_key": _l("The address you replied to does not belong to any notification we sent, or what it was about "
                      "no longer exists. Answer on the website instead."),
    "wrong_sender": _l("Replies to this address are accepted only from the address the notification was sent to. "
                       "Reply from that address, or sign in on the website and answer there."),
    "suspended": _l("Your account is suspended, so it cannot post or send messages for now. You can still sign in "
                    "to read, and to see why and until when."),
    "unverified": _l("Your email address is not confirmed yet. Sign in and confirm your email first (the link is in "
                     "the email we sent when you signed up), then send your email again."),
    "locked": _l("This thread is locked: nobody can reply to it any more. You can still read it on the website."),
    "not_allowed": _l("You can no longer reply here: it was removed or made private, or you are no longer part of "
                      "the conversation."),
    "blocked": _l("The person you answered has chosen not to receive messages from you, so yours was not delivered."),
    "rate_limited": _l("You are sending more than this community allows in a short time. Please try again in "
                       "%(wait)s."),
    "personal_data": _l("Your email looks like it holds personal details, and everything posted on the thread is "
                        "public, so we did not post it. Answer on the website instead: there you can send the details "
                        "privately to the support team, or post them anyway."),
    "rejected": _l("Your message was not posted because of what it contains. Change it and send it again, or post "
                   "on the website, where the form shows what to change."),
    "empty": _l("Your email had no words of its own once the quoted text and signature were taken away, so there "
                "was nothing to post. Write your answer above the quoted text and send it again."),
    "case_closed": _l("This support case is closed, so your email was not added to it. For more help, ask on the "
                      "thread."),
    "empty_question": _l("Your email had no words of its own once its signature was taken away, so there was no "
                         "question to post. Write your question in the email and send it again."),
    "reply_off": _l("This community does not take replies by email. Please answer on the website instead."),
    "unknown_address": _l("Nobody here receives mail at %(address)s. To answer a notification, reply to its email; to "
                          "ask a question, write to one of the addresses below or post on the website."),
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def sentence(reason: str, **context) -> str:
    """What the sender reads for reason, its placeholders filled from context, in the language being written.

    A reason missing from REASONS is a bug, but not the sender's: they still get a bounce, and the job does not
    fail (a failing job is retried until it is dead, and the mail would wait unanswered).
    """
    if reason not in REASONS:
        log.warning("refusal reason %r has no sentence in forum.mail.refusals.REASONS", reason)
    return str(REASONS.get(reason, _UNLISTED)) % _Blank(context)


def reason_for(error: DomainError) -> str:
    """The refusal a domain error from a service stands for, when a handler did not expect it."""
    if isinstance(error, AccountSuspended):
        return "suspended"
    if isinstance(error, EmailNotVerified):
        return "unverified"
    if isinstance(error, NotFound | Forbidden):
        return "not_allowed"
    if error.status == 429:
        return "rate_limited"
    return "rejected"


def detail_for(error: DomainError) -> str:
    """What the web form would have said: every message of an Invalid, once each; else the error's detail."""
    if isinstance(error, Invalid) and error.errors:
        return " ".join(dict.fromkeys(line for lines in error.errors.values() for line in lines))
    return error.detail


def refuse(message: InboundMessage, mail: InboundMail, reason: str, **context) -> None:
    """Mark mail REFUSED with the reason in words and queue one bounce to the sender; the caller commits.

    Context fills the reason's placeholders and the email: link (a path or URL to act on the website),
    link_label, detail (one more sentence, e.g. what the content checks said), and any of the mail's own
    fields (user_id, thread_id...) to record what the message was about.
    """
    for field in _LINKED_FIELDS:
        if context.get(field) is not None:
            setattr(mail, field, context[field])
    with i18n.reading_as(None):  # the record staff read is English; the bounce is in its reader's language
        words = sentence(reason, **context)
    unanswered = why_not_answered(message, mail)
    if unanswered is None and not _queue_bounce(message, mail, reason, context):
        unanswered = "mail to this address keeps bouncing"
    note = "A bounce was sent." if unanswered is None else f"No bounce sent: {unanswered}."
    detail = context.get("detail")
    mail.settle(InboundStatus.REFUSED, " ".join(part for part in (words, detail and f"({detail})", note) if part))


def record_message(mail: InboundMail, message: InboundMessage) -> None:
    """What every handled mail keeps of its message: sender, subject, Message-ID and the words kept."""
    mail.from_address = message.from_address[:254]
    mail.subject = " ".join(message.subject.split())[:200]
    mail.message_id = message.message_id[:255]
    mail.body_text = message.text


def refuse_afresh(message: InboundMessage, mail: InboundMail, reason: str, **context) -> None:
    """Refuse after a service failed mid-way: drop everything it left uncommitted, then refuse as usual.

    What was committed before (a handled status) stands: the mail is then left as it is.
    """
    db.session.rollback()
    if mail.status != InboundStatus.RECEIVED.value:
        return
    record_message(mail, message)
    refuse(message, mail, reason, **context)


def refuse_error(message: InboundMessage, mail: InboundMail, error: DomainError, **context) -> None:
    """refuse_afresh for a service's domain error: its reason (reason_for) and what it said (detail_for)."""
    refuse_afresh(message, mail, reason_for(error), detail=detail_for(error), **context)


def why_not_answered(message: InboundMessage, mail: InboundMail) -> str | None:
    """Why no bounce may go to this sender (in words), or None when one may."""
    sender = message.from_address
    if not sender or "@" not in sender:
        return "the sender's address is missing or unreadable"
    if message.automatic:
        return f"an automatic message ({message.automatic}) is never answered"
    if addresses.is_site_address(sender):
        return "the sender is one of this site's own addresses"
    if _recent_refusals(sender, mail) >= REFUSALS_PER_HOUR:
        return f"{REFUSALS_PER_HOUR} refusals went to this sender in the past hour already"
    if _recent_refusals(None, mail) >= SITE_REFUSALS_PER_HOUR:
        return f"more than {SITE_REFUSALS_PER_HOUR} messages were refused in the past hour, so none is answered"
    return None


def _recent_refusals(sender: str | None, mail: InboundMail) -> int:
    """Refusals in the past hour: to this sender, counting its plus-addressed variants as one mailbox
    (victim+1@, victim+2@ … reach the same person), or site-wide when sender is None."""
    since = clock.now() - timedelta(hours=1)
    refused = select(func.count(InboundMail.id)).where(
        InboundMail.status == InboundStatus.REFUSED.value, InboundMail.received_at >= since,
        InboundMail.processed_at >= since, InboundMail.id != mail.id)
    if sender is not None:
        refused = refused.where(addresses.same_mailbox(InboundMail.from_address, sender))
    return db.session.scalar(refused)


def _queue_bounce(message: InboundMessage, mail: InboundMail, reason: str, context: dict) -> bool:
    """Queue the bounce, in the language of the member who sent it when the mail names one (else English);
    False when sending left it out (an address whose mail keeps bouncing)."""
    link = context.get("link")
    if link and link.startswith("/"):
        link = sending.absolute_url(link)
    reader = db.session.get(User, mail.user_id) if mail.user_id is not None else None
    with i18n.reading_as(getattr(reader, "language", None), getattr(reader, "time_zone", None)):
        words, subject = sentence(reason, **context), message.subject or _("(no subject)")
    return sending.queue_email(
        message.from_address, _l("Not posted: %(subject)s", subject=subject), TEMPLATE, reader=reader,
        answering=message.message_id,  # Auto-Submitted: auto-replied, and In-Reply-To their message
        name=message.from_name, their_subject=subject, reason=words, detail=context.get("detail") or "",
        link=link, link_label=context.get("link_label") or _l("Open it on the website"),
        addresses=context.get("addresses") or [],
    ) is not None


def wait_in_words(seconds: int) -> LazyText:
    """A wait as people say it: "10 seconds", "3 minutes", "2 hours" (lazy: in the language it is read in)."""
    if seconds >= 3600:
        return lazy_ngettext("%(num)d hour", "%(num)d hours", math.ceil(seconds / 3600))
    if seconds >= 60:
        return lazy_ngettext("%(num)d minute", "%(num)d minutes", math.ceil(seconds / 60))
    return lazy_ngettext("%(num)d second", "%(num)d seconds", seconds)
