"""Advocates: members staff recognise as trusted helpers (badge, heavier flags, recommend escalation).

Staff make (or revoke) an advocate directly; to find them, staff see the top contributors of
the last 90 days and may send an invitation first. Every role change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from forum.core import clock
from forum.core.errors import Conflict, Forbidden
from forum.core.extensions import db
from forum.core.i18n import N_, _, ngettext
from forum.models import Notification, NotificationKind, Post, ReputationEvent, Role, Thread, User
from forum.recognition import awards
from forum.services import audit_writer, notifications
from forum.services.permissions import Action, is_staff, require

CANDIDATE_PERIOD = timedelta(days=90)
INVITE_AGAIN_AFTER = timedelta(days=30)
# Both messages are stored in English (the invitation is also found by its text): shown as `_(message)`.
INVITATION = N_(
    "The team would like to make you an advocate: you have helped many people here. Advocates get an "
    "advocate badge, their flags carry more weight, and they can recommend escalating a question to the "
    "support team. Reply to any staff member if you'd like that."
)
WELCOME = N_(
    "You are now an advocate. Thank you for helping! Your flags carry more weight, and you can recommend "
    "escalating a question to the support team."
)


def make_advocate(actor: User, target: User, reason: str = "") -> bool:
    """Promote a member to advocate (staff only; staff can't be made advocates); idempotent; commits.

    Returns False when target already was an advocate (nothing recorded, nobody told).
    """
    require(actor, Action.USER_MAKE_ADVOCATE, target)
    if target.role == Role.ADVOCATE.value:
        return False
    if target.anonymized_at is not None:
        raise Conflict(_("This account was anonymized."))
    audit_writer.record(actor, "user.make_advocate", "user", target.id, reason,
                 before={"role": target.role}, after={"role": Role.ADVOCATE.value})
    target.role = Role.ADVOCATE.value
    notifications.notify([target.id], notifications.Event(NotificationKind.ACCOUNT, None, actor=actor,
                                                          message=WELCOME))
    awards.check_user_soon(target.id)  # the Advocate badge, within seconds
    db.session.commit()
    return True


def revoke_advocate(actor: User, target: User, reason: str = "") -> bool:
    """Make an advocate a member again (staff only); idempotent; commits. False: target was no advocate."""
    require(actor, Action.USER_MAKE_ADVOCATE, target)
    if target.role != Role.ADVOCATE.value:
        return False
    audit_writer.record(actor, "user.revoke_advocate", "user", target.id, reason,
                 before={"role": target.role}, after={"role": Role.MEMBER.value})
    target.role = Role.MEMBER.value
    db.session.commit()
    return True


def invite_advocate(actor: User, target: User) -> None:
    """Tell a member the team would like them as an advocate (an account notification); commits.

    At most one invitation a month, so a busy staff team can't send the same person several.
    """
    require(actor, Action.USER_MAKE_ADVOCATE, target)
    if target.role != Role.MEMBER.value:
        raise Conflict(_("Only members can be invited to become advocates."))
    if target.anonymized_at is not None:
        raise Conflict(_("This account was anonymized."))
    if not _may_invite(last_invited(target.id), clock.now()):
        raise Conflict(ngettext("%(name)s was invited in the last %(num)d day.",
                                "%(name)s was invited in the last %(num)d days.", INVITE_AGAIN_AFTER.days,
                                name=target.name))
    notifications.notify([target.id], notifications.Event(NotificationKind.ACCOUNT, None, actor=actor,
                                                          message=INVITATION))
    db.session.commit()


def last_invited(user_id: int) -> datetime | None:
    return _invitations([user_id]).get(user_id)


def _invitations(user_ids: list[int]) -> dict[int, datetime]:
    if not user_ids:
        return {}
    return dict(db.session.execute(
        select(Notification.user_id, func.max(Notification.created_at))
        .where(Notification.user_id.in_(user_ids), Notification.kind == NotificationKind.ACCOUNT.value,
               Notification.message == INVITATION)
        .group_by(Notification.user_id)
    ).all())


@dataclass(frozen=True)
class Candidate:
    """A member worth inviting: reputation earned and questions solved in the period."""

    user: User
    points: int
    solutions: int
    invited_at: datetime | None
    may_invite: bool  # not invited in the last 30 days


def top_contributor_candidates(actor: User, limit: int = 20) -> list[Candidate]:
    """Members (not suspended or anonymized) by points, then solutions, over the last 90 days; staff only."""
    if not is_staff(actor):
        raise Forbidden(_("Only staff choose advocates."))
    now = clock.now()
    since = now - CANDIDATE_PERIOD
    points = (
        select(ReputationEvent.user_id, func.sum(ReputationEvent.delta).label("points"))
        .where(ReputationEvent.created_at >= since).group_by(ReputationEvent.user_id).subquery()
    )
    solved = (
        select(Post.author_id, func.count(Thread.id).label("solutions"))
        .join(Thread, Thread.accepted_post_id == Post.id)
        .where(Thread.solved_at >= since, Thread.deleted_at.is_(None), Post.author_id != Thread.author_id)
        .group_by(Post.author_id).subquery()
    )
    earned, solutions = func.coalesce(points.c.points, 0), func.coalesce(solved.c.solutions, 0)
    rows = db.session.execute(
        select(User, earned, solutions)
        .outerjoin(points, points.c.user_id == User.id).outerjoin(solved, solved.c.author_id == User.id)
        .where(User.role == Role.MEMBER.value, User.anonymized_at.is_(None),
               or_(User.suspended_until.is_(None), User.suspended_until <= now), or_(earned > 0, solutions > 0))
        .order_by(earned.desc(), solutions.desc(), User.id).limit(limit)
    ).all()
    invited = _invitations([user.id for user, _p, _s in rows])
    return [
        Candidate(user, int(p), int(s), invited.get(user.id), _may_invite(invited.get(user.id), now))
        for user, p, s in rows
    ]


def _may_invite(invited_at: datetime | None, now: datetime) -> bool:
    return invited_at is None or invited_at <= now - INVITE_AGAIN_AFTER
