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

from sqlalchemy import ColumnElement, Float, Select, and_, exists, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from forum.core import clock
from forum.core.errors import ErrorCollector
from forum.core.extensions import db
from forum.models import Case, Category, Feedback, Post, Thread, ThreadKind, User, Visibility
from forum.models.accounts import Role

STAFF_ROLES = tuple(role.value for role in Role if role.is_staff)


class seconds_between(FunctionElement):  # noqa: N801 - reads like the SQL function it compiles to
    """SQL seconds from `earlier` to `later` (two datetime columns), on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_between_postgresql(element, compiler, **kw) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC, optionally one category."""

    start: datetime
    end: datetime
    category_id: int | None = None

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    def previous(self) -> Period:
        """The period of the same length just before this one (the dashboard's comparison)."""
        return Period(self.start - self.length, self.start, self.category_id)


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
        errors.add("category", "No such category.")
        return None
    if text.isascii() and text.isdigit() and int(text) < 2**31:
        category = db.session.get(Category, int(text))
    else:
        category = db.session.scalar(select(Category).where(Category.slug == text[:100]))
    if category is None:
        errors.add("category", "No such category.")
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
            errors.add("to", "Use a date like 2026-11-30 or an RFC 3339 time like 2026-11-30T12:00:00Z.")
    start = None
    if start_text and start_text.strip():
        start = _parse_moment(start_text, end_of_day=False)
        if start is None:
            errors.add("from", "Use a date like 2026-11-01 or an RFC 3339 time like 2026-11-01T00:00:00Z.")
    category_id = _parse_category(category_text or "", errors)
    errors.raise_if_any()
    start = start or end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        errors.add("from", "The period must start before it ends.")
    elif end - start > MAX_PERIOD:
        errors.add("from", "Choose a period of at most three years.")
    errors.raise_if_any()
    return Period(start, end, category_id)


def question_filter(period: Period) -> ColumnElement[bool]:
    """Questions asked in the period: the cohort every question metric divides by."""
    conditions = [
        Thread.kind == ThreadKind.QUESTION.value,
        Thread.deleted_at.is_(None),
        Thread.visibility == Visibility.PUBLIC.value,
        Thread.merged_into_id.is_(None),
        Thread.created_at >= period.start,
        Thread.created_at < period.end,
    ]
    if period.category_id is not None:
        conditions.append(Thread.category_id == period.category_id)
    return and_(*conditions)


def case_filter(period: Period) -> ColumnElement[bool]:
    """Cases opened in the period (on threads of the category, when one is chosen)."""
    conditions = [Case.created_at >= period.start, Case.created_at < period.end]
    if period.category_id is not None:
        conditions.append(Case.thread_id.in_(select(Thread.id).where(Thread.category_id == period.category_id)))
    return and_(*conditions)


def _ratio(part: int | None, whole: int | None) -> float | None:
    return None if not whole else (part or 0) / whole


def _whole_seconds(value: float | None) -> int | None:
    return None if value is None else round(value)


