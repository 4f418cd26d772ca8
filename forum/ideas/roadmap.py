"""The public roadmap: what staff are looking at, have planned, are building and have shipped.

One statement for every column (a window function numbers each status's ideas), so the page costs the
same whether the board holds three ideas or three thousand. Open columns put the most voted first, because
that is what members come to compare; shipped puts the most recently shipped first, because an old
release is news to nobody.
"""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import contains_eager

from forum.core.extensions import db
from forum.ideas.queries import visible_ideas
from forum.models import ROADMAP_STATUSES, Idea, IdeaStatus, Thread, User

PER_STATUS = 20


def roadmap(viewer: User | None, per_status: int = PER_STATUS) -> dict[str, list[Idea]]:
    """status → up to per_status ideas the viewer may read, in ROADMAP_STATUSES order (empty columns too)."""
    statuses = [status.value for status in ROADMAP_STATUSES]
    shipped_at = case(
        (Idea.status == IdeaStatus.SHIPPED.value, func.coalesce(Idea.status_changed_at, Idea.created_at)),
        else_=None,
    )
    rank = func.row_number().over(
        partition_by=Idea.status, order_by=(shipped_at.desc(), Idea.vote_count.desc(), Idea.thread_id.desc())
    )
    ranked = (
        visible_ideas(viewer).where(Idea.status.in_(statuses))
        .with_only_columns(Idea.thread_id.label("idea_id"), rank.label("rank")).subquery()
    )
    rows = db.session.scalars(
        select(Idea).join(ranked, ranked.c.idea_id == Idea.thread_id)
        .join(Thread, Thread.id == Idea.thread_id)
        .where(ranked.c.rank <= per_status)
        .options(contains_eager(Idea.thread))
        .order_by(ranked.c.rank)
    )
    columns: dict[str, list[Idea]] = {status: [] for status in statuses}
    for idea in rows:
        columns[idea.status].append(idea)
    return columns
