"""Service cases: escalating a thread peers couldn't resolve into an official case worked under an SLA.

This module is the one way in for the rest of Horseshoe: callers say cases.<name>, and the
import contracts in pyproject.toml keep the community code (posting, reading, Q&A...) out of
the modules behind it. Those are escalation (opening a case), desk (the queue and other reads),
work (agent actions, conversation, resolution), state (timeline, status moves, reopening),
triggers (the SLA sweeper, staff replies, negative follow-ups), business_hours (SLA calendars),
ratings (agents rating escalations) and desk_lookups; pages (customer, desk) and api are its routes.
"""

from __future__ import annotations

from flask import Flask

from forum.cases.business_hours import DAY_NAMES, DAYS, parse_calendar, time_zone_names
from forum.cases.business_hours import to_document as calendar_document
from forum.cases.business_hours import to_json as calendar_json
from forum.cases.desk import (
    CaseFilters,
    case_for_thread,
    cases_for_threads,
    customer_history,
    get_case,
    list_cases,
    messages_for,
    public_timeline,
    queue_counts,
    support_on_thread,
)
from forum.cases.escalation import MAX_REASON_CHARS, escalate_thread, source_for
from forum.cases.state import (
    add_event,
    first_response_due,
    latest_case,
    notice_reference,
    open_case_for,
    reopen_case,
    set_status,
    sla_calendar,
)
from forum.cases.triggers import on_asker_follow_up, on_staff_reply
from forum.cases.work import (
    UNSET,
    CaseChange,
    change_case,
    claim_case,
    post_message,
    resolve_case,
    update_case,
)
from forum.models import CasePriority

__all__ = [
    "DAYS", "DAY_NAMES", "CasePriority", "MAX_REASON_CHARS", "UNSET", "CaseChange", "CaseFilters", "add_event",
    "calendar_document", "calendar_json", "sla_calendar", "time_zone_names",
    "case_for_thread", "cases_for_threads", "change_case", "claim_case", "customer_history", "escalate_thread",
    "first_response_due", "get_case", "latest_case", "list_cases", "messages_for", "notice_reference",
    "on_asker_follow_up",
    "on_staff_reply", "open_case_for", "parse_calendar", "post_message", "public_timeline", "queue_counts",
    "reopen_case", "resolve_case", "set_status", "source_for", "support_on_thread", "update_case",
]


def init_app(app: Flask) -> None:
    """The SLA sweeper job, the customer's and the agents' pages, and the case API routes."""
    from forum import hooks
    from forum.cases import api, pages, triggers  # noqa: F401  (api: routes join the API blueprint)
    from forum.services import community_settings

    hooks.register_job(triggers.SWEEP_JOB, triggers.sweep_sla, every_s=community_settings.sweep_interval_s)
    pages.init_app(app)
