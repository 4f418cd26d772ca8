"""Asking as the sender of an email: the question a message asks, and publishing it as its sender.

Shared by the category-address handler (forum.mail.questions, trusted mail) and the confirmation
link (forum.mail.confirmations, all other mail). Publishing goes through
forum.services.posting.start_thread as the sender, so the web's rules all apply: watched words,
the spam score and the new-member sandbox hold or refuse the question, and the web's new-thread
rate limit counts per account (forum.mail.replies.posting_limit).

The question's words are the message's text with quoted text and signature removed
(InboundMessage.text), never its full text: a new question quotes nothing, so the two differ mostly
by the signature, which is where names, phone numbers, postal addresses and legal disclaimers sit,
and a public post should carry none of them. Not even when nothing else is left: a message of only
a signature (or only a forward) is refused as empty, with a bounce asking for the question in the
sender's own words, rather than published as that signature. What the parser keeps is what the
confirmation page shows, so a sender who confirms sees exactly what will be posted. The title is the
subject without Re:/Fwd:, or the first words of the text when the subject is too short for a title
(posting asks for 8 visible characters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from forum import uploads
from forum.accounts import personal_data, personal_data_moves
from forum.core import text
from forum.core.errors import DomainError, Forbidden, Invalid
from forum.core.extensions import db
from forum.core.i18n import _l
from forum.mail import refusals, replies
from forum.mail.message import InboundMessage
from forum.mail.sending import absolute_url, queue_email
from forum.models import Category, InboundMail, InboundStatus, Thread, User
from forum.services import posting, reading
from forum.services.permissions import Restriction, is_suspended, restriction

_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|aw|wg|sv|vs|tr)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_TITLE_FROM_TEXT = 100  # characters of the text a title made from it keeps
MIN_TITLE = 8  # forum.services.posting.check_title's minimum, in visible characters
CLAIM_PATH = "/auth/forgot"  # a staged account is claimed by setting a password (forum.mail.staging)


@dataclass(frozen=True)
class Draft:
    """The question a message asks: its title and body as start_thread takes them."""

    title: str
    body: str

    def personal_data(self) -> list[personal_data.Finding]:
        """What the personal-data guard finds in the title and body (forum.accounts.personal_data)."""
        return [*personal_data.find(self.title), *personal_data.find(self.body)]


@dataclass(frozen=True)
class Outcome:
    """What publishing did: the thread, or (thread None) the refusal reason and its sentence."""

    thread: Thread | None
    refusal: str = ""  # a forum.mail.refusals.REASONS key
    detail: str = ""
    context: dict | None = None  # the reason's placeholders (wait)
    retry_after_s: int | None = None


def draft_of(message: InboundMessage) -> Draft:
    """The title and body a message asks with (the module docstring says why text, not full_text)."""
    body = (message.text or "").strip()
    subject = _REPLY_PREFIX.sub("", " ".join((message.subject or "").split()))
    if text.visible_length(subject) >= MIN_TITLE:
        return Draft(_cut(subject, 200), body)
    return Draft(_cut(" ".join(body.split()), _TITLE_FROM_TEXT) or subject, body)


def _cut(words: str, most: int) -> str:
    """words, at most `most` characters, cut at a space (with an ellipsis) when longer."""
    if len(words) <= most:
        return words
    cut = words[: most - 1].rsplit(" ", 1)[0] or words[: most - 1]
    return cut.rstrip(" ,.;:-") + "…"


def standing_refusal(user: User) -> str | None:
    """Why this account may not ask (a refusals reason), or None.

    A staged account waiting for its owner to prove the address is not refused as unverified: the
    confirmation link is that proof (forum.mail.confirmations).
    """
    if user.anonymized_at is not None:
        return "not_allowed"
    if is_suspended(user):
        return "suspended"
    if restriction(user) is Restriction.UNVERIFIED and user.staged_at is None:
        return "unverified"
    return None


def publish(
    user: User, category: Category, message: InboundMessage, mail: InboundMail, draft: Draft, *, private: bool = False
) -> Outcome:
    """Post the question as user, with its attachments, and record it on mail; commits when posted.

    private: the personal-data guard's second answer, as on the ask page: the public question shows
    the details as removed, and the original goes to the support team in a case. A refusal rolls
    back whatever was started and changes nothing on mail (the caller decides what to tell whom).
    """
    wait = replies.posting_limit(user, "question")
    if wait is not None:
        return Outcome(None, "rate_limited", context={"wait": refusals.wait_in_words(wait)}, retry_after_s=wait)
    skipped: list[str] = []  # attachments the uploads rules refused, named in the outcome
    body = uploads.with_references(user, draft.body, replies.store_attachments(user, message, skipped))
    data = posting.NewThread(category_id=category.id, title=draft.title, body=body)
    mark_posted(mail, draft)  # committed with the thread: a retried job finds it handled, never posts twice
    try:
        if private:
            thread, _case = personal_data_moves.start_thread_privately(user, data)
        else:
            thread = posting.start_thread(user, data)
    except DomainError as exc:
        db.session.rollback()
        return _refused(user, exc)
    record_thread(mail, thread, skipped)
    db.session.commit()
    return Outcome(thread)


def _refused(user: User, exc: DomainError) -> Outcome:
    if isinstance(exc, Invalid):
        sentences = dict.fromkeys(line for lines in exc.errors.values() for line in lines)
        return Outcome(None, "rejected", " ".join(sentences) or exc.detail)
    if isinstance(exc, Forbidden):
        return Outcome(None, standing_refusal(user) or refusals.reason_for(exc), exc.detail)
    return Outcome(None, refusals.reason_for(exc), exc.detail)


def mark_posted(mail: InboundMail, draft: Draft) -> None:
    """The mail becomes a question: set before posting commits, so both are committed together."""
    mail.body_text = draft.body
    mail.settle(InboundStatus.POSTED, "Question posted.")


def record_thread(mail: InboundMail, thread: Thread, skipped: list[str]) -> None:
    """Which thread and post the mail became, and whether it waits for a moderator."""
    mail.thread_id = thread.id
    mail.post_id = reading.question_post(thread).id
    posted = "Question posted; a moderator reviews it before others see it." if is_held(thread) else "Question posted."
    mail.outcome = " ".join(part for part in (posted, replies.not_attached(skipped)) if part)[:300]


def is_held(thread: Thread) -> bool:
    return thread.visibility == "pending"


def thread_link(thread: Thread) -> str:
    return absolute_url(f"/t/{thread.id}/{thread.slug}")  # forum.http.urls.thread_path: services may not import it


def send_receipt(user: User, thread: Thread, message: InboundMessage) -> None:
    """Tell the sender where the question lives (replies then reach them as notifications); the caller commits."""
    queue_email(user.email, _l("Posted: %(title)s", title=thread.title), "mail_question_posted",
                answering=message.message_id, user=user, thread=thread, held=is_held(thread), link=thread_link(thread),
                claim=absolute_url(CLAIM_PATH) if user.staged_at is not None else None)
