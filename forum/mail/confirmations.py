"""Questions by email that wait for their sender: the emailed link, what it shows, publishing, dropping.

A question from an untrusted message (no DKIM or DMARC pass for its sender), from a staged account
whose owner has not proved the address, or one in which the personal-data guard found something is
kept with its raw bytes (status PENDING) and its sender gets a link. The link is signed with the
site's secret (itsdangerous, a salt of its own) and names the stored message and a fingerprint of
its bytes; it works for mail.confirmation_days after it was sent. Following it shows the question
and a button (a GET never writes: mail scanners open links); pressing it reads the raw message
again and publishes it as its sender (forum.mail.asking), then drops the raw bytes. Following it
proves the mailbox, so a staged account counts as verified from then on. A link followed again
shows the published question. The periodic job drops what was never confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, func, or_, select, update

from forum.accounts import personal_data
from forum.core import clock, i18n
from forum.core.errors import DomainError, Invalid
from forum.core.extensions import db
from forum.core.i18n import N_, _, _l
from forum.mail import addresses, asking, parsing, refusals, staging
from forum.mail.message import InboundMessage
from forum.mail.sending import absolute_url, queue_email
from forum.models import Category, InboundMail, InboundStatus, OutboundEmail, Thread, User
from forum.services.community_settings import cached_setting

SALT = "mail-question-confirmation"
CONFIRM_PATH = "/mail/confirm/"
SUBJECT = N_("Confirm your question: %(title)s")  # _links_lately counts these by the words before the title
SUBJECT_PREFIX = "Confirm your question: "  # those words in English
LINKS_PER_HOUR = 5  # confirmation emails to one address: forged mail must not flood a stranger's inbox
EXPIRE_JOB = "mail.expire_confirmations"
EXPIRE_EVERY_S = 3600
NEVER_CONFIRMED = "Never confirmed: dropped after {days} days."
INTERRUPTED = "Confirmed, but publishing was interrupted; dropped."
POST_PUBLICLY, SEND_PRIVATELY = "public", "private"  # the personal-data guard's answers, as on the ask page

# What the sender reads on the confirmation page (marked here, translated where raised).
NOT_VALID = N_("This confirmation link is not valid. Check that the whole link was copied from the email.")
EXPIRED = N_("This link has expired: a question sent by email waits %(days)s days for its confirmation. "
             "Send your question again, or ask on the website.")
GONE = N_("This question is no longer waiting to be published (%(outcome)s) Send it again, or ask on the website.")
WAITING = "Waiting for the sender to follow the confirmation link (it works for {days} days)."
PUBLISHING = "Confirmed by the sender: being published."
BUSY = N_("This question is being published already: reload this page in a moment to see it.")
CHOOSE = N_("Choose whether to post the question publicly or to send the details privately to the support team.")


class NotPublished(DomainError):
    """Following the link did not publish the question; detail says why, in the sender's words."""

    status = 422
    title = N_("Not published")

    def __init__(self, detail: str, retry_after_s: int | None = None) -> None:
        super().__init__(detail)
        if retry_after_s is not None:
            self.status = 429
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Pending:
    """What a confirmation link stands for: the waiting question, or the thread it became."""

    mail: InboundMail
    user: User | None = None
    category: Category | None = None
    draft: asking.Draft | None = None
    findings: list[str] = field(default_factory=list)  # the personal-data guard's findings, masked
    thread: Thread | None = None  # set once published
    message: InboundMessage | None = None  # the stored message, parsed (once: it may be megabytes)

    @property
    def published(self) -> bool:
        return self.thread is not None


def _serializer() -> URLSafeSerializer:
    """Signed, not timed by itsdangerous: the link's age is read from the stored mail against forum's clock."""
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def link_for(mail: InboundMail) -> str:
    return absolute_url(CONFIRM_PATH + _serializer().dumps({"m": mail.id, "d": mail.digest[:16]}))


def hold(message: InboundMessage, mail: InboundMail, user: User, category: Category, draft: asking.Draft) -> None:
    """Keep the message (PENDING, raw bytes kept) and email its sender the link; the caller commits.

    At most LINKS_PER_HOUR links an hour go to one address; past that the message is dropped unanswered.
    """
    mail.user_id, mail.category_id, mail.processed_at = user.id, category.id, clock.now()
    if _links_lately(user.email) >= LINKS_PER_HOUR:
        mail.status, mail.raw = InboundStatus.REFUSED.value, None
        mail.outcome = f"Not published, not answered: over {LINKS_PER_HOUR} confirmation links an hour to this sender."
        return
    days = cached_setting("mail.confirmation_days")
    mail.status, mail.outcome = InboundStatus.PENDING.value, WAITING.format(days=days)
    queue_email(user.email, _l(SUBJECT, title=draft.title), "mail_confirm_question",
                answering=message.message_id, essential=True,  # the sender's own request, as a reset link is
                user=user, category=category, title=draft.title, days=days, link=link_for(mail),
                personal_data=personal_data.summary(draft.personal_data()), staged=user.staged_at is not None)


def _links_lately(address: str) -> int:
    """Confirmation emails to the address in the past hour, whatever language each was written in."""
    return db.session.scalar(select(func.count(OutboundEmail.id)).where(
        addresses.same_mailbox(OutboundEmail.to_address, address),
        or_(*(OutboundEmail.subject.startswith(prefix, autoescape=True) for prefix in sorted(_subject_starts()))),
        OutboundEmail.created_at >= clock.now() - timedelta(hours=1)))


