"""Agents rate each escalation, so the escalation rules (triggers, thresholds) can be tuned.

A rating says whether support was needed, whether the community could have answered, or
whether the question lacked information. It is an internal judgement: the timeline entry is
staff-only and the customer never sees it. rating_summary() feeds the analytics dashboard.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from forum.cases.state import add_event
from forum.core import clock
from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.core.i18n import _, _l
from forum.models import Case, CaseSource, Thread, User
from forum.models.cases import EscalationRating
from forum.services.permissions import Action, require

UNRATED = "unrated"
RATING_LABELS = {
    EscalationRating.NEEDED.value: _l("Support was needed"),
    EscalationRating.COMMUNITY_COULD_ANSWER.value: _l("The community could have answered"),
    EscalationRating.MISSING_INFORMATION.value: _l("Missing information"),
}


def validate_rating(rating: object) -> str | None:
    """The rating as stored; None clears it. Raises Invalid naming the field for anything else."""
    if rating is None:
        return None
    if not isinstance(rating, str) or rating not in RATING_LABELS:
        raise Invalid({"escalation_rating": [_("Choose needed, community_could_answer or missing_information.")]})
    return rating


def rate_escalation(actor: User, case: Case, rating: object) -> Case:
    """Record (or clear, with None) an agent's rating of the case's escalation; agents and admins only.

    Re-rating with the same value changes nothing, so double submits leave one timeline entry.
    """
    require(actor, Action.CASE_WORK, case)
    value = validate_rating(rating)
    if value == case.escalation_rating:
        return case
    moment = clock.now()
    detail = (_("Escalation rated: %(rating)s.", rating=RATING_LABELS[value]) if value
              else _("Escalation rating cleared."))
    add_event(case, "rated", actor, detail=detail, public=False)
    case.escalation_rating = value
    case.rated_by_id = actor.id if value else None
    case.rated_at = moment if value else None
    case.updated_at = moment
    db.session.commit()
    return case


def rating_summary(period_start: datetime, period_end: datetime, category_id: int | None = None) -> dict:
    """Counts of ratings for cases escalated in [period_start, period_end), overall and per source.

    Every rating and source is present (zero when absent) and unrated cases are counted too,
    so a dashboard can show how much of the period is rated at all. With category_id, only the
    cases of that category's threads.
    """
    query = select(Case.source, Case.escalation_rating, func.count(Case.id)).where(
        Case.created_at >= period_start, Case.created_at < period_end
    )
    if category_id is not None:
        query = query.where(Case.thread_id.in_(select(Thread.id).where(Thread.category_id == category_id)))
    rows = db.session.execute(query.group_by(Case.source, Case.escalation_rating)).all()
    keys = [*RATING_LABELS, UNRATED]
    by_rating = dict.fromkeys(keys, 0)
    by_source = {source.value: dict.fromkeys(keys, 0) for source in CaseSource}
    for source, rating, count in rows:
        key = rating if rating in RATING_LABELS else UNRATED
        by_rating[key] += count
        by_source.setdefault(source, dict.fromkeys(keys, 0))[key] += count
    return {"total": sum(by_rating.values()), "by_rating": by_rating, "by_source": by_source}
