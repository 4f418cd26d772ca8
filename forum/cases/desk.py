"""The case desk's read side: the agents' queue, one case, its conversation, and cases next to threads.

Agents see every case; a customer sees only their own (refused as absent, so a case number
reveals nothing), and never an internal message. Lists load their relations up front.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import joinedload

from forum.cases.state import OPEN_STATUSES
from forum.core import clock
from forum.core.errors import ErrorCollector, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.core.pagination import Page, clamp_limit, decode_cursor, encode_cursor
from forum.models import (
    Case,
    CaseEvent,
    CaseMessage,
    CasePriority,
    CaseStatus,
    Incident,
    IncidentThread,
    IncidentUpdate,
    MessageVisibility,
    Thread,
    User,
)
from forum.services.permissions import Action, is_agent, require

HISTORY_LIMIT = 10


@dataclass(frozen=True)
class CaseFilters:
    """Queue filters; assignee is "me", "none" or a user id as text."""

    status: str | None = None
    priority: str | None = None
    assignee: str | None = None
    category_id: int | None = None
    overdue: bool = False


def _validate(filters: CaseFilters) -> None:
    errors = ErrorCollector()
    if filters.status and filters.status not in {s.value for s in CaseStatus}:
        errors.add("status", _("Choose new, open, pending_customer, resolved or closed."))
    if filters.priority and filters.priority not in {p.value for p in CasePriority}:
        errors.add("priority", _("Choose low, normal, high or urgent."))
    assignee = filters.assignee
    if assignee and assignee not in ("me", "none") and not (assignee.isascii() and assignee.isdigit()
                                                              and 1 <= int(assignee) < 2**31):
        errors.add("assignee", _("Use me, none or a user id."))
    errors.raise_if_any()


def _open_rank():
    """0 for cases still being worked, 1 for finished ones: the queue shows open work first."""
    return sql_case((Case.status.in_(OPEN_STATUSES), 0), else_=1)


def overdue_condition():
    """The rule for "overdue": still open, no first staff response yet, and past its due time."""
    return and_(Case.status.in_(OPEN_STATUSES), Case.first_response_at.is_(None),
                Case.first_response_due_at < clock.now())


def _filtered(viewer: User, filters: CaseFilters) -> Select:
    query = select(Case)
    if filters.status:
        query = query.where(Case.status == filters.status)
    if filters.priority:
        query = query.where(Case.priority == filters.priority)
    if filters.assignee == "me":
        query = query.where(Case.assignee_id == viewer.id)
    elif filters.assignee == "none":
        query = query.where(Case.assignee_id.is_(None))
    elif filters.assignee:
        query = query.where(Case.assignee_id == int(filters.assignee))
    if filters.category_id is not None:
        query = query.where(Case.thread_id.in_(select(Thread.id).where(Thread.category_id == filters.category_id)))
    if filters.overdue:
        query = query.where(overdue_condition())
    return query


def list_cases(viewer: User, filters: CaseFilters, limit: int = 50, cursor: str | None = None) -> Page[Case]:
    """The agents' queue: open cases first, the oldest due first; keyset pages over (rank, due, id)."""
    require(viewer, Action.CASE_WORK)
    _validate(filters)
    limit = clamp_limit(limit)
    rank = _open_rank()
    query = _filtered(viewer, filters).options(
        joinedload(Case.thread).joinedload(Thread.category), joinedload(Case.customer), joinedload(Case.assignee)
    )
    after = decode_cursor(cursor, [int, datetime, int])
    if after is not None:
        last_rank, last_due, last_id = after
        query = query.where(or_(
            rank > last_rank,
            and_(rank == last_rank, or_(Case.first_response_due_at > last_due,
                                        and_(Case.first_response_due_at == last_due, Case.id > last_id))),
        ))
    rows = db.session.scalars(query.order_by(rank, Case.first_response_due_at, Case.id).limit(limit + 1)).unique()
    items = list(rows)
    more = len(items) > limit
    items = items[:limit]
    next_cursor = None
    if more:
        last = items[-1]
        next_cursor = encode_cursor([0 if last.is_open else 1, last.first_response_due_at, last.id])
    return Page(items, next_cursor)


def queue_counts(viewer: User) -> dict[str, int]:
    """Counts for the desk's tabs, in one query: new, open, waiting on the customer, overdue, mine."""
    require(viewer, Action.CASE_WORK)
    is_open = Case.status.in_(OPEN_STATUSES)
    row = db.session.execute(select(
        func.count(sql_case((Case.status == CaseStatus.NEW.value, 1))),
        func.count(sql_case((Case.status == CaseStatus.OPEN.value, 1))),
        func.count(sql_case((Case.status == CaseStatus.PENDING_CUSTOMER.value, 1))),
        func.count(sql_case((overdue_condition(), 1))),
        func.count(sql_case((and_(is_open, Case.assignee_id == viewer.id), 1))),
    )).one()
    return dict(zip(("new", "open", "pending_customer", "overdue", "mine"), (int(n) for n in row), strict=True))


