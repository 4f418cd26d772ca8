"""Read models for the staff outcome dashboard: weekly trends, the backlog, advocates, the watchlist.

Like forum.analytics.metrics, every figure is a grouped SQL aggregate, so a page costs the same
number of queries for three questions as for forty thousand posts. Nothing here writes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Integer, func, literal, select
from sqlalchemy import case as sql_case
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from forum.analytics.metric_queries import (
    STAFF_ROLES,
    Period,
    breached_condition,
    case_filter,
    deflection_filter,
    is_article_deflection,
    is_escalated,
    question_filter,
    seconds_between,
    sentiment_shifts,
)
from forum.cases import ratings
from forum.core import clock
from forum.core.extensions import db
from forum.models import Case, Category, Post, SuggestionOpen, Thread, ThreadKind, ThreadStatus, User, Visibility
from forum.models.types import UTCDateTime
from forum.recognition.reputation import rescue_wait
from forum.services import community_settings

WEEK = timedelta(days=7)
MIN_WEEKS = 8  # a short period still shows two months of trend, so one quiet week does not read as a cliff
DONE = (ThreadStatus.SOLVED.value, ThreadStatus.CLOSED.value)


class whole_weeks_since(FunctionElement):  # noqa: N801 - reads like the SQL it compiles to
    """SQL: whole weeks from `start` to `moment` (moment >= start), i.e. the 0-based week bucket."""

    type = Integer()
    inherit_cache = True
    name = "whole_weeks_since"


@compiles(whole_weeks_since, "sqlite")
def _weeks_sqlite(element, compiler, **kw) -> str:
    seconds = compiler.process(seconds_between(*element.clauses), **kw)
    return f"CAST(({seconds}) / {WEEK.total_seconds()} AS INTEGER)"  # truncation is floor for values >= 0


@compiles(whole_weeks_since, "postgresql")
def _weeks_postgresql(element, compiler, **kw) -> str:
    seconds = compiler.process(seconds_between(*element.clauses), **kw)
    return f"CAST(FLOOR(({seconds}) / {WEEK.total_seconds()}) AS INTEGER)"  # CAST alone would round


def _moment(value: datetime) -> ColumnElement[datetime]:
    """A datetime as a bound SQL value stored the way the columns store theirs (naive UTC)."""
    return literal(value, UTCDateTime())


def _count_where(condition) -> ColumnElement[int]:
    return func.coalesce(func.sum(sql_case((condition, 1), else_=0)), 0)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class WeekPoint:
    """One 7-day bucket [start, end) of the weekly charts; rates are None for a week without questions."""

    start: datetime
    end: datetime
    questions: int = 0
    responded: int = 0
    solved: int = 0
    escalated: int = 0
    median_first_response_s: int | None = None
    cases: int = 0
    breached: int = 0
    deflections: int = 0  # by solved threads and articles together
    article_deflections: int = 0

    @property
    def response_rate(self) -> float | None:
        return _ratio(self.responded, self.questions)

    @property
    def solve_rate(self) -> float | None:
        return _ratio(self.solved, self.questions)


def series_period(period: Period) -> Period:
    """The span the weekly charts cover: the period, widened to the MIN_WEEKS weeks ending with it."""
    return Period(min(period.start, period.end - MIN_WEEKS * WEEK), period.end, period.category_id)


def weekly_series(period: Period) -> list[WeekPoint]:
    """Per week from the series start: questions asked, responded, solved, escalated, cases, breaches, deflections.

    Four grouped queries whatever the period's length; the last week is cut short at period.end.
    """
    span = series_period(period)
    weeks = math.ceil(span.length / WEEK)
    questions = _weekly_questions(span)
    medians = _weekly_medians(span)
    cases = _weekly_cases(span)
    deflections = _weekly_deflections(span)
    points = []
    for week in range(weeks):
        start = span.start + week * WEEK
        asked, responded, solved, escalated = questions.get(week, (0, 0, 0, 0))
        opened, breached = cases.get(week, (0, 0))
        deflected, by_articles = deflections.get(week, (0, 0))
        points.append(WeekPoint(
            start=start, end=min(start + WEEK, span.end), questions=asked, responded=responded, solved=solved,
            escalated=escalated, median_first_response_s=medians.get(week), cases=opened, breached=breached,
            deflections=deflected, article_deflections=by_articles,
        ))
    return points


def _weekly_questions(span: Period) -> dict[int, tuple[int, int, int, int]]:
    # The bucket is computed in a subquery and grouped outside: PostgreSQL cannot tell that two
    # bound copies of the start time in SELECT and GROUP BY are the same expression.
    rows = select(
        whole_weeks_since(Thread.created_at, _moment(span.start)).label("week"),
        Thread.first_reply_at.is_not(None).label("responded"),
        Thread.accepted_post_id.is_not(None).label("solved"),
        is_escalated().label("escalated"),
    ).where(question_filter(span)).subquery()
    grouped = select(
        rows.c.week, func.count(), _count_where(rows.c.responded), _count_where(rows.c.solved),
        _count_where(rows.c.escalated),
    ).group_by(rows.c.week)
    return {week: tuple(counts) for week, *counts in db.session.execute(grouped)}


def _weekly_medians(span: Period) -> dict[int, int]:
    """The median first response per week, by window functions partitioned by week (one query)."""
    waits = select(
        whole_weeks_since(Thread.created_at, _moment(span.start)).label("week"),
        seconds_between(Thread.first_reply_at, Thread.created_at).label("wait"),
    ).where(question_filter(span), Thread.first_reply_at.is_not(None)).subquery()
    ranked = select(
        waits.c.week, waits.c.wait,
        func.row_number().over(partition_by=waits.c.week, order_by=waits.c.wait).label("position"),
        func.count().over(partition_by=waits.c.week).label("total"),
    ).subquery()
    middle = (
        select(ranked.c.week, func.avg(ranked.c.wait))
        .where(ranked.c.position.in_([(ranked.c.total + 1) // 2, (ranked.c.total + 2) // 2]))
        .group_by(ranked.c.week)
    )
    return {week: round(value) for week, value in db.session.execute(middle)}


def _weekly_cases(span: Period) -> dict[int, tuple[int, int]]:
    rows = select(
        whole_weeks_since(Case.created_at, _moment(span.start)).label("week"),
        breached_condition(clock.now()).label("breached"),
    ).where(case_filter(span)).subquery()
    grouped = select(rows.c.week, func.count(), _count_where(rows.c.breached)).group_by(rows.c.week)
    return {week: (opened, breached) for week, opened, breached in db.session.execute(grouped)}


def _weekly_deflections(span: Period) -> dict[int, tuple[int, int]]:
    """Deflections per week of opening (metric_queries.deflection_filter): all, and those by articles."""
    rows = select(
        whole_weeks_since(SuggestionOpen.opened_at, _moment(span.start)).label("week"),
        is_article_deflection().label("article"),
    ).where(deflection_filter(span)).subquery()
    grouped = select(rows.c.week, func.count(), _count_where(rows.c.article)).group_by(rows.c.week)
    return {week: (total, articles) for week, total, articles in db.session.execute(grouped)}


@dataclass(frozen=True)
class WaitingQuestion:
    thread_id: int
    slug: str
    title: str
    category: str
    created_at: datetime
    waited_s: int
    status: str


@dataclass(frozen=True)
class Backlog:
    """Questions past their first-response target right now: the oldest `items`, and how many in all."""

    target_hours: float
    total: int
    items: list[WaitingQuestion]


def first_response_backlog(category_id: int | None, limit: int = 20) -> Backlog:
    """Live public questions nobody but the asker has replied to, waiting longer than sla.first_reply_hours.

    The wait is the SLA clock's (forum.cases.triggers): time spent waiting on the asker's
    information (needs info) does not count. Solved or closed questions are no longer waiting.
    One query: the total comes from a window count over the same rows.
    """
    now = clock.now()
    target_hours = community_settings.get_setting("sla.first_reply_hours")
    target_s = target_hours * 3600
    paused = func.coalesce(Thread.paused_seconds, 0) + func.coalesce(
        seconds_between(_moment(now), Thread.needs_info_since), 0)
    waited = seconds_between(_moment(now), Thread.created_at) - paused
    conditions = [
        Thread.kind == ThreadKind.QUESTION.value, Thread.deleted_at.is_(None),
        Thread.visibility == Visibility.PUBLIC.value, Thread.merged_into_id.is_(None),
        Thread.first_reply_at.is_(None), Thread.status.not_in(DONE),
        Thread.created_at <= now - timedelta(seconds=target_s), waited >= target_s,
    ]
    if category_id is not None:
        conditions.append(Thread.category_id == category_id)
    rows = db.session.execute(
        select(Thread.id, Thread.slug, Thread.title, Category.name, Thread.created_at, waited, Thread.status,
               func.count().over())
        .join(Category, Category.id == Thread.category_id)
        .where(*conditions)
        .order_by(Thread.created_at, Thread.id)
        .limit(limit)
    ).all()
    items = [WaitingQuestion(row[0], row[1], row[2], row[3], row[4], round(row[5]), row[6]) for row in rows]
    return Backlog(target_hours=target_hours, total=rows[0][-1] if rows else 0, items=items)


@dataclass(frozen=True)
class Advocate:
    """A member's place among the period's problem solvers; equal counts share a rank."""

    rank: int
    user: User
    solutions: int
    rescues: int


def top_advocates(period: Period, limit: int = 10) -> list[Advocate]:
    """Non-staff users by accepted replies on questions solved in the period, then by rescues.

    A rescue is a solution on a question that waited more than rescue_wait() for its first reply
    (the rule reputation pays its bonus by). Answering your own question is no help to anyone
    else, so it does not count; staff answers are their job and are left out.
    """
    rescued = seconds_between(Thread.first_reply_at, Thread.created_at) > rescue_wait().total_seconds()
    solutions, rescues = func.count(Thread.id).label("solutions"), _count_where(rescued).label("rescues")
    conditions = [
        Thread.kind == ThreadKind.QUESTION.value, Thread.deleted_at.is_(None),
        Thread.visibility == Visibility.PUBLIC.value, Thread.merged_into_id.is_(None),
        Thread.solved_at >= period.start, Thread.solved_at < period.end,
        Post.author_id != Thread.author_id, Post.deleted_at.is_(None), User.role.not_in(STAFF_ROLES),
    ]
    if period.category_id is not None:
        conditions.append(Thread.category_id == period.category_id)
    rows = db.session.execute(
        select(User, solutions, rescues)
        .select_from(Thread)
        .join(Post, Post.id == Thread.accepted_post_id)
        .join(User, User.id == Post.author_id)
        .where(*conditions)
        .group_by(User.id)
        .order_by(solutions.desc(), rescues.desc(), User.username_key)
        .limit(limit)
    ).all()
    ranked: list[Advocate] = []
    for position, (user, solved, rescued_count) in enumerate(rows, start=1):
        tied = ranked and (ranked[-1].solutions, ranked[-1].rescues) == (solved, rescued_count)
        ranked.append(Advocate(ranked[-1].rank if tied else position, user, solved, rescued_count))
    return ranked


@dataclass(frozen=True)
class WatchedThread:
    thread_id: int
    slug: str
    title: str
    category: str
    shift: float
    status: str


def sentiment_watchlist(period: Period, limit: int = 10) -> list[WatchedThread]:
    """The period's questions whose asker sounds worse now than when they asked, the steepest fall first."""
    shifts = sentiment_shifts(period).subquery()
    rows = db.session.execute(
        select(Thread.id, Thread.slug, Thread.title, Category.name, shifts.c.shift, Thread.status)
        .join(shifts, shifts.c.thread_id == Thread.id)
        .join(Category, Category.id == Thread.category_id)
        .where(shifts.c.shift < 0)
        .order_by(shifts.c.shift, Thread.id)
        .limit(limit)
    ).all()
    return [WatchedThread(row[0], row[1], row[2], row[3], round(float(row[4]), 4), row[5]) for row in rows]


def escalation_ratings(period: Period) -> dict:
    """Agents' ratings of the period's escalations (in the chosen category, when there is one)."""
    return ratings.rating_summary(period.start, period.end, period.category_id)


def category_choices() -> list[Category]:
    """Every category in display order, for the dashboard's filter (one light query, no counts)."""
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.name)))
