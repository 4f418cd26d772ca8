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
from forum.core import clock, events, i18n
from forum.core.errors import Conflict, Invalid
from forum.core.extensions import db
from forum.core.i18n import N_, _, _l
from forum.models import (
    Case,
    CaseEvent,
    CasePriority,
    CaseSource,
    CaseStatus,
    Category,
    NotificationKind,
    ThreadStatus,
    User,
)
from forum.services import community_settings, notifications
from forum.services.permissions import Action, require

logger = logging.getLogger(__name__)
PRIORITY_ORDER = (CasePriority.LOW, CasePriority.NORMAL, CasePriority.HIGH, CasePriority.URGENT)
OPEN_STATUSES = tuple(s.value for s in CaseStatus if s.is_open)
# How each status move reads on the case's timeline, and in the customer's notification.
STATUS_EVENTS = {
    CaseStatus.NEW.value: N_("Case %(reference)s is waiting for an agent."),
    CaseStatus.OPEN.value: N_("Case %(reference)s is in progress."),
    CaseStatus.PENDING_CUSTOMER.value: N_("Case %(reference)s is waiting on you."),
    CaseStatus.RESOLVED.value: N_("Case %(reference)s is resolved."),
    CaseStatus.CLOSED.value: N_("Case %(reference)s is closed."),
}
STATUS_NOTICES = {
    CaseStatus.NEW.value: N_("Your support case %(reference)s is waiting for an agent."),
    CaseStatus.OPEN.value: N_("Your support case %(reference)s is in progress."),
    CaseStatus.PENDING_CUSTOMER.value: N_("Your support case %(reference)s is waiting on you."),
    CaseStatus.RESOLVED.value: N_("Your support case %(reference)s is resolved."),
    CaseStatus.CLOSED.value: N_("Your support case %(reference)s is closed."),
}
# What escalated a case, and its priorities, as sentences name them ("Escalated (customer)").
SOURCE_WORDS = {CaseSource.CUSTOMER.value: _l("customer"), CaseSource.STAFF.value: _l("staff"),
                CaseSource.ADVOCATE.value: _l("advocate"), CaseSource.SLA.value: _l("sla"),
                CaseSource.SENTIMENT.value: _l("sentiment")}
PRIORITY_WORDS = {CasePriority.LOW.value: _l("low"), CasePriority.NORMAL.value: _l("normal"),
                  CasePriority.HIGH.value: _l("high"), CasePriority.URGENT.value: _l("urgent")}
# The notifications that tell of one message of the case. Replying to their email answers that message
# (forum.mail.case_replies finds it: the latest by the notification's actor), so it keeps the visibility
# the recipient saw: an agent answering a colleague's internal note writes an internal note.
CUSTOMER_WROTE = N_("The customer wrote on case %(reference)s.")
INTERNAL_NOTE = N_("New internal note on case %(reference)s.")
SUPPORT_WROTE = N_("Support wrote to you on case %(reference)s.")
_REFERENCE = re.compile(r"#(\d+)\b")  # "case #12", "Fall #12", "caso #12": the first reference a notice names


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


def tell(recipient_ids: list[int | None], case: Case, actor: User | None, message) -> None:
    """A case-update notification on the case's thread (never to the actor); the caller commits.

    The notification keeps its words as text, so a lazy message (_l) is written in each recipient's language.
    """
    for user_id in (uid for uid in recipient_ids if uid is not None):
        notifications.notify([user_id], notifications.Event(
            NotificationKind.CASE_UPDATE, case.thread, actor=actor, message=written_for(user_id, message)))


def written_for(user_id: int | None, message) -> str:
    """message in the language of the member it is for (a plain str stays as it is)."""
    if isinstance(message, str):
        return message
    reader = db.session.get(User, user_id) if user_id is not None else None
    with i18n.reading_as(getattr(reader, "language", None)):
        return str(message)


def _message_notices() -> list[re.Pattern[str]]:
    """The message notices as every language writes them (each notification is in its recipient's)."""
    patterns = []
    for language in i18n.LANGUAGES:
        with i18n.reading_as(language):
            for text in (CUSTOMER_WROTE, INTERNAL_NOTE, SUPPORT_WROTE):
                written = re.escape(_(text, reference="\x00"))
                patterns.append(re.compile(written.replace("\x00", r"#(\d+)")))
    return patterns


def notice_reference(message: str) -> tuple[int | None, bool]:
    """The case a case notification's words name (None when they name none), and whether it tells of a message.

    tell()'s callers name the case by its reference ("case #12") before anything else, so a helpdesk note
    quoted after it cannot change which case that is: the first reference wins. (The notice of personal data
    moved out of a post names none; forum.mail.case_replies then takes the thread's case.)
    """
    for notice in _message_notices():
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
    add_event(case, status, actor, detail=detail or _(STATUS_EVENTS[status], reference=case.public_reference))
    events.publish("case.resolved" if status == "resolved" else "case.updated", case_id=case.id, change="status")
    tell([case.customer_id], case, actor, _l(STATUS_NOTICES[status], reference=case.public_reference))
    return True


def _take_open_slot(case: Case) -> None:
    """Claim the thread's one open-case slot for a case coming back (unique key, so races lose cleanly)."""
    try:
        with db.session.begin_nested():
            case.open_thread_id = case.thread_id
            db.session.flush()
    except IntegrityError as exc:
        case.open_thread_id = None
        raise Conflict(_("This thread already has another open case.")) from exc


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
        set_status(case, actor, CaseStatus.OPEN.value,
                   detail=_("Reopened: %(reason)s", reason=reason) if reason else _("Reopened."))
    except Conflict:
        return case
    if case.thread.status != ThreadStatus.SOLVED.value:
        case.thread.status = ThreadStatus.ESCALATED.value
    tell([case.assignee_id], case, actor, _l("Case %(reference)s was reopened by its customer.",
                                             reference=case.public_reference))
    if commit:
        db.session.commit()
    return case
