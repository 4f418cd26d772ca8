"""Missions: time-boxed challenges staff set ("answer 5 unanswered questions in Billing this week").

Staff create, change and delete them (each change audited); members see the active ones
with their own progress. Progress and completion are tracked by mission_tracking, from the
worker, so a completed mission pays its points once, whoever notices first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select

from forum.core import clock
from forum.core.errors import ErrorCollector, NotFound
from forum.core.extensions import db
from forum.core.i18n import _, format_number
from forum.models import Category, Mission, MissionProgress, User
from forum.recognition import badges
from forum.recognition.mission_tracking import METRIC_LABELS, Metric, progress_on
from forum.services import audit_writer
from forum.services.permissions import Action, require

MAX_GOAL = 10_000
MAX_POINTS = 1_000
MAX_DESCRIPTION = 2_000


@dataclass(frozen=True)
class MissionInput:
    title: str
    metric: str
    goal: int | None
    starts_at: datetime | None
    ends_at: datetime | None
    description: str = ""
    category_id: int | None = None
    points: int | None = 0
    badge: str | None = None


@dataclass(frozen=True)
class MissionStatus:
    """A mission as one member sees it: how far they are (capped at the goal) and whether it is done."""

    mission: Mission
    category: Category | None
    progress: int
    completed_at: datetime | None

    @property
    def label(self) -> str:
        return METRIC_LABELS[Metric(self.mission.metric)]


def _utc(moment: datetime | None) -> datetime | None:
    """Times without a zone (from a form) are UTC, as the form says."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _check_numbers(errors: ErrorCollector, data: MissionInput) -> None:
    if not isinstance(data.goal, int) or isinstance(data.goal, bool) or not 1 <= data.goal <= MAX_GOAL:
        errors.add("goal", _("Set a goal from 1 to %(most)s.", most=format_number(MAX_GOAL)))
    if not isinstance(data.points, int) or isinstance(data.points, bool) or not 0 <= data.points <= MAX_POINTS:
        errors.add("points", _("Award from 0 to %(most)s reputation points.", most=format_number(MAX_POINTS)))


def _check_window(errors: ErrorCollector, data: MissionInput, *, new: bool) -> None:
    starts_at, ends_at = _utc(data.starts_at), _utc(data.ends_at)
    if starts_at is None:
        errors.add("starts_at", _("Choose when the mission starts."))
    if ends_at is None:
        errors.add("ends_at", _("Choose the deadline."))
    elif starts_at is not None and ends_at <= starts_at:
        errors.add("ends_at", _("The deadline must come after the start."))
    elif new and ends_at <= clock.now():
        errors.add("ends_at", _("The deadline must be in the future."))


def _validate(data: MissionInput, *, new: bool) -> None:
    """Report every problem at once, so staff fix the form in one go."""
    errors = ErrorCollector()
    title = (data.title or "").strip()
    if not 3 <= len(title) <= 120:
        errors.add("title", _("Write a title of 3 to 120 characters."))
    if len(data.description or "") > MAX_DESCRIPTION:
        errors.add("description", _("Keep the description under %(most)s characters.",
                                         most=format_number(MAX_DESCRIPTION)))
    if data.metric not in {m.value for m in Metric}:
        errors.add("metric", _("Choose what the mission counts."))
    _check_numbers(errors, data)
    if data.category_id is not None and db.session.get(Category, data.category_id) is None:
        errors.add("category_id", _("Choose an existing category, or none."))
    if data.badge and data.badge not in {b.code for b in badges.MISSION_BADGES}:
        errors.add("badge", _("Choose one of the mission badges, or none."))
    _check_window(errors, data, new=new)
    errors.raise_if_any()


def _apply(mission: Mission, data: MissionInput) -> None:
    mission.title = data.title.strip()
    mission.description = (data.description or "").strip()
    mission.metric, mission.goal, mission.points = data.metric, data.goal, data.points
    mission.category_id = data.category_id
    mission.badge = data.badge or None
    mission.starts_at, mission.ends_at = _utc(data.starts_at), _utc(data.ends_at)


