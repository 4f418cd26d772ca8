"""Suspensions: silence a user until a moment, with a reason they are shown, and lift it early.

The active suspension is mirrored on User.suspended_until/suspension_reason, which
permissions compare with clock.now(): a suspension simply stops mattering when it ends, with
no job to run. The Suspension rows keep the history moderators see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from forum.core import clock, i18n
from forum.core.errors import ErrorCollector, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import NotificationKind, User
from forum.services import audit_writer, notifications
from forum.services.permissions import Action, is_suspended, require
from moderation.models import Suspension

MAX_REASON = 1000
MAX_LENGTH = timedelta(days=3650)  # longer than ten years is a ban; keeps dates far from datetime's limits


@dataclass(frozen=True)
class SuspensionInput:
    until: datetime | None
    reason: str


def _validate(data: SuspensionInput) -> tuple[str, datetime]:
    errors = ErrorCollector()
    reason = (data.reason or "").strip()
    if not reason:
        errors.add("reason", _("Say why: the member is shown this reason."))
    elif len(reason) > MAX_REASON:
        errors.add("reason", _("Keep the reason under %(most)s characters.", most=i18n.format_number(MAX_REASON)))
    now = clock.now()
    if data.until is None or data.until.tzinfo is None:
        errors.add("until", _("Give the end time with its time zone, e.g. 2026-12-01T09:00:00Z."))
    elif data.until <= now:
        errors.add("until", _("Choose an end time in the future."))
    elif data.until - now > MAX_LENGTH:
        errors.add("until", _("Suspend for at most ten years."))
    errors.raise_if_any()
    return reason, data.until.astimezone(UTC)


def active_suspension(user: User) -> Suspension | None:
    """The suspension in force now, if any."""
    if not is_suspended(user):
        return None
    return db.session.scalar(
        select(Suspension)
        .where(Suspension.user_id == user.id, Suspension.lifted_at.is_(None), Suspension.ends_at > clock.now())
        .order_by(Suspension.ends_at.desc(), Suspension.id.desc())
        .limit(1)
    )


def history(user: User) -> list[Suspension]:
    """Every suspension of user, newest first (ended, lifted and active)."""
    return list(db.session.scalars(
        select(Suspension).where(Suspension.user_id == user.id).order_by(Suspension.id.desc())
    ))


def _state(user: User) -> dict[str, object]:
    return {"suspended_until": user.suspended_until if is_suspended(user) else None,
            "suspension_reason": user.suspension_reason if is_suspended(user) else None}


def _end(row: Suspension | None, actor: User, moment: datetime) -> None:
    if row is not None:
        row.lifted_at, row.lifted_by_id = moment, actor.id


def suspend_user(actor: User, user: User, data: SuspensionInput) -> Suspension:
    """Silence user until data.until; a new suspension replaces one in force. Moderators over members only."""
    require(actor, Action.USER_SUSPEND, user)
    reason, until = _validate(data)
    moment, before = clock.now(), _state(user)
    _end(active_suspension(user), actor, moment)
    row = Suspension(user_id=user.id, reason=reason, starts_at=moment, ends_at=until, created_by_id=actor.id)
    db.session.add(row)
    user.suspended_until, user.suspension_reason = until, reason
    db.session.flush()
    audit_writer.record(actor, "user.suspend", "user", user.id, reason, before=before, after=_state(user))
    with i18n.reading_as(user.language, "UTC"):  # the notice is kept as text: in the member's own words
        message = _("Your account is suspended until %(until)s: %(reason)s", until=until_text(until), reason=reason)
    notifications.notify([user.id], notifications.Event(NotificationKind.ACCOUNT, None, actor=actor, message=message))
    db.session.commit()
    return row


def lift_suspension(actor: User, user: User, reason: str = "", *, message: str = "") -> None:
    """End the suspension in force now; NotFound when there is none. message: what the member is told
    (an appeal's answer), instead of the plain notice."""
    require(actor, Action.USER_SUSPEND, user)
    if not is_suspended(user):
        raise NotFound(_("This user is not suspended."))
    before = _state(user)
    _end(active_suspension(user), actor, clock.now())
    user.suspended_until, user.suspension_reason = None, None
    audit_writer.record(actor, "user.unsuspend", "user", user.id, (reason or "").strip()[:MAX_REASON],
                 before=before, after=_state(user))
    if not message:
        with i18n.reading_as(user.language):
            message = _("Your suspension was lifted: you can take part again.")
    notifications.notify([user.id], notifications.Event(NotificationKind.ACCOUNT, None, actor=actor, message=message))
    db.session.commit()


def until_text(moment: datetime) -> str:
    """When a suspension ends, as the member's notices say it: "01 May 2030, 12:00 UTC", in the words of the
    reader they are written for (inside i18n.reading_as(language, "UTC"))."""
    return i18n.format_datetime(moment.astimezone(UTC), _("dd MMMM yyyy, HH:mm 'UTC'"))
