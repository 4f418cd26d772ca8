"""Outcome metrics (domain.md "Outcome metrics"): did the community resolve customers' issues?

Every metric is one SQL aggregate over a cohort — the questions asked (or cases opened) in a
period, optionally in one category — so the dashboard never loads rows into Python. Rates are
fractions 0..1 and durations whole seconds; both are None when there is nothing to divide by,
so "no questions" never reads as "0% answered".

What counts as a question: a live, public thread of kind question that was not merged into
another (deleted spam and merged duplicates would distort every rate).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy import case as sql_case

from forum.analytics.metric_queries import (
    Period,
    breached_condition,
    case_filter,
    count_where,
    deflection_filter,
    first_replies,
    is_article_deflection,
    is_escalated,
    median,
    medians,
    question_filter,
    seconds_between,
    sentiment_shifts,
)
from forum.core import clock
from forum.core.errors import ErrorCollector
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Case, Category, Feedback, SuggestionOpen, Thread


@dataclass(frozen=True)
class Summary:
    """The fixed metrics of domain.md for one period (api.md's /metrics/summary fields first)."""

    response_rate: float | None
    median_first_response_s: int | None
    solve_rate: float | None
    peer_solve_rate: float | None
    escalation_rate: float | None
    sla_breach_rate: float | None
    median_case_resolution_s: int | None
    satisfaction: float | None
    sentiment_shift: float | None
    article_deflections: int  # api.md v1.1: "/metrics/summary gains article_deflections"
    # Deflections by solved threads and articles together (article_deflections is part of it).
    deflections: int
    # The parts behind the rates, and the peer/staff split of the first response.
    questions: int
    responded: int
    solved: int
    solved_by_community: int
    escalated: int
    cases: int
    cases_breached: int
    median_first_response_peer_s: int | None
    median_first_response_staff_s: int | None
    feedback_responses: int
    satisfaction_average_rating: float | None
    sentiment_threads: int

    def as_dict(self) -> dict:
        return {field.name: getattr(self, field.name) for field in fields(self)}


DEFAULT_DAYS = 30
MAX_PERIOD = timedelta(days=3 * 366)


def _parse_moment(text: str, *, end_of_day: bool) -> datetime | None:
    """A date (YYYY-MM-DD, the whole day) or an RFC 3339 moment; None if it is neither."""
    text = text.strip()
    try:
        if len(text) == 10:
            moment = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
            moment = moment + timedelta(days=1) if end_of_day else moment
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, OverflowError):
        return None
    if moment.tzinfo is None or not 1970 <= moment.year <= 9000:  # no naive times; room for arithmetic
        return None
    return moment.astimezone(UTC)


def _parse_category(text: str, errors: ErrorCollector) -> int | None:
    text = text.strip()
    if not text:
        return None
    if "\x00" in text:  # PostgreSQL refuses NUL in text: such a name can't exist anyway
        errors.add("category", _("No such category."))
        return None
    if text.isascii() and text.isdigit() and int(text) < 2**31:
        category = db.session.get(Category, int(text))
    else:
        category = db.session.scalar(select(Category).where(Category.slug == text[:100]))
    if category is None:
        errors.add("category", _("No such category."))
        return None
    return category.id


def parse_period(start_text: str | None, end_text: str | None, category_text: str | None = None) -> Period:
    """The period a staff member or an integrator asked for; the web dashboard and the API share it.

    Dates are whole UTC days (`to=2026-11-30` includes the 30th); RFC 3339 moments are exact.
    Without `to` the period ends now; without `from` it starts DEFAULT_DAYS earlier.
    """
    errors = ErrorCollector()
    end = clock.now()
    if end_text and end_text.strip():
        end = _parse_moment(end_text, end_of_day=True)
        if end is None:
            errors.add("to", _("Use a date like 2026-11-30 or an RFC 3339 time like 2026-11-30T12:00:00Z."))
    start = None
    if start_text and start_text.strip():
        start = _parse_moment(start_text, end_of_day=False)
        if start is None:
            errors.add("from", _("Use a date like 2026-11-01 or an RFC 3339 time like 2026-11-01T00:00:00Z."))
    category_id = _parse_category(category_text or "", errors)
    errors.raise_if_any()
    start = start or end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        errors.add("from", _("The period must start before it ends."))
    elif end - start > MAX_PERIOD:
        errors.add("from", _("Choose a period of at most three years."))
    errors.raise_if_any()
    return Period(start, end, category_id)


def _ratio(part: int | None, whole: int | None) -> float | None:
    return None if not whole else (part or 0) / whole


