"""The public scorecard as pages read it: computed by the worker every few minutes, stored one row per card.

Aggregating every question of the 90-day window on each category page made the page slower the bigger
the community grew (issue 21: -30 % at 400,000 posts). The worker's periodic job computes each
category's card and the community's with forum.analytics.scorecard and keeps them in scorecard_snapshot;
the category page reads its card with the category itself, and /scorecard reads them all.

A pass that finds the same figures writes nothing, so the signed-out page cache (retired by any write to
what visitors see) is not emptied every few minutes for nothing. Until a pass has stored a card (a
fresh install, or a category made since the last pass) the page computes it live, as before: the
figures are always shown and right, and the live query is cheap exactly when a community or category is new.
The target share (a setting) is stored with the counts it was judged against, like the target hours; a
change of it reaches the pages with the next pass.
"""

from __future__ import annotations

from sqlalchemy import select

from forum.analytics import scorecard
from forum.core import clock
from forum.core.extensions import db
from forum.models import Category, ScorecardSnapshot
from forum.models.analytics import SCORECARD_FIGURES as FIGURES

REFRESH_JOB = "analytics.refresh_scorecards"
REFRESH_EVERY_S = 300  # the figures cover 90 days: five minutes late still tells whether the target was met


def _figures(card_or_row: scorecard.Scorecard | ScorecardSnapshot) -> dict[str, float]:
    return {name: getattr(card_or_row, name) for name in FIGURES}


def from_snapshot(row: ScorecardSnapshot) -> scorecard.Scorecard:
    """The card a stored row holds (its sentence names the targets its counts were taken against)."""
    return _stored_card(row.category_id, _figures(row))


def _stored_card(category_id: int | None, figures: dict[str, float]) -> scorecard.Scorecard:
    if figures.get("target_percent") is None:  # stored before the target share was (migration 0018)
        figures = figures | {"target_percent": scorecard.target_percent()}
    return scorecard.Scorecard(category_id, **figures)


def refresh(_payload: dict | None = None) -> int:
    """Recompute every category's and the community's card; store those that changed and return how many did."""
    moment = clock.now()
    cards = [scorecard.scorecard(None), *(card for _category, card in scorecard.scorecards_by_category())]
    stored: dict[int | None, ScorecardSnapshot] = {}
    twins = []
    for row in db.session.scalars(select(ScorecardSnapshot).order_by(ScorecardSnapshot.id)):
        # UNIQUE lets two community rows (category NULL) in: two workers' first passes at once. Keep one.
        if row.category_id in stored:
            twins.append(row)
        else:
            stored[row.category_id] = row
    for twin in twins:
        db.session.delete(twin)
    changed = len(twins)
    for card in cards:
        row = stored.pop(card.category_id, None)
        if row is not None and _figures(row) == _figures(card):
            continue
        if row is None:
            row = ScorecardSnapshot(category_id=card.category_id)
            db.session.add(row)
        for name, value in _figures(card).items():
            setattr(row, name, value)
        row.computed_at = moment
        changed += 1
    for leftover in stored.values():  # a category deleted since (the foreign key cascades too)
        db.session.delete(leftover)
    db.session.commit()
    return changed + len(stored)


def category_card(category_id: int, stored: dict[str, float] | None) -> scorecard.Scorecard:
    """A category's card from the stored figures the page's own query found, else computed live (none stored yet)."""
    if stored is None:
        return scorecard.scorecard(category_id)
    return _stored_card(category_id, stored)


def all_cards() -> tuple[scorecard.Scorecard, list[tuple[Category, scorecard.Scorecard]]]:
    """The community's card and every category's, in display order, for /scorecard: two statements when stored.

    If any card was not stored yet, all are computed live, so the page never mixes two moments.
    """
    rows = db.session.execute(
        select(Category, ScorecardSnapshot)
        .outerjoin(ScorecardSnapshot, ScorecardSnapshot.category_id == Category.id)
        .order_by(Category.position, Category.name, Category.id)
    ).all()
    community = db.session.scalar(  # the first one stored: refresh() keeps that one up to date
        select(ScorecardSnapshot).where(ScorecardSnapshot.category_id.is_(None)).order_by(ScorecardSnapshot.id).limit(1)
    )
    if community is None or any(stored is None for _category, stored in rows):
        return scorecard.scorecard(None), scorecard.scorecards_by_category()
    return from_snapshot(community), [(category, from_snapshot(stored)) for category, stored in rows]