def get_case(viewer: User | None, case_id: int) -> Case:
    """The case for an agent or its customer; NotFound for everyone else (as if it did not exist)."""
    case = db.session.scalar(
        select(Case).options(joinedload(Case.thread), joinedload(Case.customer), joinedload(Case.assignee))
        .where(Case.id == case_id)
    )
    if case is None:
        raise NotFound(_("That case does not exist or is not visible to you."))
    require(viewer, Action.CASE_VIEW, case)
    return case


def messages_for(viewer: User | None, case: Case) -> list[CaseMessage]:
    """The case conversation, oldest first; internal notes only for agents."""
    require(viewer, Action.CASE_VIEW, case)
    query = select(CaseMessage).options(joinedload(CaseMessage.author)).where(CaseMessage.case_id == case.id)
    if not is_agent(viewer):
        query = query.where(CaseMessage.visibility == MessageVisibility.CUSTOMER.value)
    return list(db.session.scalars(query.order_by(CaseMessage.created_at, CaseMessage.id)))


def case_for_thread(viewer: User | None, thread: Thread) -> Case | None:
    """The case behind the thread's "A support agent is on this" line: its open case, else its latest.

    Only the status line (number and status) is public, so anybody who sees the thread may ask.
    """
    return cases_for_threads([thread.id]).get(thread.id)


def cases_for_threads(thread_ids: list[int]) -> dict[int, Case]:
    """Each thread's open case, else its latest, in one query (threads have few cases each)."""
    if not thread_ids:
        return {}
    found: dict[int, Case] = {}
    rows = db.session.scalars(select(Case).where(Case.thread_id.in_(set(thread_ids))).order_by(Case.id))
    for case in rows:
        found[case.thread_id] = _the_current(found.get(case.thread_id), case)
    return found


def _the_current(current: Case | None, later: Case) -> Case:
    """Of two cases of a thread (later opened after current): the open one, else the later."""
    return later if current is None or later.is_open or not current.is_open else current


@dataclass(frozen=True)
class SupportOnThread:
    """The thread page's support banners: its case (open, else latest) and its incident with the latest update."""

    case: Case | None
    incident: tuple[Incident, IncidentUpdate | None] | None


@cache
def _support_statement() -> Select:
    """support_on_thread()'s statement, built once with the thread id as a parameter: building and keying
    it again on every view cost twice what running it does (issue 21)."""
    latest_update = (
        select(IncidentUpdate.id).where(IncidentUpdate.incident_id == Incident.id)
        .order_by(IncidentUpdate.id.desc()).limit(1).correlate(Incident).scalar_subquery()
    )
    return (
        select(Case, Incident, IncidentUpdate).select_from(Thread)
        .outerjoin(Case, Case.thread_id == Thread.id)
        .outerjoin(IncidentThread, IncidentThread.thread_id == Thread.id)
        .outerjoin(Incident, Incident.id == IncidentThread.incident_id)
        .outerjoin(IncidentUpdate, IncidentUpdate.id == latest_update)
        .where(Thread.id == bindparam("thread_id")).order_by(Case.id, Incident.id)
    )


def support_on_thread(thread: Thread) -> SupportOnThread:
    """The thread's case as case_for_thread() picks it, and the incident it is part of (with its latest
    update), in one statement: the thread page asks on every view, and most threads have neither."""
    rows = db.session.execute(_support_statement(), {"thread_id": thread.id}).all()
    current: Case | None = None
    for case, _incident, _update in rows:
        if case is not None:
            current = _the_current(current, case)
    incident = next(((found, update) for _case, found, update in rows if found is not None), None)
    return SupportOnThread(current, incident)


def public_timeline(case: Case) -> list[CaseEvent]:
    """The public events the thread shows (escalated, in progress, waiting on you, resolved), oldest first."""
    return list(db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.public.is_(True))
        .order_by(CaseEvent.created_at, CaseEvent.id)
    ))


def customer_history(case: Case) -> tuple[list[Thread], list[Case]]:
    """The customer's other threads and cases, newest first, so they never have to repeat themselves."""
    threads = db.session.scalars(
        select(Thread).where(Thread.author_id == case.customer_id, Thread.id != case.thread_id)
        .order_by(Thread.created_at.desc(), Thread.id.desc()).limit(HISTORY_LIMIT)
    ).all()
    cases = db.session.scalars(
        select(Case).options(joinedload(Case.thread))
        .where(Case.customer_id == case.customer_id, Case.id != case.id)
        .order_by(Case.created_at.desc(), Case.id.desc()).limit(HISTORY_LIMIT)
    ).all()
    return list(threads), list(cases)
