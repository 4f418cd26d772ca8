"""Case state moves shared by every path that touches a case: timeline, SLA due times, telling people, reopening.

Kept apart from the desk (reads) and the work (agent actions) so that feedback and the
triggers can move a case without importing the whole case desk (and its Q&A imports).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forum.cases import business_hours
from forum.core import clock, events
from forum.core.errors import Conflict, Invalid
from forum.core.extensions import db
from forum.models import Case, CaseEvent, CasePriority, CaseStatus, Category, NotificationKind, ThreadStatus, User
from forum.services import community_settings, notifications
from forum.services.permissions import Action, require

logger = logging.getLogger(__name__)
PRIORITY_ORDER = (CasePriority.LOW, CasePriority.NORMAL, CasePriority.HIGH, CasePriority.URGENT)
OPEN_STATUSES = tuple(s.value for s in CaseStatus if s.is_open)
# How each status reads on the thread's public timeline and in the customer's notification.
STATUS_WORDS = {
    CaseStatus.NEW.value: "waiting for an agent",
    CaseStatus.OPEN.value: "in progress",
    CaseStatus.PENDING_CUSTOMER.value: "waiting on you",
    CaseStatus.RESOLVED.value: "resolved",
    CaseStatus.CLOSED.value: "closed",
}
# The notifications that tell of one message of the case. Replying to their email answers that message
# (forum.mail.case_replies finds it: the latest by the notification's actor), so it keeps the visibility
# the recipient saw: an agent answering a colleague's internal note writes an internal note.
CUSTOMER_WROTE = "The customer wrote on case {reference}."
INTERNAL_NOTE = "New internal note on case {reference}."
SUPPORT_WROTE = "Support wrote to you on case {reference}."
_MESSAGE_NOTICES = tuple(
    re.compile(re.escape(text).replace(re.escape("{reference}"), r"#(\d+)"))
    for text in (CUSTOMER_WROTE, INTERNAL_NOTE, SUPPORT_WROTE)
)
_REFERENCE = re.compile(r"\bcase #(\d+)", re.IGNORECASE)


def open_case_for(thread) -> Case | None:
    """The thread's open case, if any."""
    return db.session.scalar(select(Case).where(Case.open_thread_id == thread.id))


def first_response_due(priority: str, start: datetime, category: Category | None = None) -> datetime:
    """When the first staff response is due: start plus the priority's case.first_response_hours.

    Counted in the category's support hours when it has a calendar, else 24/7 (domain.md).
    """
    hours = community_settings.get_setting(f"case.first_response_hours.{priority}")
    return business_hours.add_business_hours(start, hours, sla_calendar(category))


def sla_calendar(category: Category | None) -> business_hours.Calendar | None:
    """The category's support-hours calendar; None (24/7) when it has none or it no longer validates.

    Admin input is validated on save, so a bad stored calendar means hand-edited data: logged, and
    the clock falls back to 24/7 rather than failing the escalation.
    """
    if category is None:
        return None
    try:
        return business_hours.calendar_from_json(category.sla_time_zone, category.sla_hours_json)
    except Invalid:
        logger.warning("Category %s has an invalid support-hours calendar; SLA runs 24/7.", category.id)
        return None


def add_event(case: Case, kind: str, actor: User | None, *, detail: str = "", public: bool = True) -> CaseEvent:
    """Append one timeline entry (public ones show on the thread); the caller commits."""
    event = CaseEvent(
        case_id=case.id, kind=kind, public=public, detail=detail,
        actor_id=actor.id if actor is not None else None, created_at=clock.now(),
    )
    db.session.add(event)
    return event


def tell(recipient_ids: list[int | None], case: Case, actor: User | None, message: str) -> None:
    """A case-update notification on the case's thread (never to the actor); the caller commits."""
    notifications.notify(
        [uid for uid in recipient_ids if uid is not None],
        notifications.Event(NotificationKind.CASE_UPDATE, case.thread, actor=actor, message=message),
    )


def notice_reference(message: str) -> tuple[int | None, bool]:
    """The case a case notification's words name (None when they name none), and whether it tells of a message.

    tell()'s callers name the case by its reference ("case #12") before anything else, so a helpdesk note
    quoted after it cannot change which case that is: the first reference wins. (The notice of personal data
    moved out of a post names none; forum.mail.case_replies then takes the thread's case.)
    """
    for notice in _MESSAGE_NOTICES:
        match = notice.fullmatch(message)
        if match is not None:
            return int(match.group(1)), True
    match = _REFERENCE.search(message)
    return (int(match.group(1)) if match is not None else None), False


def set_status(case: Case, actor: User | None, status: str, *, detail: str = "") -> bool:
    """Move the case to status with a public timeline entry and the asker told; False if unchanged.

    Leaving the open statuses frees the thread's open-case slot; coming back takes it again
    (Conflict when the thread meanwhile has another open case). The caller commits.
    """
    if case.status == status:
        return False
    was_open = case.is_open
    if was_open and not CaseStatus(status).is_open:
        case.open_thread_id = None
        case.resolved_at = clock.now()
    elif not was_open and CaseStatus(status).is_open:
        _take_open_slot(case)
        case.resolved_at = None
    case.status = status
    case.updated_at = clock.now()
    words = STATUS_WORDS[status]
    add_event(case, status, actor, detail=detail or f"Case {case.public_reference} is {words}.")
    events.publish("case.resolved" if status == "resolved" else "case.updated", case_id=case.id, change="status")
    tell([case.customer_id], case, actor, f"Your support case {case.public_reference} is {words}.")
    return True


def _take_open_slot(case: Case) -> None:
    """Claim the thread's one open-case slot for a case coming back (unique key, so races lose cleanly)."""
    try:
        with db.session.begin_nested():
            case.open_thread_id = case.thread_id
            db.session.flush()
    except IntegrityError as exc:
        case.open_thread_id = None
        raise Conflict("This thread already has another open case.") from exc


def latest_case(thread_id: int) -> Case | None:
    return db.session.scalar(select(Case).where(Case.thread_id == thread_id).order_by(Case.id.desc()).limit(1))


def reopen_case(actor: User | None, case: Case, reason: str = "", *, commit: bool = True) -> Case:
    """Reopen a resolved case (the customer said "this did not resolve it"); actor None: the system.

    A case that is not resolved stays as it is, and so does one whose thread meanwhile got
    another open case (escalating again already reached support there).
    """
    if actor is not None:
        require(actor, Action.CASE_VIEW, case)
    if case.status != CaseStatus.RESOLVED.value:
        return case
    try:
        set_status(case, actor, CaseStatus.OPEN.value, detail=f"Reopened: {reason}" if reason else "Reopened.")
    except Conflict:
        return case
    if case.thread.status != ThreadStatus.SOLVED.value:
        case.thread.status = ThreadStatus.ESCALATED.value
    tell([case.assignee_id], case, actor, f"Case {case.public_reference} was reopened by its customer.")
    if commit:
        db.session.commit()
    return case
