"""Mission progress: what counts toward each metric, and completing a mission exactly once.

Progress is always recomputed by SQL over the mission's window [starts_at, ends_at] (never
incremented), so a deleted reply or a withdrawn acceptance simply stops counting. Completion is
claimed by one conditional UPDATE, so two workers can never pay a mission's points twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, func, insert, literal, or_, select, union_all, update
from sqlalchemy.exc import IntegrityError

from forum.core import clock, i18n
from forum.core.extensions import db
from forum.core.i18n import _, _l
from forum.models import (
    LedgerReason,
    Mission,
    MissionProgress,
    NotificationKind,
    Post,
    ReputationEvent,
    Role,
    Thread,
    User,
    Vote,
)
from forum.recognition import badges, history, reputation
from forum.services import notifications

# The worker may run well after a deadline (a backlog, an outage over the hourly sweep); events
# inside the window still complete the mission. Progress only counts the window, so a long grace
# costs a few more checks and never lets late work count.
GRACE = timedelta(days=1)


class Metric(StrEnum):
    SOLUTIONS = "solutions"
    UNANSWERED_ANSWERED = "unanswered_answered"
    REPLIES = "replies"
    HELPFUL_VOTES = "helpful_votes"


METRIC_LABELS = {
    Metric.SOLUTIONS: _l("accepted solutions"),
    Metric.UNANSWERED_ANSWERED: _l("unanswered questions answered first"),
    Metric.REPLIES: _l("replies to other people's threads"),
    Metric.HELPFUL_VOTES: _l("helpful votes received"),
}


def _window(column: ColumnElement, mission: Mission) -> ColumnElement[bool]:
    return column.between(mission.starts_at, mission.ends_at)


def _in_category(column: ColumnElement, mission: Mission) -> list[ColumnElement[bool]]:
    return [] if mission.category_id is None else [column == mission.category_id]


def _solutions(mission: Mission, user_id: int | None) -> Select:
    event = ReputationEvent
    return (
        select(event.user_id.label("user_id"), func.count(event.id).label("progress"))
        .where(*history.solution_rows(), _window(event.created_at, mission),
               *_in_category(event.category_id, mission), history.only(event.user_id, user_id))
        .group_by(event.user_id)
    )


def _replies(mission: Mission, user_id: int | None, *, first_answers: bool) -> Select:
    conditions = history.helping(questions_only=first_answers)
    if first_answers:
        conditions.append(history.first_answer())
    return (
        select(Post.author_id.label("user_id"), func.count(Post.id).label("progress"))
        .join(Thread, Thread.id == Post.thread_id)
        .where(*conditions, _window(Post.created_at, mission), *_in_category(Thread.category_id, mission),
               history.only(Post.author_id, user_id))
        .group_by(Post.author_id)
    )


def _helpful_votes(mission: Mission, user_id: int | None) -> Select:
    return (
        select(Post.author_id.label("user_id"), func.count(Vote.user_id).label("progress"))
        .join(Vote, Vote.post_id == Post.id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(*history.live_post(), history.honest_vote(), _window(Vote.created_at, mission),
               *_in_category(Thread.category_id, mission),
               history.only(Post.author_id, user_id))
        .group_by(Post.author_id)
    )


def progress_query(mission: Mission, user_id: int | None = None) -> Select:
    """SELECT user_id, progress for one user (or everyone with any), counting only events in the window."""
    metric = Metric(mission.metric)
    if metric is Metric.SOLUTIONS:
        return _solutions(mission, user_id)
    if metric is Metric.HELPFUL_VOTES:
        return _helpful_votes(mission, user_id)
    return _replies(mission, user_id, first_answers=metric is Metric.UNANSWERED_ANSWERED)


def progress_of(mission: Mission, user_id: int) -> int:
    counted = progress_query(mission, user_id).subquery()
    return int(db.session.scalar(select(counted.c.progress)) or 0)


def progress_on(missions: list[Mission], user_id: int) -> dict[int, int]:
    """{mission id: the user's progress} for several missions in one query (a page lists them all)."""
    if not missions:
        return {}
    parts = [
        select(literal(mission.id).label("mission_id"), counted.c.progress)
        for mission in missions
        for counted in [progress_query(mission, user_id).subquery()]
    ]
    rows = db.session.execute(union_all(*parts) if len(parts) > 1 else parts[0]).all()
    progress = {mission.id: 0 for mission in missions}
    progress.update({mission_id: int(count or 0) for mission_id, count in rows})
    return progress


def open_missions(now: datetime | None = None) -> list[Mission]:
    """Missions that have started and ended at most GRACE ago: the ones the worker still checks."""
    now = now or clock.now()
    return list(db.session.scalars(
        select(Mission).where(Mission.starts_at <= now, Mission.ends_at >= now - GRACE).order_by(Mission.id)
    ))


# Missions are challenges for the community: staff answer as part of their job (domain.md), so
# their work completes no mission and earns no mission points or badges.
STAFF_ROLES = tuple(role.value for role in Role if role.is_staff)


def takes_part(user: User | None) -> bool:
    """Whether missions count for this person: members and advocates with an account still theirs."""
    return user is not None and user.anonymized_at is None and not user.is_staff


def evaluate_user(user_id: int) -> list[Mission]:
    """Update the user's progress on every open mission and complete the ones reached; the caller commits."""
    if not takes_part(db.session.get(User, user_id)):
        return []
    missions = open_missions()
    progress = progress_on(missions, user_id)
    return [mission for mission in missions if record(mission, user_id, progress[mission.id])]


def sweep_open_missions() -> int:
    """Everyone's progress on every open mission (one grouped query each); commits per mission.

    Catches what no single event triggers, e.g. a mission created after people already qualified.
    Only people whose stored progress is out of date, or who reached the goal without being
    marked complete, are written: a busy mission costs no write per participant every hour.
    """
    completed = 0
    for mission in open_missions():
        counted = progress_query(mission).subquery()
        stored = MissionProgress
        rows = db.session.execute(
            select(counted.c.user_id, counted.c.progress)
            .join(User, User.id == counted.c.user_id)
            .outerjoin(stored, (stored.mission_id == mission.id) & (stored.user_id == counted.c.user_id))
            .where(User.anonymized_at.is_(None), User.role.not_in(STAFF_ROLES), stored.completed_at.is_(None),
                   or_(stored.user_id.is_(None), stored.progress != counted.c.progress,
                       counted.c.progress >= mission.goal))
        )
        completed += sum(record(mission, user_id, int(progress)) for user_id, progress in rows.all())
        db.session.commit()
    return completed


def record(mission: Mission, user_id: int, progress: int) -> bool:
    """Store progress; complete the mission when the goal is reached. True only for the call that completes it."""
    key = (MissionProgress.mission_id == mission.id, MissionProgress.user_id == user_id)
    moment = clock.now()
    updated = db.session.execute(update(MissionProgress).where(*key).values(progress=progress, updated_at=moment))
    if not updated.rowcount:
        if progress <= 0:
            return False  # no row for people who have not started
        try:
            with db.session.begin_nested():
                db.session.execute(insert(MissionProgress).values(
                    mission_id=mission.id, user_id=user_id, progress=progress, updated_at=moment))
        except IntegrityError:
            db.session.execute(update(MissionProgress).where(*key).values(progress=progress, updated_at=moment))
    if progress < mission.goal:
        return False
    claimed = db.session.execute(
        update(MissionProgress).where(*key, MissionProgress.completed_at.is_(None)).values(completed_at=moment)
    ).rowcount
    if not claimed:
        return False
    _reward(mission, user_id)
    return True


def _reward(mission: Mission, user_id: int) -> None:
    """Points into the ledger (uncapped), the mission's badge if any, and one message naming both.

    The badge is named only when this mission gave it: someone who already holds it from an
    earlier mission is not told they earned it again.
    """
    reputation.award(user_id, LedgerReason.MISSION, points=mission.points, mission_id=mission.id)
    badge = badges.BY_CODE.get(mission.badge or "")
    given = badge if badge is not None and badges.grant(user_id, badge, tell=False) else None
    with i18n.reading_as(getattr(db.session.get(User, user_id), "language", None)):  # stored: the member's language
        message = _completed(mission, given)
    notifications.notify([user_id], notifications.Event(NotificationKind.MISSION, thread=None, message=message))


def _completed(mission: Mission, badge: badges.Badge | None) -> str:
    """The completion message, naming what it earned: reputation, the badge, both or neither."""
    title, points = mission.title, mission.points
    if points > 0 and badge is not None:
        return _("You completed the mission “%(title)s”. You earned %(points)d reputation and the %(badge)s badge.",
                 title=title, points=points, badge=_(badge.name))
    if points > 0:
        return _("You completed the mission “%(title)s”. You earned %(points)d reputation.", title=title,
                 points=points)
    if badge is not None:
        return _("You completed the mission “%(title)s”. You earned the %(badge)s badge.", title=title,
                 badge=_(badge.name))
    return _("You completed the mission “%(title)s”.", title=title)
