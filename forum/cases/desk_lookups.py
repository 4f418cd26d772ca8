"""Read-only lookups the desk pages need beside forum.cases: who can take a case, the staff timeline.

Nothing here changes state or decides a rule; cases.py owns both.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from forum.cases.desk import overdue_condition
from forum.core.extensions import db
from forum.models import Case, CaseEvent, CaseStatus, Role, User
from forum.services.permissions import Action, is_agent, require

AGENT_ROLES = (Role.AGENT.value, Role.ADMIN.value)
MAX_AGENTS = 200


def assignable_agents(viewer: User | None) -> list[User]:
    """Agents and admins a case can be assigned to, by name (for the desk's assign form): only those who
    may work cases now (not suspended, not owing a second factor)."""
    require(viewer, Action.CASE_WORK)
    query = (
        select(User)
        .where(User.role.in_(AGENT_ROLES), User.anonymized_at.is_(None))
        .order_by(User.username_key)
        .limit(MAX_AGENTS)
    )
    return [agent for agent in db.session.scalars(query) if is_agent(agent)]


def staff_timeline(viewer: User | None, case: Case) -> list[CaseEvent]:
    """Every event of the case, public and staff-only, oldest first, with their actors (agents only)."""
    require(viewer, Action.CASE_WORK)
    query = (
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id)
        .options(joinedload(CaseEvent.actor))
        .order_by(CaseEvent.created_at, CaseEvent.id)
    )
    return list(db.session.scalars(query))


def attention_count(viewer: User | None) -> int:
    """Cases needing an agent now, for the header's Desk link: new ones, plus open ones past their due time.

    One query, counting a case that is both new and overdue once (queue_counts counts it in each).
    """
    if not is_agent(viewer):
        return 0
    query = select(func.count(Case.id)).where(or_(Case.status == CaseStatus.NEW.value, overdue_condition()))
    return db.session.scalar(query) or 0
