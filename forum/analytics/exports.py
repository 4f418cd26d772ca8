"""CSV exports of the outcome metrics: the summary against the previous period, and one row per question.

RFC 4180 through the csv module (CRLF line ends, quoting as needed). Rows are produced in keyset
batches, so exporting a large community neither loads it into memory nor holds one long cursor.
Text that people wrote (titles, category names) is guarded against CSV formula injection: a cell
starting with = + - @ tab or CR gets a leading apostrophe, so a spreadsheet shows it as text
instead of running it. Numbers are written as numbers: a negative sentiment shift stays -0.5.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import aliased

from forum.analytics import metric_queries, metrics
from forum.analytics.metric_queries import Period
from forum.core.extensions import db
from forum.models import Case, Category, Feedback, Thread

METRICS_HEADER = ["metric", "this_period", "previous_period", "change"]
THREADS_HEADER = [
    "thread_id", "title", "category", "created_at", "first_reply_at", "first_response_s", "status", "solved_by",
    "solved_at", "escalated", "case_id", "case_status", "sentiment_shift", "feedback_resolved", "feedback_rating",
]
BATCH = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DECIMALS = 6


def cell(value: object) -> object:
    """One value as written to the CSV; text that a spreadsheet would run as a formula is defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _lines(rows: Iterable[list[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def _change(current: object, previous: object) -> float | int | None:
    if not isinstance(current, int | float) or not isinstance(previous, int | float):
        return None
    return current - previous if isinstance(current, int) and isinstance(previous, int) else \
        round(current - previous, DECIMALS)


def metrics_csv(period: Period) -> Iterator[str]:
    """Every metric of metrics.summary (and the counts behind it) for the period and the one before."""
    current, previous = metrics.summary(period).as_dict(), metrics.summary(period.previous()).as_dict()
    rows = [[name, value, previous[name], _change(value, previous[name])] for name, value in current.items()]
    yield _lines([METRICS_HEADER, *rows])


def threads_csv(period: Period, batch: int = BATCH) -> Iterator[str]:
    """One row per question asked in the period (metric_queries.question_filter), oldest id first, in batches."""
    yield _lines([THREADS_HEADER])
    after = 0
    while True:
        rows = db.session.execute(_thread_rows(period).where(Thread.id > after).limit(batch)).all()
        if not rows:
            return
        shifts = _shifts(period, [row.id for row in rows])
        yield _lines([_row(row, shifts.get(row.id)) for row in rows])
        if len(rows) < batch:
            return
        after = rows[-1].id


def _row(row, shift: float | None) -> list[object]:
    """A result row in THREADS_HEADER order; escalated means the question got a case."""
    (thread_id, title, category, created_at, first_reply_at, wait, status, solved_by, solved_at, case_id,
     case_status, resolved, rating) = row
    return [thread_id, title, category, created_at, first_reply_at, None if wait is None else round(wait), status,
            solved_by, solved_at, case_id is not None, case_id, case_status, shift, resolved, rating]


def _thread_rows(period: Period) -> Select:
    """A question's outcome columns: the newest case (if any) and the asker's feedback joined in."""
    latest = aliased(Case)
    newest_case = select(func.max(Case.id)).where(Case.thread_id == Thread.id).correlate(Thread).scalar_subquery()
    return (
        select(
            Thread.id, Thread.title, Category.name, Thread.created_at, Thread.first_reply_at,
            metric_queries.seconds_between(Thread.first_reply_at, Thread.created_at),
            Thread.status, Thread.solved_by, Thread.solved_at, latest.id, latest.status,
            Feedback.resolved, Feedback.rating,
        )
        .join(Category, Category.id == Thread.category_id)
        .outerjoin(latest, latest.id == newest_case)
        .outerjoin(Feedback, and_(Feedback.thread_id == Thread.id, Feedback.user_id == Thread.author_id))
        .where(metric_queries.question_filter(period))
        .order_by(Thread.id)
    )


def _shifts(period: Period, thread_ids: list[int]) -> dict[int, float]:
    """The asker's sentiment shift for these questions (metric_queries.sentiment_shifts, narrowed to the batch)."""
    shifts = metric_queries.sentiment_shifts(period).subquery()
    rows = db.session.execute(select(shifts.c.thread_id, shifts.c.shift).where(shifts.c.thread_id.in_(thread_ids)))
    return {thread_id: round(float(shift), 4) for thread_id, shift in rows}
