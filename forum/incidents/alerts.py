"""The detector's alerts: clusters of similar unsolved questions raised for the agents, and dismissing them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from forum.core import clock, i18n
from forum.core.errors import NotFound
from forum.core.extensions import db
from forum.core.i18n import _, ngettext
from forum.models import (
    AlertStatus,
    IncidentAlert,
    IncidentAlertThread,
    IncidentThread,
    NotificationKind,
    Role,
    Thread,
    User,
)
from forum.services import notifications
from forum.services.permissions import Action, is_agent, require


def alerted_thread_ids(thread_ids: Iterable[int]) -> set[int]:
    """Which of these threads are already in an alert or an incident (the detector skips them)."""
    ids = list(thread_ids)
    if not ids:
        return set()
    in_alerts = db.session.scalars(select(IncidentAlertThread.thread_id).where(IncidentAlertThread.thread_id.in_(ids)))
    in_incidents = db.session.scalars(select(IncidentThread.thread_id).where(IncidentThread.thread_id.in_(ids)))
    return set(in_alerts) | set(in_incidents)


def raise_alert(thread_ids: list[int], shared_terms: list[str], minimum: int) -> tuple[IncidentAlert | None, bool]:
    """Record a cluster of similar questions and tell the agents, once per cluster: (alert, newly raised).

    Questions already alerted or linked are left out; if what remains joins an alert still
    waiting for staff, that alert grows instead of a second one appearing. Commits.
    """
    known = alerted_thread_ids(thread_ids)
    fresh = [thread_id for thread_id in thread_ids if thread_id not in known]
    if not fresh:
        return None, False
    waiting = db.session.scalar(
        select(IncidentAlert).join(IncidentAlertThread, IncidentAlertThread.alert_id == IncidentAlert.id)
        .where(IncidentAlertThread.thread_id.in_(list(known)), IncidentAlert.status == AlertStatus.NEW.value)
        .limit(1)
    ) if known else None
    if waiting is None and len(fresh) < minimum:
        return None, False
    moment = clock.now()
    alert = waiting or IncidentAlert(status=AlertStatus.NEW.value, shared_terms=", ".join(shared_terms)[:300],
                                     created_at=moment, updated_at=moment)
    if waiting is None:
        db.session.add(alert)
        db.session.flush()
    alert.updated_at = moment
    db.session.add_all(IncidentAlertThread(alert_id=alert.id, thread_id=thread_id) for thread_id in fresh)
    if waiting is None:
        _tell_agents(alert, fresh)
    db.session.commit()
    return alert, waiting is None


def _tell_agents(alert: IncidentAlert, thread_ids: list[int]) -> None:
    staff = db.session.scalars(select(User).where(User.role.in_([Role.AGENT.value, Role.ADMIN.value]),
                                                  User.anonymized_at.is_(None)))
    by_language: dict[str | None, list[int]] = {}
    for user in staff:
        if is_agent(user):  # not the suspended, nor those owing a second factor
            by_language.setdefault(user.language, []).append(user.id)
    first = db.session.get(Thread, thread_ids[0])
    for language, agents in by_language.items():  # the message is stored: one wording per language
        with i18n.reading_as(language):
            message = _alert_message(len(thread_ids), alert.shared_terms)
        notifications.notify(agents, notifications.Event(NotificationKind.INCIDENT, first, message=message))


def _alert_message(count: int, terms: str) -> str:
    if terms:
        return ngettext("%(num)d similar unsolved question arrived close together about “%(terms)s”. Is it one "
                        "problem?", "%(num)d similar unsolved questions arrived close together about “%(terms)s”. "
                        "Is it one problem?", count, terms=terms)
    return ngettext("%(num)d similar unsolved question arrived close together. Is it one problem?",
                    "%(num)d similar unsolved questions arrived close together. Is it one problem?", count)


def waiting_alert_count() -> int:
    """Alerts no agent has looked at yet (the staff menu's count)."""
    return db.session.scalar(select(func.count()).where(IncidentAlert.status == AlertStatus.NEW.value)) or 0


def dismiss_alert(actor: User, alert: IncidentAlert) -> IncidentAlert:
    """Not one problem after all; its questions stay out of future alerts. Commits."""
    require(actor, Action.CASE_WORK, alert)
    if alert.status == AlertStatus.NEW.value:
        alert.status = AlertStatus.DISMISSED.value
        alert.updated_at = clock.now()
        db.session.commit()
    return alert


def alert_thread_ids(alert: IncidentAlert) -> list[int]:
    return list(db.session.scalars(
        select(IncidentAlertThread.thread_id).where(IncidentAlertThread.alert_id == alert.id)
        .order_by(IncidentAlertThread.thread_id)
    ))


def get_alert(actor: User, alert_id: int) -> IncidentAlert:
    require(actor, Action.CASE_WORK, None)
    alert = db.session.get(IncidentAlert, alert_id)
    if alert is None:
        raise NotFound(_("No such alert."))
    return alert