def _whole_seconds(value: float | None) -> int | None:
    return None if value is None else round(value)


def _question_counts(period: Period):
    return db.session.execute(
        select(
            func.count(Thread.id),
            count_where(Thread.first_reply_at.is_not(None)),
            count_where(Thread.accepted_post_id.is_not(None)),
            count_where(and_(Thread.accepted_post_id.is_not(None), Thread.solved_by == "community")),
            count_where(is_escalated()),
        ).where(question_filter(period))
    ).one()


def _median_first_responses(period: Period) -> tuple[int | None, int | None, int | None]:
    """Median seconds to the first response: from anyone, from a peer, from staff (one statement)."""
    first = first_replies(period).subquery()
    waits = (
        select(
            seconds_between(Thread.first_reply_at, Thread.created_at),
            seconds_between(first.c.peer_at, Thread.created_at),
            seconds_between(first.c.staff_at, Thread.created_at),
        )
        .outerjoin(first, first.c.thread_id == Thread.id)
        .where(question_filter(period))
    )
    overall, peer, staff = medians(waits)
    return _whole_seconds(overall), _whole_seconds(peer), _whole_seconds(staff)


def _case_counts(period: Period) -> tuple[int, int]:
    total, breached = db.session.execute(
        select(func.count(Case.id), func.coalesce(func.sum(sql_case((breached_condition(clock.now()), 1), else_=0)), 0))
        .where(case_filter(period))
    ).one()
    return total, breached


def _median_case_resolution(period: Period) -> int | None:
    durations = select(seconds_between(Case.resolved_at, Case.created_at)).where(
        case_filter(period), Case.resolved_at.is_not(None)
    )
    return _whole_seconds(median(durations))


def _satisfaction(period: Period) -> tuple[int, float | None, float | None]:
    """(responses, share resolved, average rating) of the askers' feedback on the period's questions."""
    responses, resolved, average_rating = db.session.execute(
        select(
            func.count(Feedback.id),
            func.coalesce(func.sum(sql_case((Feedback.resolved.is_(True), 1), else_=0)), 0),
            func.avg(Feedback.rating),
        )
        .join(Thread, Thread.id == Feedback.thread_id)
        .where(question_filter(period), Feedback.user_id == Thread.author_id)
    ).one()
    rating = None if average_rating is None else round(float(average_rating), 2)
    return responses, _ratio(resolved, responses), rating


def _sentiment_shift(period: Period) -> tuple[int, float | None]:
    shifts = sentiment_shifts(period).subquery()
    threads, average = db.session.execute(select(func.count(), func.avg(shifts.c.shift))).one()
    return threads, None if average is None else round(float(average), 4)


def _deflections(period: Period) -> tuple[int, int]:
    """(all deflections, those by articles) of suggestions opened in the period (metric_queries.deflection_filter)."""
    total, by_articles = db.session.execute(
        select(func.count(SuggestionOpen.id), count_where(is_article_deflection())).where(deflection_filter(period))
    ).one()
    return total, by_articles


def summary(period: Period) -> Summary:
    """Every outcome metric for the period: seven aggregate statements, whatever the community's size.

    On the 40,000-post benchmark corpus (bench/analytics_bench.py) a 30-day summary costs tens of
    milliseconds; most of it is the first-response pass over the period's replies.
    """
    asked, responded, solved, by_community, escalated = _question_counts(period)
    cases, breached = _case_counts(period)
    responses, satisfied_share, average_rating = _satisfaction(period)
    sentiment_threads, shift = _sentiment_shift(period)
    first_response, first_response_peer, first_response_staff = _median_first_responses(period)
    deflections, article_deflections = _deflections(period)
    return Summary(
        response_rate=_ratio(responded, asked),
        median_first_response_s=first_response,
        solve_rate=_ratio(solved, asked),
        peer_solve_rate=_ratio(by_community, solved),
        escalation_rate=_ratio(escalated, asked),
        sla_breach_rate=_ratio(breached, cases),
        median_case_resolution_s=_median_case_resolution(period),
        satisfaction=satisfied_share,
        sentiment_shift=shift,
        article_deflections=article_deflections,
        deflections=deflections,
        questions=asked,
        responded=responded,
        solved=solved,
        solved_by_community=by_community,
        escalated=escalated,
        cases=cases,
        cases_breached=breached,
        median_first_response_peer_s=first_response_peer,
        median_first_response_staff_s=first_response_staff,
        feedback_responses=responses,
        satisfaction_average_rating=average_rating,
        sentiment_threads=sentiment_threads,
    )

