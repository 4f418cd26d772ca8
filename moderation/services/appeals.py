"""Appeals: a suspended member asks the moderators to look again, and a moderator lifts or upholds.

An appeal belongs to the suspension in force when it was sent, and waits in the review queue while
that suspension runs. When the suspension ends some other way (it runs out, a moderator lifts it, a
new one replaces it) there is nothing left to decide: the appeal drops out of the queue by itself,
with no job to run, and a new suspension can be appealed afresh. One appeal waits at a time, so a
member cannot flood the queue; after an answer they may write again.

Deciding takes the same power as suspending (permissions USER_SUSPEND: moderators over members and
advocates, admins over staff too); it is audited and the member is told the answer in-app.
"""

from __future__ import annotations

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from forum.core import clock, i18n
from forum.core.errors import Conflict, ErrorCollector, Forbidden, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import NotificationKind, Role, User
from forum.services import audit_writer, notifications
from forum.services.permissions import Action, is_admin, is_moderator, is_suspended, require
from moderation.models import Appeal, Suspension
from moderation.services import suspensions

MIN_BODY = 10
MAX_BODY = 2000
MAX_NOTE = 1000
LIFTED, UPHELD = "lifted", "upheld"
OUTCOMES = (LIFTED, UPHELD)
MAX_LISTED = 50
MEMBER_ROLES = tuple(role.value for role in Role if not role.is_staff)


def _waiting():
    """Unanswered appeals whose suspension still runs (its row, or the user's mirror when it has none).

    An appeal of a suspension without a row stops waiting once a suspension with a row is in force:
    that one is newer, and is appealed afresh. So does an appeal of a suspension outranked by a later one.
    """
    now = clock.now()
    newer = aliased(Suspension)
    row_in_force = exists().where(newer.user_id == Appeal.user_id, newer.lifted_at.is_(None), newer.ends_at > now)
    # The suspension in force is the one ending last (suspensions.active_suspension); an appeal of any
    # other stops waiting: nobody could lift it without undoing the later decision.
    outranked = row_in_force.where(newer.id != Suspension.id, or_(
        newer.ends_at > Suspension.ends_at, and_(newer.ends_at == Suspension.ends_at, newer.id > Suspension.id)))
    in_force = or_(and_(Appeal.suspension_id.is_(None), ~row_in_force),
                   and_(Suspension.lifted_at.is_(None), Suspension.ends_at > now, ~outranked))
    return (
        select(Appeal)
        .join(User, User.id == Appeal.user_id)
        .outerjoin(Suspension, Suspension.id == Appeal.suspension_id)
        .where(Appeal.resolved_at.is_(None), User.suspended_until > now, in_force)
    )


def _decidable_by(viewer: User | None):
    """The waiting appeals this viewer may answer: appellants they outrank (admins: everyone but themselves)."""
    query = _waiting().where(Appeal.user_id != viewer.id)
    return query if is_admin(viewer) else query.where(User.role.in_(MEMBER_ROLES))


def pending_for(user: User) -> Appeal | None:
    """The member's appeal still waiting for an answer, if any."""
    return db.session.scalar(_waiting().where(Appeal.user_id == user.id).order_by(Appeal.id.desc()).limit(1))


def answered_for(user: User) -> list[Appeal]:
    """The member's answered appeals of the suspension in force now (newest first), for their appeal page."""
    active = suspensions.active_suspension(user)
    if active is None:
        return []
    return list(db.session.scalars(
        select(Appeal).where(Appeal.suspension_id == active.id, Appeal.resolved_at.is_not(None))
        .order_by(Appeal.id.desc())
    ))


def _validate_body(body: str) -> str:
    errors = ErrorCollector()
    body = (body or "").strip()
    if len(body) < MIN_BODY:
        errors.add("body", _("Tell the moderators why, in at least %(least)d characters.", least=MIN_BODY))
    elif len(body) > MAX_BODY:
        errors.add("body", _("Keep the appeal under %(most)s characters.", most=i18n.format_number(MAX_BODY)))
    errors.raise_if_any()
    return body


def submit(user: User, body: str) -> Appeal:
    """Appeal the suspension in force: only while suspended, and one waiting appeal at a time."""
    if not is_suspended(user):
        raise Forbidden(_("Only a suspended account can appeal, and yours is not suspended."))
    body = _validate_body(body)
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())  # one submit at a time
    if pending_for(user) is not None:
        raise Conflict(_("Your appeal is already with the moderators; they will answer it before you send another."))
    active = suspensions.active_suspension(user)
    appeal = Appeal(user_id=user.id, suspension_id=active.id if active else None, body=body,
                    created_at=clock.now(), note="")
    db.session.add(appeal)
    db.session.commit()
    return appeal


