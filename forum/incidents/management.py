"""Incidents: one problem, many askers — answer it once and reach every thread.

The search package's detector raises alerts (see alerts); agents turn an alert into an incident
(or add it to a running one), post updates and finally the resolution. Each update is copied to
every linked thread by the fan-out job (see fan_out_job), as a staff reply from its author, so
askers are told where they asked (watchers get the usual reply notification). The resolution is
also accepted on unsolved questions and resolves their open cases.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy import update as sql_update

from forum.core import clock, outbox
from forum.core.errors import Conflict, ErrorCollector, Invalid, NotFound
from forum.core.extensions import db
from forum.core.i18n import _, format_number
from forum.incidents.alerts import alert_thread_ids
from forum.incidents.fan_out_job import FAN_OUT_JOB
from forum.incidents.queries import latest_update
from forum.models import (
    AlertStatus,
    Incident,
    IncidentAlert,
    IncidentStatus,
    IncidentThread,
    IncidentUpdate,
    Thread,
    ThreadKind,
    User,
)
from forum.services import markup
from forum.services.permissions import Action, require

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_LINKS_AT_ONCE = 200


def _validate_title(title: object) -> str:
    text = title.strip() if isinstance(title, str) else ""
    if not text:
        raise Invalid({"title": [_("Give the incident a short title customers will recognise.")]})
    if len(text) > MAX_TITLE:
        raise Invalid({"title": [_("Keep the title under %(count)s characters.", count=MAX_TITLE)]})
    return text


def open_incident(actor: User, title: object, thread_ids: Iterable[int] = (), alert: IncidentAlert | None = None
                  ) -> Incident:
    """Start an incident, linking the given questions (and the alert's, when made from one). Commits."""
    require(actor, Action.CASE_WORK, None)
    title = _validate_title(title)
    if alert is not None:
        _claim_alert(alert)
    moment = clock.now()
    incident = Incident(title=title, status=IncidentStatus.OPEN.value, created_by_id=actor.id,
                        created_at=moment, updated_at=moment)
    db.session.add(incident)
    db.session.flush()
    ids = list(thread_ids) + (alert_thread_ids(alert) if alert is not None else [])
    _link(actor, incident, ids, strict=alert is None)
    if alert is not None:
        _mark_linked(alert, incident)
    db.session.commit()
    return incident


def add_alert_to_incident(actor: User, alert: IncidentAlert, incident: Incident) -> Incident:
    """The alert's questions are part of a running incident. Commits."""
    require(actor, Action.CASE_WORK, incident)
    _require_open(incident)
    _claim_alert(alert)
    _link(actor, incident, alert_thread_ids(alert), strict=False)
    _mark_linked(alert, incident)
    db.session.commit()
    return incident


def link_threads(actor: User, incident: Incident, thread_ids: Iterable[int]) -> int:
    """Link more questions by id; an unknown id or one in another incident is an error. Commits.

    Returns how many were newly linked (0: every one was already part of this incident).
    """
    require(actor, Action.CASE_WORK, incident)
    _require_open(incident)
    linked = _link(actor, incident, list(thread_ids), strict=True)
    db.session.commit()
    return linked


def unlink_thread(actor: User, incident: Incident, thread_id: int) -> Incident:
    """Take a question out of the incident (it was a different problem). Commits."""
    require(actor, Action.CASE_WORK, incident)
    link = db.session.get(IncidentThread, thread_id)
    if link is None or link.incident_id != incident.id:
        raise NotFound(_("That question is not linked to this incident."))
    db.session.delete(link)
    incident.updated_at = clock.now()
    db.session.commit()
    return incident


def parse_thread_ids(text: object) -> list[int]:
    """Thread ids typed by staff ("12, 15 18" or thread links); Invalid names what is wrong."""
    raw = text if isinstance(text, str) else ""
    ids: list[int] = []
    for token in raw.replace(",", " ").split():
        candidate = token.rstrip("/").split("/t/")[-1].split("/")[0]
        if not (candidate.isascii() and candidate.isdigit() and 0 < int(candidate) < 2**31):
            raise Invalid({"thread_ids": [_("“%(token)s” is not a thread number or link.", token=token[:40])]})
        ids.append(int(candidate))
    if not ids:
        raise Invalid({"thread_ids": [_("Give at least one thread number.")]})
    if len(ids) > MAX_LINKS_AT_ONCE:
        raise Invalid({"thread_ids": [_("Link at most %(count)s threads at once.", count=MAX_LINKS_AT_ONCE)]})
    return list(dict.fromkeys(ids))


def _link(actor: User, incident: Incident, thread_ids: list[int], strict: bool) -> int:
    """Link live questions not yet in any incident; strict: refuse the lot if any id can't be linked.

    Returns how many it linked.
    """
    ids = list(dict.fromkeys(thread_ids))
    threads = {thread.id: thread for thread in db.session.scalars(select(Thread).where(Thread.id.in_(ids)))}
    taken = {link.thread_id: link.incident_id for link in db.session.scalars(
        select(IncidentThread).where(IncidentThread.thread_id.in_(ids)))}
    errors = ErrorCollector()
    linkable = []
    for thread_id in ids:
        thread = threads.get(thread_id)
        if thread is None or thread.deleted_at is not None or thread.kind != ThreadKind.QUESTION.value:
            errors.add("thread_ids", _("There is no question #%(id)s.", id=thread_id))
        elif thread_id in taken:
            if taken[thread_id] != incident.id:
                errors.add("thread_ids", _("Question #%(id)s is already part of incident #%(incident)s.", id=thread_id,
                                             incident=taken[thread_id]))
        else:
            linkable.append(thread_id)
    if strict:
        errors.raise_if_any()
    moment = clock.now()
    # Late joiners start after the updates already posted (the thread's banner shows the latest one).
    latest = latest_update(incident)
    db.session.add_all(IncidentThread(thread_id=thread_id, incident_id=incident.id, linked_by_id=actor.id,
                                      linked_at=moment, last_update_id=latest.id if latest else None)
                       for thread_id in linkable)
    if linkable:
        incident.updated_at = moment
    return len(linkable)


def _claim_alert(alert: IncidentAlert) -> None:
    """Take the waiting alert for this transaction; two agents acting on it at once: the second is told."""
    taken = db.session.execute(
        sql_update(IncidentAlert).where(IncidentAlert.id == alert.id, IncidentAlert.status == AlertStatus.NEW.value)
        .values(status=AlertStatus.LINKED.value)
    ).rowcount
    if taken != 1:
        db.session.rollback()
        raise Conflict(_("Another agent already handled this alert."))


def _mark_linked(alert: IncidentAlert, incident: Incident) -> None:
    alert.status = AlertStatus.LINKED.value
    alert.incident_id = incident.id
    alert.updated_at = clock.now()


def _require_open(incident: Incident) -> None:
    if not incident.is_open:
        raise Conflict(_("This incident is resolved."))


def _validate_body(body: object, field: str) -> str:
    text = body.strip() if isinstance(body, str) else ""
    if not text:
        raise Invalid({field: [_("Write what customers should know.")]})
    if len(text) > MAX_BODY:
        raise Invalid({field: [_("Keep it under %(count)s characters.", count=format_number(MAX_BODY))]})
    return text


def post_update(actor: User, incident: Incident, body: object) -> IncidentUpdate:
    """A public update; every linked thread gets it as a staff reply within seconds (job). Commits."""
    require(actor, Action.CASE_WORK, incident)
    _require_open(incident)
    return _record_update(actor, incident, _validate_body(body, "body"), is_resolution=False)


def resolve_incident(actor: User, incident: Incident, resolution: object) -> IncidentUpdate:
    """The fix: posted on every linked thread, accepted on unsolved questions, their open cases resolved. Commits."""
    require(actor, Action.CASE_WORK, incident)
    _require_open(incident)
    text = _validate_body(resolution, "resolution")
    incident.status = IncidentStatus.RESOLVED.value
    incident.resolution = text
    incident.resolved_at = clock.now()
    return _record_update(actor, incident, text, is_resolution=True)


def _record_update(actor: User, incident: Incident, body: str, is_resolution: bool) -> IncidentUpdate:
    moment = clock.now()
    update = IncidentUpdate(incident_id=incident.id, author_id=actor.id, body=body,
                            body_html=markup.render_markdown(body), is_resolution=is_resolution, created_at=moment)
    db.session.add(update)
    incident.updated_at = moment
    db.session.flush()
    outbox.enqueue(FAN_OUT_JOB, {"incident_id": incident.id})
    db.session.commit()
    return update


def get_incident(actor: User, incident_id: int) -> Incident:
    require(actor, Action.CASE_WORK, None)
    incident = db.session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(_("No such incident."))
    return incident
