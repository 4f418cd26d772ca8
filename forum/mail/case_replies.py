"""A reply by email to a service case becomes a message on the case, as its sender, as on the desk.

The message goes through forum.cases' post_message, so the SLA clock, the case's timeline, who is told
and the helpdesk connector (which strips internal notes) behave exactly as for a message written on the
web. What the email may not decide is who reads the message: a customer's reply is always
customer-visible; a staff member's reply takes the visibility of the message its email was about, so an
agent answering a colleague's internal note writes an internal note, never words the customer then reads.
A closed case takes no message on the web, so neither does it by email: its customer is told to ask on
the thread again, which opens a new case.

`reply_target` is the other half: which case, and which of its messages, a case notification's email
answers (forum.mail.sending puts that in the reply address).
"""

from __future__ import annotations

from sqlalchemy import select

from forum import cases, uploads
from forum.core.errors import Conflict, DomainError
from forum.core.extensions import db
from forum.core.i18n import _l
from forum.mail import refusals, replies
from forum.mail.addresses import ReplyKey
from forum.mail.message import InboundMessage
from forum.models import (
    Case,
    CaseMessage,
    CaseStatus,
    InboundMail,
    InboundStatus,
    MessageVisibility,
    Notification,
    NotificationKind,
    User,
)
from forum.services.notifications import thread_path
from forum.services.permissions import Action, can, is_agent


def handle(message: InboundMessage, key: ReplyKey, user: User, mail: InboundMail) -> None:
    """Add the email's new words (and attachments) to case key.target_id as user; refuse with a reason otherwise.

    forum.mail.replies.handle has checked that user owns the key and may write at all. Here: the case
    is one user may see (its customer, or an agent: as on the web), it is not closed, and something is
    left to post once the attachments the upload rules refuse are set aside.
    """
    case = db.session.get(Case, key.target_id)
    if case is None or not can(user, Action.CASE_VIEW, case):
        refusals.refuse(message, mail, "not_allowed")
        return
    if case.status == CaseStatus.CLOSED.value:
        refusals.refuse(message, mail, "case_closed", link=thread_path(case.thread), link_label=_l("Ask on the thread"),
                        thread_id=case.thread_id)
        return
    visibility = visibility_for(user, case, key.answers_id)
    skipped: list[str] = []
    body = uploads.with_references(user, message.text.strip(), replies.store_attachments(user, message, skipped))
    if not body.strip():
        refusals.refuse(message, mail, "empty", detail=replies.not_attached(skipped), thread_id=case.thread_id)
        return
    _mark_posted(mail, case, visibility, skipped)
    try:
        posted = cases.post_message(user, case, body, visibility)
    except DomainError as error:
        reason = "case_closed" if isinstance(error, Conflict) else refusals.reason_for(error)
        refusals.refuse_afresh(message, mail, reason, detail=error.detail, link=_case_path(user, case),
                               user_id=user.id, thread_id=case.thread_id)
        return
    mail.case_message_id = posted.id
    db.session.commit()


def visibility_for(user: User, case: Case, answers_id: int) -> str:
    """Customer-visible for the case's customer whatever the key says; for staff, the answered message's.

    A staff member's key naming a message that is gone (or not on this case) gives an internal note: when
    unsure, the words stay with staff rather than reach the customer.
    """
    if user.id == case.customer_id or not is_agent(user) or not answers_id:
        return MessageVisibility.CUSTOMER.value
    answered = db.session.get(CaseMessage, answers_id)
    if answered is None or answered.case_id != case.id:
        return MessageVisibility.INTERNAL.value
    return answered.visibility


def _mark_posted(mail: InboundMail, case: Case, visibility: str, skipped: list[str]) -> None:
    """What became of the email, set before the message commits so both land together (a retried job finds
    the mail POSTED and posts nothing twice); the message's id follows once it has one."""
    kind = "an internal note" if visibility == MessageVisibility.INTERNAL.value else "a message the customer reads"
    outcome = f"Added to case {case.public_reference} as {kind}."
    mail.thread_id = case.thread_id
    mail.settle(InboundStatus.POSTED, " ".join(part for part in (outcome, replies.not_attached(skipped)) if part))


def _case_path(user: User, case: Case) -> str:
    return f"/desk/cases/{case.id}" if is_agent(user) and user.id != case.customer_id else f"/cases/{case.id}"


def reply_target(notification: Notification) -> tuple[int, int] | None:
    """(case id, id of the case message the notification tells of, or 0) for a case notification; else None.

    The case is the one the notification's words name ("case #12"), else the thread's latest case at the
    time. A notification that tells of a message (forum.cases' CUSTOMER_WROTE, INTERNAL_NOTE,
    SUPPORT_WROTE) answers the latest one its actor wrote by then that its recipient may read: a customer's
    key never names an internal note, and replying to a status change names no message at all.
    """
    if notification.kind != NotificationKind.CASE_UPDATE.value or notification.thread_id is None:
        return None
    reference, about_message = cases.notice_reference(notification.message or "")
    case = _case_of(notification, reference)
    if case is None:
        return None
    answered = _answered(notification, case) if about_message else None
    return case.id, answered or 0


def _case_of(notification: Notification, reference: int | None) -> Case | None:
    if reference is not None:
        case = db.session.get(Case, reference)
        if case is not None:
            return case
    of_thread = select(Case).where(Case.thread_id == notification.thread_id).order_by(Case.id.desc()).limit(1)
    return (db.session.scalar(of_thread.where(Case.created_at <= notification.created_at))
            or db.session.scalar(of_thread))


def _answered(notification: Notification, case: Case) -> int | None:
    recipient = notification.user
    query = select(CaseMessage.id).where(CaseMessage.case_id == case.id,
                                         CaseMessage.created_at <= notification.created_at)
    if notification.actor_id is not None:
        query = query.where(CaseMessage.author_id == notification.actor_id)
    else:
        query = query.where(CaseMessage.author_id.is_distinct_from(recipient.id))
    if recipient.id == case.customer_id or not is_agent(recipient):
        query = query.where(CaseMessage.visibility == MessageVisibility.CUSTOMER.value)
    return db.session.scalar(query.order_by(CaseMessage.created_at.desc(), CaseMessage.id.desc()).limit(1))