def _subject_starts() -> set[str]:
    """SUBJECT's words before the title in every language Horseshoe writes (SUBJECT_PREFIX in English)."""
    starts = {SUBJECT_PREFIX}
    for language in i18n.LANGUAGES:
        with i18n.reading_as(language):
            starts.add(_(SUBJECT, title="") or SUBJECT_PREFIX)
    return starts


def _mail_for(token: str) -> InboundMail:
    try:
        data = _serializer().loads(token or "")
    except BadSignature as exc:
        raise Invalid({"token": [_(NOT_VALID)]}) from exc
    mail_id, digest = (data.get("m"), data.get("d")) if isinstance(data, dict) else (None, None)
    mail = db.session.get(InboundMail, mail_id) if isinstance(mail_id, int) else None
    if mail is None or not isinstance(digest, str) or mail.digest[:16] != digest:
        raise Invalid({"token": [_(NOT_VALID)]})
    return mail


def pending(token: str) -> Pending:
    """The question the link stands for, as it would be published (reads only); Invalid for a link that
    is not valid, has expired, or whose question was dropped or refused."""
    mail = _mail_for(token)
    if mail.status == InboundStatus.POSTED.value and mail.thread_id is not None:
        thread = db.session.get(Thread, mail.thread_id)
        if thread is not None:
            return Pending(mail, thread=thread)
    days = cached_setting("mail.confirmation_days")
    if mail.status != InboundStatus.PENDING.value or mail.raw is None:
        raise Invalid({"token": [_(GONE, outcome=mail.outcome.rstrip(".") + ".")]})
    if clock.now() - (mail.processed_at or mail.received_at) > timedelta(days=days):
        raise Invalid({"token": [_(EXPIRED, days=days)]})
    message = _message(mail)
    draft = asking.draft_of(message)
    return Pending(mail, db.session.get(User, mail.user_id or 0), db.session.get(Category, mail.category_id or 0),
                   draft, personal_data.summary(draft.personal_data()), message=message)


def _message(mail: InboundMail) -> InboundMessage:
    recipients = [address for address in mail.to_address.split(",") if address]
    return parsing.parse(mail.raw or b"", recipients)


def confirm(token: str, choice: str = "", found: Pending | None = None) -> Thread:
    """Publish the waiting question as its sender (choice: the personal-data guard's answer); commits.

    found: what pending(token) gave the caller in this request, so the message is not parsed again. The
    same link again answers with the thread already published. NotPublished says why not: a rate limit
    leaves the question waiting (try again later); any other refusal ends it.
    """
    found = found or pending(token)
    if found.thread is not None:
        return found.thread
    mail, user, category, draft, message = found.mail, found.user, found.category, found.draft, found.message
    if found.findings and choice not in {POST_PUBLICLY, SEND_PRIVATELY}:
        raise Invalid({"personal_data": [_(CHOOSE)]})
    if user is None or category is None or staging.member_for(message.from_address) is not user:
        raise _end(mail, _("The account or the category it was sent to has changed since it was sent."))
    if user.staged_at is not None:
        staging.mark_verified(user)  # the link reached the address: the mailbox is proven
        db.session.commit()
    why = asking.standing_refusal(user)
    if why is not None:
        raise _end(mail, refusals.sentence(why))
    if not _claim(mail):  # the button pressed twice at once: the other press publishes it
        raise NotPublished(_(BUSY))
    outcome = asking.publish(user, category, message, mail, draft, private=choice == SEND_PRIVATELY)
    if outcome.thread is not None:
        return outcome.thread
    words = refusals.sentence(outcome.refusal, **(outcome.context or {}))
    if outcome.refusal == "rate_limited":
        _release(mail)
        raise NotPublished(words, outcome.retry_after_s)
    raise _end(mail, " ".join(part for part in (words, outcome.detail) if part))


def _claim(mail: InboundMail) -> bool:
    """Take the waiting question for this request alone (it reads POSTED, without a thread yet); commits."""
    claimed = db.session.execute(
        update(InboundMail).where(InboundMail.id == mail.id, InboundMail.status == InboundStatus.PENDING.value)
        .values(status=InboundStatus.POSTED.value, outcome=PUBLISHING)
    ).rowcount == 1
    db.session.commit()
    return claimed


def _release(mail: InboundMail) -> None:
    """Publishing waits (a rate limit): the question goes back to waiting for its link; commits."""
    days = cached_setting("mail.confirmation_days")
    mail.status, mail.outcome = InboundStatus.PENDING.value, WAITING.format(days=days)
    db.session.commit()


def _end(mail: InboundMail, words: str) -> NotPublished:
    """Refuse the waiting question for good (the sender reads why on the page); commits."""
    mail.settle(InboundStatus.REFUSED, f"Confirmed, but not published: {words}")
    db.session.commit()
    return NotPublished(words)


def expire_unconfirmed(payload: dict | None = None) -> None:
    """Drop the raw bytes of questions never confirmed within mail.confirmation_days (periodic job).

    Also those whose publishing was interrupted (claimed, with no thread: the process died mid-way),
    so no raw message outlives the days its sender was told about.
    """
    days = cached_setting("mail.confirmation_days")
    sent_before = func.coalesce(InboundMail.processed_at, InboundMail.received_at) < clock.now() - timedelta(days=days)
    interrupted = and_(InboundMail.status == InboundStatus.POSTED.value, InboundMail.thread_id.is_(None),
                       InboundMail.raw.is_not(None))
    for which, outcome in ((InboundMail.status == InboundStatus.PENDING.value, NEVER_CONFIRMED.format(days=days)),
                           (interrupted, INTERRUPTED)):
        db.session.execute(update(InboundMail).where(which, sent_before).values(
            status=InboundStatus.REFUSED.value, raw=None, outcome=outcome, processed_at=clock.now()))
    db.session.commit()
