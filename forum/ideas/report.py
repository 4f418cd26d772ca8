"""The ideas report for staff (/admin/ideas and its CSV): what members ask for, and who is asking.

Numbers come from the rows themselves, each a single grouped statement whatever the number of ideas:
votes cast per day (a vote merged into another idea keeps its day; a vote taken back, withdrawn or
removed as serial voting, no longer counts), the ideas and votes per ideas category, and the voters
split into segments product teams weigh differently: advocates, customers who have opened a support
case, and other members (a member in two segments counts once, in the first). Deleted ideas count
nowhere. The CSV holds one row per idea; text members wrote goes through forum.analytics.exports.cell,
so a title starting with "=" reads as text in a spreadsheet instead of running as a formula.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, case, exists, func, select

from forum.analytics.exports import cell
from forum.core import clock
from forum.core.extensions import db
from forum.models import Case, Category, Idea, IdeaLink, IdeaStatus, IdeaVote, Role, Thread, User
from forum.recognition.history import day_number

MAX_DAYS = 366
SEGMENTS = ("advocates", "customers", "others")
CSV_HEADER = ["idea_id", "title", "category", "status", "votes", "open_votes", "linked_questions", "linked_cases",
              "created_at", "status_changed_at", "url_path"]


@dataclass(frozen=True)
class CategoryRow:
    category: str
    ideas: int
    votes: int
    open_ideas: int
    shipped: int


@dataclass(frozen=True)
class SegmentRow:
    segment: str  # one of SEGMENTS
    voters: int
    votes: int


@dataclass(frozen=True)
class IdeaRow:
    idea_id: int
    title: str
    category: str
    status: str
    votes: int
    open_votes: int
    linked_questions: int
    linked_cases: int
    created_at: datetime
    status_changed_at: datetime | None
    slug: str


def _live() -> ColumnElement[bool]:
    return Thread.deleted_at.is_(None)


def votes_over_time(days: int = 30) -> list[tuple[date, int]]:
    """(day, votes cast that day) for each of the last `days` UTC days, oldest first, today last; 0 for none."""
    days = max(1, min(int(days), MAX_DAYS))
    today = clock.now().date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time(), tzinfo=UTC)
    rows = select(day_number(IdeaVote.created_at).label("day"), IdeaVote.created_at.label("at")) \
        .join(Thread, Thread.id == IdeaVote.idea_id).where(IdeaVote.created_at >= start, _live()).subquery()
    # Grouped outside the subquery: PostgreSQL can't tell the two copies of the expression apart otherwise.
    counted = db.session.execute(select(func.min(rows.c.at), func.count()).group_by(rows.c.day))
    per_day = {at.astimezone(UTC).date(): count for at, count in counted}
    return [(first + timedelta(days=n), per_day.get(first + timedelta(days=n), 0)) for n in range(days)]


def by_category() -> list[CategoryRow]:
    """Per ideas category with ideas: how many, their votes, how many still open, how many shipped; most votes first."""
    closed = [status.value for status in IdeaStatus if not status.is_open]
    statement = (
        select(Category.name, func.count(Idea.thread_id), func.coalesce(func.sum(Idea.vote_count), 0),
               func.sum(case((Idea.status.not_in(closed), 1), else_=0)),
               func.sum(case((Idea.status == IdeaStatus.SHIPPED.value, 1), else_=0)))
        .join(Thread, Thread.id == Idea.thread_id).join(Category, Category.id == Thread.category_id)
        .where(_live()).group_by(Category.id, Category.name)
        .order_by(func.sum(Idea.vote_count).desc(), Category.name)
    )
    return [CategoryRow(name, ideas, int(votes), int(open_ideas or 0), int(shipped or 0))
            for name, ideas, votes, open_ideas, shipped in db.session.execute(statement)]


def by_segment() -> list[SegmentRow]:
    """Voters and their votes per segment (advocates, customers with a case, others), every segment listed."""
    has_case = exists().where(Case.customer_id == User.id)
    segment = case((User.role == Role.ADVOCATE.value, "advocates"), (has_case, "customers"), else_="others")
    votes = (select(IdeaVote.user_id.label("user_id"), segment.label("segment"))
             .join(User, User.id == IdeaVote.user_id).join(Thread, Thread.id == IdeaVote.idea_id)
             .where(_live()).subquery())
    counted = db.session.execute(select(votes.c.segment, func.count(func.distinct(votes.c.user_id)), func.count())
                                 .group_by(votes.c.segment))
    found = {name: (voters, count) for name, voters, count in counted}
    return [SegmentRow(name, *found.get(name, (0, 0))) for name in SEGMENTS]


def report_rows(limit: int | None = None) -> list[IdeaRow]:
    """One row per live idea, most voted first (then newest): its numbers and how many links staff attached."""
    open_votes = (select(func.count()).where(IdeaVote.idea_id == Idea.thread_id, IdeaVote.released_at.is_(None))
                  .correlate(Idea).scalar_subquery())
    def linked(column):
        return select(func.count(column)).where(IdeaLink.idea_id == Idea.thread_id).correlate(Idea).scalar_subquery()

    statement = (
        select(Idea.thread_id, Thread.title, Category.name, Idea.status, Idea.vote_count, open_votes,
               linked(IdeaLink.thread_id), linked(IdeaLink.case_id), Idea.created_at, Idea.status_changed_at,
               Thread.slug)
        .join(Thread, Thread.id == Idea.thread_id).join(Category, Category.id == Thread.category_id)
        .where(_live()).order_by(Idea.vote_count.desc(), Idea.thread_id.desc()).limit(limit)
    )
    return [IdeaRow(*row) for row in db.session.execute(statement)]


def report_csv() -> str:
    """Every live idea's row as CSV (RFC 4180, the header first), safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in report_rows():
        writer.writerow(cell(value) for value in (
            row.idea_id, row.title, row.category, row.status, row.votes, row.open_votes, row.linked_questions,
            row.linked_cases, row.created_at, row.status_changed_at, f"/t/{row.idea_id}/{row.slug}"))
    return buffer.getvalue()
