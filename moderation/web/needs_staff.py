"""/moderation/needs-staff: the staff inbox — new escalations (cases) and posts flagged "needs staff", with counts.

Escalations are worked by agents, so the case list is theirs (Action.CASE_WORK); the flags
are for every moderator. Deciding a flag still happens in the review queue, and working a
case on the desk: this page only gathers what is waiting for staff.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from forum import cases
from forum.core import clock
from forum.core.extensions import db
from forum.http.auth import acting_user
from forum.models import Post, Thread, User
from forum.services.permissions import Action, can, require
from moderation.models import Flag, FlagReason, ReviewItem, ReviewKind

bp = Blueprint("moderation_needs_staff", __name__)
SHOWN = 50


def _needs_staff_items():
    """Open review items raised to staff: needs_staff items, or items with an open needs_staff flag."""
    flagged = select(Flag.post_id).where(Flag.resolved_at.is_(None), Flag.reason == FlagReason.NEEDS_STAFF.value)
    return select(ReviewItem).where(
        ReviewItem.resolved_at.is_(None),
        or_(ReviewItem.kind == ReviewKind.NEEDS_STAFF.value, ReviewItem.post_id.in_(flagged)),
    )


def needs_staff_flags(limit: int = SHOWN) -> tuple[list[ReviewItem], int]:
    """The oldest waiting items with their posts, threads and authors, and how many wait in all."""
    query = _needs_staff_items()
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.options(joinedload(ReviewItem.post).joinedload(Post.author),
                      joinedload(ReviewItem.post).joinedload(Post.thread).joinedload(Thread.category))
        .order_by(ReviewItem.created_at, ReviewItem.id).limit(limit)
    ).unique()
    return list(rows), total


def _escalations(viewer: User):
    """New cases, oldest due first, and the desk's counts: for agents only."""
    if not can(viewer, Action.CASE_WORK):
        return None, None
    return cases.list_cases(viewer, cases.CaseFilters(status="new"), SHOWN).items, cases.queue_counts(viewer)


@bp.get("/moderation/needs-staff")
@login_required
def index():
    viewer = acting_user()
    require(viewer, Action.THREAD_MODERATE)  # moderators, agents and admins: the staff
    items, flag_total = needs_staff_flags()
    new_cases, counts = _escalations(viewer)
    return render_template(
        "desk/needs_staff.html", items=items, flag_total=flag_total, new_cases=new_cases, counts=counts,
        now=clock.now(),
    )
