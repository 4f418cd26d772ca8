"""Read-only incident queries: a thread's incident, latest updates, and the lists the staff pages show."""

from __future__ import annotations

from sqlalchemy import select

from forum.core.extensions import db
from forum.models import (
    AlertStatus,
    Incident,
    IncidentAlert,
    IncidentAlertThread,
    IncidentStatus,
    IncidentThread,
    IncidentUpdate,
    Thread,
)


def latest_update(incident: Incident) -> IncidentUpdate | None:
    return db.session.scalar(
        select(IncidentUpdate).where(IncidentUpdate.incident_id == incident.id).order_by(IncidentUpdate.id.desc())
        .limit(1)
    )


def updates_newest_first(incident: Incident) -> list[IncidentUpdate]:
    """Every update of the incident, the latest first (the incident's staff page)."""
    return list(db.session.scalars(
        select(IncidentUpdate).where(IncidentUpdate.incident_id == incident.id).order_by(IncidentUpdate.id.desc())
    ))


def find_incident(incident_id: int) -> Incident | None:
    """The incident with this id, or None; no permission check (callers have made theirs)."""
    return db.session.get(Incident, incident_id)


def waiting_alerts() -> list[IncidentAlert]:
    """Alerts no agent has handled yet, newest first."""
    return list(db.session.scalars(
        select(IncidentAlert).where(IncidentAlert.status == AlertStatus.NEW.value).order_by(IncidentAlert.id.desc())
    ))


def open_incidents() -> list[Incident]:
    """Running incidents, newest first."""
    return list(db.session.scalars(
        select(Incident).where(Incident.status == IncidentStatus.OPEN.value).order_by(Incident.id.desc())
    ))


def recently_resolved(limit: int) -> list[Incident]:
    """The last `limit` incidents resolved, latest resolution first."""
    return list(db.session.scalars(
        select(Incident).where(Incident.status == IncidentStatus.RESOLVED.value)
        .order_by(Incident.resolved_at.desc()).limit(limit)
    ))


def alert_threads(alert_ids: list[int]) -> dict[int, list[Thread]]:
    """The questions of each alert, by alert id (one query)."""
    return _threads_of(IncidentAlertThread, IncidentAlertThread.alert_id, alert_ids)


def incident_threads(incident_ids: list[int]) -> dict[int, list[Thread]]:
    """The questions linked to each incident, by incident id (one query)."""
    return _threads_of(IncidentThread, IncidentThread.incident_id, incident_ids)


def _threads_of(link_model, key, ids: list[int]) -> dict[int, list[Thread]]:
    """Threads per alert/incident id in one query."""
    grouped: dict[int, list[Thread]] = {}
    if not ids:
        return grouped
    rows = db.session.execute(
        select(key, Thread).join(Thread, Thread.id == link_model.thread_id).where(key.in_(ids)).order_by(Thread.id)
    )
    for owner_id, thread in rows:
        grouped.setdefault(owner_id, []).append(thread)
    return grouped
