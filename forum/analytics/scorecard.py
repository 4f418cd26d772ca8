"""The public scorecard: the community's figures beside its targets ("First reply within 4 hours: 94% of
questions (target 80%)"), never a promise the figures may not keep.

Computed by one SQL aggregate over the questions of the last 90 days (the same cohort as the
outcome metrics, through metric_queries.question_filter), for one category, the whole community, or every
category at once grouped by category. Pages read what the worker last stored (scorecard_store); these
live functions are what it stores, and what a page falls back on before the first pass. Below
MIN_QUESTIONS a percentage would mislead (one unanswered question reads as "0% get a reply"), so the
scorecard says there is not enough yet. The target share (scorecard.first_reply_target_pct) is stored with
the counts, like the target hours, so a category page reads no setting; a changed target shows after the
worker's next pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select

from forum.analytics import metric_queries
from forum.core import clock
from forum.core.extensions import db
from forum.core.i18n import _, format_decimal, ngettext
from forum.models import Category, Thread
from forum.services import community_settings

WINDOW = timedelta(days=90)
MIN_QUESTIONS = 5
TARGET_SETTING = "sla.first_reply_hours"
TARGET_PERCENT_SETTING = "scorecard.first_reply_target_pct"


def _percent(part: int, whole: int) -> int | None:
    """A whole percentage, or None when there is nothing to divide by."""
    return round(100 * part / whole) if whole else None


def describe_hours(hours: float) -> str:
    """The first-response target as people say it: "4 hours", "1 hour", "30 minutes", "1.5 hours"."""
    if hours < 1:
        return ngettext("%(num)d minute", "%(num)d minutes", round(hours * 60))
    if float(hours).is_integer():
        return ngettext("%(num)d hour", "%(num)d hours", int(hours))
    return _("%(hours)s hours", hours=format_decimal(hours))


@dataclass(frozen=True)
class Scorecard:
    """How one category (None: the whole community) did over the last 90 days, and the target it is held to."""

    category_id: int | None
    questions: int
    # Questions whose first-reply deadline has passed (or that got a reply): the in-time share's base,
    # so a question asked ten minutes ago never counts as a miss.
    due: int
    replied_in_time: int
    solved: int
    solved_by_community: int
    target_hours: float

    minimum: int = MIN_QUESTIONS
    # The share of questions that should get a first reply within target_hours (None: no target shown).
    target_percent: int | None = None

    @property
    def enough(self) -> bool:
        return self.questions >= self.minimum

    @property
    def replied_in_time_percent(self) -> int | None:
        return _percent(self.replied_in_time, self.due) if self.enough else None

    @property
    def target_met(self) -> bool | None:
        """Whether the in-time share reaches the target share; None when there is no figure or no target."""
        measured = self.replied_in_time_percent
        if measured is None or self.target_percent is None:
            return None
        return measured >= self.target_percent

    @property
    def solved_percent(self) -> int | None:
        return _percent(self.solved, self.questions) if self.enough else None

    @property
    def community_percent(self) -> int | None:
        """Of the solved questions, the share a peer's reply solved (None when none was solved)."""
        return _percent(self.solved_by_community, self.solved) if self.enough else None

    @property
    def target(self) -> str:
        return describe_hours(self.target_hours)


def _window() -> metric_queries.Period:
    """The last 90 days, up to and including this moment (a period's end is exclusive)."""
    now = clock.now()
    return metric_queries.Period(now - WINDOW, now + timedelta(seconds=1))


def _counts(target_hours: float) -> tuple[ColumnElement[int], ...]:
    """questions, due, replied within the target, solved, solved by the community: one row of aggregates."""
    # Whole seconds: julianday arithmetic on SQLite is a hair off, and a reply at exactly 4 h is in time.
    wait = func.round(metric_queries.seconds_between(Thread.first_reply_at, Thread.created_at))
    solved = Thread.accepted_post_id.is_not(None)
    deadline_passed = Thread.created_at <= clock.now() - timedelta(hours=target_hours)
    return (
        func.count(Thread.id),
        metric_queries.count_where(or_(Thread.first_reply_at.is_not(None), deadline_passed)),
        metric_queries.count_where(and_(Thread.first_reply_at.is_not(None), wait <= target_hours * 3600)),
        metric_queries.count_where(solved),
        metric_queries.count_where(and_(solved, Thread.solved_by == "community")),
    )


def target_percent() -> int:
    """The share of questions the community aims to reply to in time (read with every other setting, once)."""
    return int(community_settings.cached_setting(TARGET_PERCENT_SETTING))


def _card(category_id: int | None, row, target_hours: float) -> Scorecard:
    questions, due, in_time, solved, by_community = row if row is not None else (0, 0, 0, 0, 0)
    return Scorecard(category_id, int(questions), int(due), int(in_time), int(solved), int(by_community),
                     target_hours, target_percent=target_percent())


def scorecard(category_id: int | None = None) -> Scorecard:
    """One category's scorecard, or the whole community's (two statements: the settings and one aggregate)."""
    target = float(community_settings.cached_setting(TARGET_SETTING))
    period = _window()
    period = metric_queries.Period(period.start, period.end, category_id)
    row = db.session.execute(select(*_counts(target)).where(metric_queries.question_filter(period))).one()
    return _card(category_id, row, target)


def scorecards_by_category() -> list[tuple[Category, Scorecard]]:
    """Every category with its scorecard, in display order: three statements however many categories."""
    target = float(community_settings.cached_setting(TARGET_SETTING))
    rows = db.session.execute(
        select(Thread.category_id, *_counts(target))
        .where(metric_queries.question_filter(_window()))
        .group_by(Thread.category_id)
    )
    by_category = {category_id: counts for category_id, *counts in rows}
    categories = db.session.scalars(select(Category).order_by(Category.position, Category.name, Category.id))
    return [(category, _card(category.id, by_category.get(category.id), target)) for category in categories]