def medians(values: Select) -> tuple[float | None, ...]:
    """The median of each column of a select, all in one statement computed by the database.

    Window functions rank each column's non-NULL values (NULLs get their own partition, so they
    never take a middle position); no row is loaded into Python. One statement and one scan of
    `values` however many columns: the dashboard asks for several medians of the same cohort.
    """
    inner = values.subquery()
    ranked_columns = []
    for i, column in enumerate(inner.c):
        ranked_columns += [
            column.label(f"value_{i}"),
            func.row_number().over(partition_by=column.is_(None), order_by=column).label(f"position_{i}"),
            func.count(column).over().label(f"total_{i}"),
        ]
    ranked = select(*ranked_columns).subquery()
    middles = []
    for i in range(len(inner.c)):
        value, position, total = ranked.c[f"value_{i}"], ranked.c[f"position_{i}"], ranked.c[f"total_{i}"]
        # Integer division picks the middle row (odd count) or the two middle rows (even count).
        middle = and_(value.is_not(None), position.in_([(total + 1) // 2, (total + 2) // 2]))
        middles.append(func.avg(sql_case((middle, value))))
    return tuple(db.session.execute(select(*middles)).one())


def median(values: Select) -> float | None:
    """The median of a one-column select (see medians)."""
    return medians(values)[0]


def is_escalated() -> ColumnElement[bool]:
    return exists().where(Case.thread_id == Thread.id)


def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """SQL: how many rows of the aggregate meet condition (0, not NULL, when none do)."""
    return func.coalesce(func.sum(sql_case((condition, 1), else_=0)), 0)


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


def first_replies(period: Period) -> Select:
    """Per question with a reply: when its first public reply by someone else came from a peer, and from staff.

    One grouped pass over the questions' posts gives both (a NULL where that side never replied).
    Staff are told apart by author id against the (small) set of staff ids rather than a join to
    every reply's user row: with ix_post_thread_author the pass then never leaves that index.
    """
    by_staff = Post.author_id.in_(select(User.id).where(User.role.in_(STAFF_ROLES)))
    return (
        select(
            Thread.id.label("thread_id"),
            func.min(sql_case((~by_staff, Post.created_at))).label("peer_at"),
            func.min(sql_case((by_staff, Post.created_at))).label("staff_at"),
        )
        .join(Post, Post.thread_id == Thread.id)
        .where(
            question_filter(period),
            Post.is_question.is_(False),
            Post.author_id != Thread.author_id,
            Post.deleted_at.is_(None),
            Post.visibility == Visibility.PUBLIC.value,
        )
        .group_by(Thread.id)
    )


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


def breached_condition(now: datetime) -> ColumnElement[bool]:
    """A case breached its SLA: the first staff response came late, or has not come and is late now."""
    return sql_case(
        (Case.first_response_at.is_not(None), Case.first_response_at > Case.first_response_due_at),
        else_=Case.first_response_due_at < now,
    )


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


def sentiment_shifts(period: Period) -> Select:
    """Per question where the asker followed up: (thread_id, shift = last minus first post's sentiment).

    Threads where the asker only wrote the question have no shift, rather than a shift of 0.
    One window (the asker's posts in time order, whole partition as the frame) yields the first,
    the last and the count, so the posts are ordered once, by the (thread, time) index order. With
    three differently ordered windows SQLite instead walked every post the asker ever wrote for
    each thread (ix_post_author_id): 1.5 s instead of milliseconds on the benchmark corpus.
    """
    in_order = {
        "partition_by": Post.thread_id,
        "order_by": (Post.created_at, Post.id),
        "rows": (None, None),  # the whole partition: last_value sees the last post, count() all of them
    }
    asker_posts = (
        select(
            Post.thread_id,
            func.first_value(Post.sentiment).over(**in_order).label("first"),
            func.last_value(Post.sentiment).over(**in_order).label("last"),
            func.count().over(**in_order).label("posts"),
        )
        .join(Thread, Thread.id == Post.thread_id)
        .where(
            question_filter(period),
            Post.author_id == Thread.author_id,
            Post.deleted_at.is_(None),
            Post.sentiment.is_not(None),
        )
        .subquery()
    )
    return (
        select(asker_posts.c.thread_id, (func.max(asker_posts.c.last) - func.max(asker_posts.c.first)).label("shift"))
        .where(asker_posts.c.posts > 1)
        .group_by(asker_posts.c.thread_id)
    )


def _sentiment_shift(period: Period) -> tuple[int, float | None]:
    shifts = sentiment_shifts(period).subquery()
    threads, average = db.session.execute(select(func.count(), func.avg(shifts.c.shift))).one()
    return threads, None if average is None else round(float(average), 4)


def summary(period: Period) -> Summary:
    """Every outcome metric for the period: six aggregate statements, whatever the community's size.

    On the 40,000-post benchmark corpus (bench/analytics_bench.py) a 30-day summary costs tens of
    milliseconds; most of it is the first-response pass over the period's replies.
    """
    asked, responded, solved, by_community, escalated = _question_counts(period)
    cases, breached = _case_counts(period)
    responses, satisfied_share, average_rating = _satisfaction(period)
    sentiment_threads, shift = _sentiment_shift(period)
    first_response, first_response_peer, first_response_staff = _median_first_responses(period)
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

