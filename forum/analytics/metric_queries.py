"""The outcome metrics' SQL building blocks: the Period cohort, its filters, medians and per-question rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, DateTime, Float, Select, and_, exists, func, literal_column, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from forum.core.extensions import db
from forum.models import Article, Case, Post, SuggestionKind, SuggestionOpen, Thread, ThreadKind, User, Visibility
from forum.models.accounts import Role

# The metrics (forum.analytics.metrics), the dashboard, the exports and the scorecard all build on these,
# so every figure counts the same questions and cases the same way.
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


class plus_seconds(FunctionElement):  # noqa: N801 - reads like the SQL function it compiles to
    """SQL: a datetime column moved by a whole number of seconds, exactly (no floating point), on both databases.

    Comparing `later < plus_seconds(earlier, n)` instead of `seconds_between(later, earlier) < n` keeps a
    boundary exact: SQLite's julianday() difference is a float, and a moment exactly n seconds later came out
    a few microseconds short of n about a third of the time. SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff': whole
    seconds are added to the first 19 characters and the fraction is kept as it was.
    """

    type = DateTime()
    inherit_cache = True
    name = "plus_seconds"

    def __init__(self, moment, seconds: int) -> None:
        super().__init__(moment, literal_column(str(int(seconds))))


@compiles(plus_seconds, "sqlite")
def _plus_seconds_sqlite(element, compiler, **kw) -> str:
    moment, seconds = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(datetime(substr({moment}, 1, 19), '+{seconds} seconds') || substr({moment}, 20))"


@compiles(plus_seconds, "postgresql")
def _plus_seconds_postgresql(element, compiler, **kw) -> str:
    moment, seconds = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({moment} + make_interval(secs => {seconds}))"


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


def deflection_filter(period: Period) -> ColumnElement[bool]:
    """Deflections of the period (forum.knowledge.deflection): suggestions opened from the ask page in the period
    (by opened_at) after which the asker posted no question within the window. Only settled rows count, so the
    last knowledge.deflection_minutes of a period ending now are counted once the settling job has run.
    In a category: the opened thread's or article's category."""
    conditions = [
        SuggestionOpen.deflected.is_(True),
        SuggestionOpen.opened_at >= period.start,
        SuggestionOpen.opened_at < period.end,
    ]
    if period.category_id is not None:
        conditions.append(or_(
            SuggestionOpen.thread_id.in_(select(Thread.id).where(Thread.category_id == period.category_id)),
            SuggestionOpen.article_id.in_(select(Article.id).where(Article.category_id == period.category_id)),
        ))
    return and_(*conditions)


def is_article_deflection() -> ColumnElement[bool]:
    return SuggestionOpen.kind == SuggestionKind.ARTICLE.value


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


def breached_condition(now: datetime) -> ColumnElement[bool]:
    """A case breached its SLA: the first staff response came late, or has not come and is late now."""
    return sql_case(
        (Case.first_response_at.is_not(None), Case.first_response_at > Case.first_response_due_at),
        else_=Case.first_response_due_at < now,
    )


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