def _state(mission: Mission) -> dict[str, Any]:
    return {
        "title": mission.title, "metric": mission.metric, "goal": mission.goal, "category_id": mission.category_id,
        "points": mission.points, "badge": mission.badge, "starts_at": mission.starts_at, "ends_at": mission.ends_at,
    }


def create_mission(actor: User, data: MissionInput) -> Mission:
    """Staff only; the deadline must be in the future."""
    require(actor, Action.MISSION_MANAGE)
    _validate(data, new=True)
    mission = Mission(created_by_id=actor.id, created_at=clock.now())
    _apply(mission, data)
    db.session.add(mission)
    db.session.flush()
    audit_writer.record(actor, "mission.create", "mission", mission.id, after=_state(mission))
    db.session.commit()
    return mission


def update_mission(actor: User, mission: Mission, data: MissionInput) -> Mission:
    """Staff only; people who already completed it keep their completion and points."""
    require(actor, Action.MISSION_MANAGE)
    _validate(data, new=False)
    before = _state(mission)
    _apply(mission, data)
    audit_writer.record(actor, "mission.update", "mission", mission.id, before=before, after=_state(mission))
    db.session.commit()
    return mission


def delete_mission(actor: User, mission: Mission) -> None:
    """Staff only; points already earned stay in the ledger (their rows just lose the link)."""
    require(actor, Action.MISSION_MANAGE)
    audit_writer.record(actor, "mission.delete", "mission", mission.id, before=_state(mission))
    db.session.execute(delete(MissionProgress).where(MissionProgress.mission_id == mission.id))
    db.session.execute(delete(Mission).where(Mission.id == mission.id))
    db.session.commit()


def get_mission(mission_id: int) -> Mission:
    mission = db.session.get(Mission, mission_id)
    if mission is None:
        raise NotFound(_("There is no such mission."))
    return mission


def list_missions(actor: User | None) -> list[tuple[Mission, int]]:
    """Every mission, latest deadline first, with how many people completed it (staff only)."""
    require(actor, Action.MISSION_MANAGE)
    completions = func.count(MissionProgress.completed_at)
    rows = db.session.execute(
        select(Mission, completions)
        .outerjoin(MissionProgress, MissionProgress.mission_id == Mission.id)
        .group_by(Mission.id)
        .order_by(Mission.ends_at.desc(), Mission.id.desc())
    )
    return [(mission, int(count)) for mission, count in rows]


def list_active(viewer: User | None) -> list[MissionStatus]:
    """Missions running now, soonest deadline first, with the viewer's live progress (none when signed out)."""
    now = clock.now()
    missions = list(db.session.scalars(
        select(Mission).where(Mission.starts_at <= now, Mission.ends_at >= now).order_by(Mission.ends_at, Mission.id)
    ))
    category_ids = {m.category_id for m in missions if m.category_id is not None}
    categories = {c.id: c for c in db.session.scalars(select(Category).where(Category.id.in_(category_ids)))}
    done: dict[int, datetime | None] = {}
    counted: dict[int, int] = {}
    if viewer is not None and missions:
        done = dict(db.session.execute(
            select(MissionProgress.mission_id, MissionProgress.completed_at).where(
                MissionProgress.user_id == viewer.id, MissionProgress.mission_id.in_([m.id for m in missions]))
        ).all())
        counted = progress_on([m for m in missions if not done.get(m.id)], viewer.id)
    statuses = []
    for mission in missions:
        completed_at = done.get(mission.id)
        progress = mission.goal if completed_at else counted.get(mission.id, 0)
        statuses.append(MissionStatus(mission, categories.get(mission.category_id), min(progress, mission.goal),
                                      completed_at))
    return statuses
