"""Automatic escalation: the SLA sweeper and the negative-sentiment follow-up.

No question is left in the dark: one nobody but its asker answered within sla.first_reply_hours,
or without an accepted solution after sla.solution_hours, becomes a case (source sla). An asker
who follows up in strongly negative words raises their case's priority, or gets one (source
sentiment). The sweeper is idempotent: each breach is recorded as the reason of the case it
opened, so repeated runs, or a case resolved since, never open a second case for it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select

from forum.cases import escalate_thread
from forum.cases.state import open_case_for
from forum.cases.work import raise_priority
from forum.core import clock
from forum.core.extensions import db
from forum.core.i18n import N_, _
from forum.models import Case, CaseSource, Post, Thread, ThreadKind, ThreadStatus, Visibility
from forum.services import community_settings

SWEEP_JOB = "cases.sla_sweep"
BATCH = 200
# Kept in English on the case (the sweeper finds its own cases by them); the desk translates them (case_reason).
NO_REPLY_REASON = N_("No reply from anyone within the first-reply target (SLA).")
NO_SOLUTION_REASON = N_("No accepted solution within the solution target (SLA).")
UNSOLVED = (ThreadStatus.OPEN.value, ThreadStatus.ANSWERED.value, ThreadStatus.NEEDS_INFO.value,
            ThreadStatus.ESCALATED.value)


def _candidates(reason: str, older_than: datetime):
    """Public, live, unsolved questions without an open case, and never escalated by the sweeper for reason."""
    already = exists().where(Case.thread_id == Thread.id, Case.source == CaseSource.SLA.value, Case.reason == reason)
    open_case = exists().where(Case.open_thread_id == Thread.id)
    return select(Thread).where(
        Thread.kind == ThreadKind.QUESTION.value, Thread.visibility == Visibility.PUBLIC.value,
        Thread.deleted_at.is_(None), Thread.merged_into_id.is_(None), Thread.status.in_(UNSOLVED),
        Thread.accepted_post_id.is_(None), Thread.created_at <= older_than, ~already, ~open_case,
    ).order_by(Thread.created_at, Thread.id).limit(BATCH)


def _waited(thread: Thread, now: datetime) -> timedelta:
    """How long the question has waited on its SLA clock: time spent waiting for the asker's info is paused."""
    paused = thread.paused_seconds or 0
    if thread.needs_info_since is not None:
        paused += max(0, int((now - thread.needs_info_since).total_seconds()))
    return now - thread.created_at - timedelta(seconds=paused)


def _sweep(setting: str, reason: str, unanswered_only: bool) -> int:
    now = clock.now()
    target = timedelta(hours=community_settings.get_setting(setting))
    query = _candidates(reason, now - target)
    if unanswered_only:
        query = query.where(Thread.first_reply_at.is_(None))
    opened = 0
    for thread in db.session.scalars(query).all():
        if _waited(thread, now) >= target:
            _case, created = escalate_thread(None, thread, reason, source=CaseSource.SLA)
            opened += created
    return opened


def sweep_sla(_payload: dict | None = None) -> dict[str, int]:
    """The periodic job: escalate questions past their first-reply or solution target; commits."""
    result = {
        "no_reply": _sweep("sla.first_reply_hours", NO_REPLY_REASON, unanswered_only=True),
        "no_solution": _sweep("sla.solution_hours", NO_SOLUTION_REASON, unanswered_only=False),
    }
    db.session.commit()
    return result


def on_staff_reply(thread: Thread, post: Post) -> None:
    """A staff member answered the escalated thread in public: that is the case's first staff response.

    Without it an agent who answers on the thread (where the next customer sees it) would still
    leave the case "overdue" on the desk and counted as an SLA breach.
    """
    case = open_case_for(thread)
    if case is not None and case.first_response_at is None:
        case.first_response_at = post.created_at


def on_asker_follow_up(thread: Thread, post: Post) -> Case | None:
    """A strongly negative follow-up from the asker on an unsolved question: priority up, or a new case.

    Called by posting for a public reply by the asker, before its commit (it commits with it).
    """
    if post.sentiment is None or post.author_id != thread.author_id or post.is_question:
        return None
    if thread.kind != ThreadKind.QUESTION.value or thread.status in (ThreadStatus.SOLVED.value,
                                                                     ThreadStatus.CLOSED.value):
        return None
    if post.sentiment > community_settings.get_setting("sentiment.escalate_below"):
        return None
    case = open_case_for(thread)
    if case is not None:
        raise_priority(case, None, _("The customer's follow-up reads strongly negative (%(score)s).",
                                     score=format(post.sentiment, "+.2f")))
        return case
    reason = _("The asker's follow-up reads strongly negative (%(score)s).", score=format(post.sentiment, "+.2f"))
    case, _created = escalate_thread(None, thread, reason, source=CaseSource.SENTIMENT)
    return case
