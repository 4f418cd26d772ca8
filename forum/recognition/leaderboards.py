"""Leaderboards: who helped most this week, this month or ever, overall or in one category.

Read straight from the reputation ledger in one grouped query: points are the sum of ledger
deltas dated in the period (a reversal dated in the period subtracts), solutions are the
acceptances dated in the period minus the acceptances reversed in it. Per-category boards
use the category recorded on each row, so moving a thread later does not rewrite history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, case, func, or_, select

from forum.core import clock
from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.core.i18n import _, _l
from forum.models import LedgerReason, ReputationEvent, Role, User

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"
    ALL = "all"


# Rolling windows, so the board is never empty on a Monday morning or the 1st of a month.
PERIOD_LENGTH: dict[Period, timedelta | None] = {
    Period.WEEK: timedelta(days=7),
    Period.MONTH: timedelta(days=30),
    Period.ALL: None,
}
PERIOD_LABELS = {Period.WEEK: _l("This week"), Period.MONTH: _l("This month"), Period.ALL: _l("All time")}
# The boards recognise peers: answering is staff's job, so their points would crowd out the community.
STAFF_ROLES = tuple(role.value for role in Role if role.is_staff)


@dataclass(frozen=True)
class Standing:
    position: int
    user: User
    points: int
    solutions: int


def parse_period(raw: str | None) -> Period:
    """?period=week|month|all (week when left out); anything else is a 422 naming the field."""
    if raw in (None, ""):
        return Period.WEEK
    try:
        return Period(raw)
    except ValueError as exc:
        raise Invalid({"period": [_("Choose week, month or all.")]}) from exc


def period_start(period: Period, now: datetime | None = None) -> datetime | None:
    length = PERIOD_LENGTH[period]
    return None if length is None else (now or clock.now()) - length


def leaderboard(period: Period, category_id: int | None = None, limit: int = DEFAULT_LIMIT) -> list[Standing]:
    """The top helpers, most points first; ties go to more solutions, then to the longer-standing member.

    People with nothing positive in the period (no points and no solutions), staff and
    anonymized accounts are left out.
    """
    accepted = ReputationEvent.reason == LedgerReason.REPLY_ACCEPTED.value
    solution_move = case(
        (and_(accepted, ReputationEvent.reverses_id.is_(None)), 1), (accepted, -1), else_=0
    )
    points = func.coalesce(func.sum(ReputationEvent.delta), 0)
    solutions = func.coalesce(func.sum(solution_move), 0)
    statement = (
        select(User, points.label("points"), solutions.label("solutions"))
        .join(ReputationEvent, ReputationEvent.user_id == User.id)
        .where(User.anonymized_at.is_(None), User.role.not_in(STAFF_ROLES))
        .group_by(User.id)
        .having(or_(points > 0, solutions > 0))
        .order_by(points.desc(), solutions.desc(), User.id)
        .limit(max(1, min(MAX_LIMIT, limit)))
    )
    since = period_start(period)
    if since is not None:
        statement = statement.where(ReputationEvent.created_at >= since)
    if category_id is not None:
        statement = statement.where(ReputationEvent.category_id == category_id)
    rows = db.session.execute(statement)
    return [
        Standing(position=n, user=user, points=int(p), solutions=int(s))
        for n, (user, p, s) in enumerate(rows, start=1)
    ]
