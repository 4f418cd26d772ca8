"""Figures the worker computes for pages to read: the public scorecard of each category and the community."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.extensions import db
from forum.models.types import UTCDateTime

# The counts and target of a card, as columns here and fields of forum.analytics.scorecard.Scorecard.
SCORECARD_FIGURES = ("questions", "due", "replied_in_time", "solved", "solved_by_community", "target_hours",
                     "target_percent")


class ScorecardSnapshot(db.Model):
    """One scorecard's counts as the worker last computed them (category_id None: the whole community).

    Aggregating every question of the 90-day window on each category page grew with the community; the
    worker recomputes these every few minutes (forum.analytics.scorecard_store) and pages read one row.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("category.id", ondelete="CASCADE"), nullable=True, unique=True
    )
    questions: Mapped[int] = mapped_column(Integer)
    due: Mapped[int] = mapped_column(Integer)
    replied_in_time: Mapped[int] = mapped_column(Integer)
    solved: Mapped[int] = mapped_column(Integer)
    solved_by_community: Mapped[int] = mapped_column(Integer)
    # The first-reply target the counts were taken against: the sentence names this one, so it always fits them.
    target_hours: Mapped[float] = mapped_column(Float)
    # The share of questions that should meet it (scorecard.first_reply_target_pct when counted), stored with
    # the counts so a category page reads no setting; None in rows from before it existed (the page reads it).
    target_percent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