def open_count(viewer: User | None) -> int:
    """How many appeals wait for this moderator (part of the review queue's count); 0 for everyone else."""
    if not is_moderator(viewer):
        return 0
    return db.session.scalar(select(func.count()).select_from(_decidable_by(viewer).subquery())) or 0


def list_open(viewer: User | None) -> list[Appeal]:
    """The appeals this moderator may answer, oldest first (the longest-waiting member first)."""
    if not is_moderator(viewer):
        return []
    query = _decidable_by(viewer).options(joinedload(Appeal.user), joinedload(Appeal.suspension))
    return list(db.session.scalars(query.order_by(Appeal.id).limit(MAX_LISTED)))


def _validate_decision(outcome: str, note: str) -> str:
    errors = ErrorCollector()
    note = (note or "").strip()
    if outcome not in OUTCOMES:
        errors.add("outcome", _("Choose to lift the suspension or to uphold it."))
    if len(note) > MAX_NOTE:
        errors.add("note", _("Keep the note under %(most)s characters.", most=i18n.format_number(MAX_NOTE)))
    elif outcome == UPHELD and not note:
        errors.add("note", _("Say why the suspension stands: the member reads this."))
    errors.raise_if_any()
    return note


def _answer(appeal: Appeal, outcome: str, note: str, actor: User) -> str:
    """What the member reads in their notifications, in their language."""
    with i18n.reading_as(appeal.user.language, "UTC"):
        said = " " + _("%(name)s wrote: %(note)s", name=actor.name, note=note) if note else ""
        if outcome == LIFTED:
            return _("Your appeal was accepted and your suspension is lifted: you can take part again.") + said
        return _("Your appeal was reviewed and the suspension stands until %(until)s.",
                 until=suspensions.until_text(appeal.user.suspended_until)) + said


def decide(actor: User, appeal_id: int, outcome: str, note: str = "") -> Appeal:
    """Answer an appeal: "lifted" ends the suspension it was about (suspensions.lift_suspension), "upheld" keeps it.

    The member's row is locked first, then the appeal (PostgreSQL; SQLite serialises writers): two
    moderators answering at once decide it once, and a suspension given meanwhile is seen. An
    appeal answers for its own suspension only: when another one is in force now, it is refused.
    """
    owner = db.session.scalar(select(Appeal.user_id).where(Appeal.id == appeal_id))
    if owner is None:
        raise NotFound(_("There is no such appeal."))
    db.session.scalars(select(User).where(User.id == owner).with_for_update()
                       .execution_options(populate_existing=True)).one()
    appeal = db.session.get(Appeal, appeal_id, with_for_update=True, populate_existing=True)
    if appeal is None:
        raise NotFound(_("There is no such appeal."))
    require(actor, Action.USER_SUSPEND, appeal.user)
    note = _validate_decision(outcome, note)
    if appeal.resolved_at is not None:
        raise Conflict(_("This appeal was already answered: the suspension was lifted.") if appeal.outcome == LIFTED
                       else _("This appeal was already answered: the suspension was upheld."))
    _require_same_suspension(appeal)
    if not db.session.scalar(select(_waiting().where(Appeal.id == appeal.id).exists())):
        raise Conflict(_("This suspension has already ended, so there is nothing left to decide."))
    appeal.resolved_at, appeal.resolved_by_id, appeal.outcome, appeal.note = clock.now(), actor.id, outcome, note
    audit_writer.record(actor, f"appeal.{outcome}", "appeal", appeal.id, note, before={"outcome": None},
                        after={"outcome": outcome, "user_id": appeal.user_id})
    message = _answer(appeal, outcome, note, actor)
    if outcome == LIFTED:  # commits the answer with the lift, and tells the member once
        reason = (_("Appeal #%(number)d accepted.", number=appeal.id) + " " + note).strip()
        suspensions.lift_suspension(actor, appeal.user, reason, message=message)
        return appeal
    notifications.notify([appeal.user_id], notifications.Event(NotificationKind.ACCOUNT, None, actor=actor,
                                                               message=message))
    db.session.commit()
    return appeal


def _require_same_suspension(appeal: Appeal) -> None:
    """Conflict when the suspension in force is not the one appealed: lifting would undo a newer decision."""
    active = suspensions.active_suspension(appeal.user)
    if active is not None and active.id != appeal.suspension_id:
        raise Conflict(_("The member was suspended again since this appeal; decide the new one."))

