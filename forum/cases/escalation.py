"""Escalation: a thread peers couldn't resolve becomes an official case worked under an SLA.

At most one open case per thread (a unique key, so concurrent escalations meet on the same
row); escalating again returns it. A case keeps the thread, the asker and their history,
so the customer never repeats themselves. Every escalation records its source and reason.
An idea is never escalated: it asks for a change, not for help, and staff answer it with its status.
"""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from forum.cases.state import SOURCE_WORDS, add_event, first_response_due, open_case_for, written_for
from forum.core import clock, events, setting_registry
from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.core.i18n import N_, _, _l
from forum.core.setting_registry import SettingSpec
from forum.models import (
    IDEA_KIND,
    Case,
    CasePriority,
    CaseSource,
    CaseStatus,
    NotificationKind,
    Thread,
    ThreadStatus,
    User,
)
from forum.services import notifications
from forum.services.permissions import Action, is_staff, require

MAX_REASON_CHARS = 2000
# Read by the thread page (forum.web.thread_page.suggest_escalation) on every view.
setting_registry.register(SettingSpec(
    "case.suggest_escalation_hours", float, 24,
    N_("Hours an unsolved question waits before its asker's “I still need help from the support team” button is "
       "suggested (the asker may use it any time)."), 0.05, 24 * 90,
    label=N_("Suggest asking support after"), unit=N_("hours")))


def source_for(actor: User, thread: Thread) -> CaseSource:
    """The trigger a person's escalation stands for: the asker, staff, or an advocate's recommendation."""
    if is_staff(actor):
        return CaseSource.STAFF
    if actor.id == thread.author_id:
        return CaseSource.CUSTOMER
    return CaseSource.ADVOCATE


def escalate_thread(
    actor: User | None,
    thread: Thread,
    reason: str = "",
    *,
    source: CaseSource | None = None,
    priority: CasePriority = CasePriority.NORMAL,
    personal_data: bool = False,
) -> tuple[Case, bool]:
    """Open a case for thread (or return its open one); (case, created). actor None: a system trigger.

    System triggers (sla, sentiment) pass their source; people get theirs from who they are. Invalid for
    an idea, unless personal_data: the guard moving someone's details out of public view into a case, which
    an idea's replies need as much as a question's.
    """
    if actor is not None:
        require(actor, Action.THREAD_ESCALATE, thread)
    if thread.kind == IDEA_KIND and not personal_data:
        raise Invalid({"thread": [_("Ideas are not escalated to the support team: staff answer an idea by "
                                    "setting its status on the ideas board.")]})
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_CHARS:
        raise Invalid({"reason": [_("Keep the reason under %(most)d characters.", most=MAX_REASON_CHARS)]})
    existing = open_case_for(thread)
    if existing is not None:
        return existing, False
    source = source or source_for(actor, thread)
    case = _insert_case(actor, thread, reason, source, priority)
    if case is None:  # a concurrent escalation won the unique key
        return open_case_for(thread), False
    _record_escalation(actor, thread, case)
    db.session.commit()
    return case, True


def _insert_case(
    actor: User | None, thread: Thread, reason: str, source: CaseSource, priority: CasePriority
) -> Case | None:
    moment = clock.now()
    values = {
        "thread_id": thread.id, "open_thread_id": thread.id, "customer_id": thread.author_id,
        "status": CaseStatus.NEW.value, "priority": priority.value, "source": source.value, "reason": reason,
        "escalated_by_id": actor.id if actor is not None else None,
        "first_response_due_at": first_response_due(priority.value, moment, thread.category),
        "created_at": moment,
        "updated_at": moment,
    }
    try:
        with db.session.begin_nested():
            case_id = db.session.execute(insert(Case).values(**values)).inserted_primary_key[0]
    except IntegrityError:
        return None
    return db.session.get(Case, case_id)


def _record_escalation(actor: User | None, thread: Thread, case: Case) -> None:
    """Timeline entry, thread status, and the asker told that support is on it."""
    source = SOURCE_WORDS.get(case.source, case.source)
    add_event(case, "escalated", actor, detail=_("Escalated (%(source)s)", source=source))
    events.publish("thread.escalated", thread_id=thread.id, case_id=case.id)
    if thread.status != ThreadStatus.SOLVED.value:
        thread.status = ThreadStatus.ESCALATED.value
    told = _l("A support agent will look at your question: case %(reference)s.", reference=case.public_reference)
    notifications.notify(
        [case.customer_id],
        notifications.Event(
            NotificationKind.CASE_UPDATE, thread, actor=actor, message=written_for(case.customer_id, told),
        ),
    )
