"""Incidents: one problem, many askers — answer it once and reach every thread.

The search package's detector calls raise_alert() with clusters of similar unsolved questions;
agents turn an alert into an incident (or add it to a running one), post updates and finally
the resolution. Each update is copied to every linked thread by a job, as a staff reply from
its author, so askers are told where they asked (watchers get the usual reply notification).
The resolution is also accepted on unsolved questions and resolves their open cases.

Fan-out is resumable: each link remembers the last update it received, and the job posts
only what a thread has not had yet, so a worker killed half-way finishes on its next run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy import update as sql_update

from forum.cases import state, work
from forum.core import clock, outbox
from forum.core.errors import Conflict, DomainError, ErrorCollector, Invalid, NotFound
from forum.core.extensions import db
from forum.models import (
    AlertStatus,
    Incident,
    IncidentAlert,
    IncidentAlertThread,
    IncidentStatus,
    IncidentThread,
    IncidentUpdate,
    NotificationKind,
    Post,
    Role,
    Thread,
    ThreadKind,
    User,
)
from forum.services import markup, moderation_state, notifications, posting, qa
from forum.services.permissions import Action, require

log = logging.getLogger(__name__)
FAN_OUT_JOB = "incidents.fan_out"
MAX_TITLE = 200
MAX_BODY = 20_000
MAX_LINKS_AT_ONCE = 200
UPDATE_PREFIX = "**Update on a known issue — {title}:**\n\n"
RESOLUTION_PREFIX = "**Resolved — {title}:**\n\n"


# --- alerts (raised by the detector) -------------------------------------------------------------

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
    agents = db.session.scalars(select(User.id).where(User.role.in_([Role.AGENT.value, Role.ADMIN.value]),
                                                      User.anonymized_at.is_(None)))
    first = db.session.get(Thread, thread_ids[0])
    words = f" about “{alert.shared_terms}”" if alert.shared_terms else ""
    message = f"{len(thread_ids)} similar unsolved questions arrived close together{words}. Is it one problem?"
    notifications.notify(list(agents), notifications.Event(NotificationKind.INCIDENT, first, message=message))


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


# --- incidents --------------------------------------------------------------------------------------

def _validate_title(title: object) -> str:
    text = title.strip() if isinstance(title, str) else ""
    if not text:
        raise Invalid({"title": ["Give the incident a short title customers will recognise."]})
    if len(text) > MAX_TITLE:
        raise Invalid({"title": [f"Keep the title under {MAX_TITLE} characters."]})
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


def link_threads(actor: User, incident: Incident, thread_ids: Iterable[int]) -> Incident:
    """Link more questions by id; an unknown id or one in another incident is an error. Commits."""
    require(actor, Action.CASE_WORK, incident)
    _require_open(incident)
    _link(actor, incident, list(thread_ids), strict=True)
    db.session.commit()
    return incident


def unlink_thread(actor: User, incident: Incident, thread_id: int) -> Incident:
    """Take a question out of the incident (it was a different problem). Commits."""
    require(actor, Action.CASE_WORK, incident)
    link = db.session.get(IncidentThread, thread_id)
    if link is None or link.incident_id != incident.id:
        raise NotFound("That question is not linked to this incident.")
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
            raise Invalid({"thread_ids": [f"“{token[:40]}” is not a thread number or link."]})
        ids.append(int(candidate))
    if not ids:
        raise Invalid({"thread_ids": ["Give at least one thread number."]})
    if len(ids) > MAX_LINKS_AT_ONCE:
        raise Invalid({"thread_ids": [f"Link at most {MAX_LINKS_AT_ONCE} threads at once."]})
    return list(dict.fromkeys(ids))


def _link(actor: User, incident: Incident, thread_ids: list[int], strict: bool) -> None:
    """Link live questions not yet in any incident; strict: refuse the lot if any id can't be linked."""
    ids = list(dict.fromkeys(thread_ids))
    threads = {thread.id: thread for thread in db.session.scalars(select(Thread).where(Thread.id.in_(ids)))}
    taken = {link.thread_id: link.incident_id for link in db.session.scalars(
        select(IncidentThread).where(IncidentThread.thread_id.in_(ids)))}
    errors = ErrorCollector()
    linkable = []
    for thread_id in ids:
        thread = threads.get(thread_id)
        if thread is None or thread.deleted_at is not None or thread.kind != ThreadKind.QUESTION.value:
            errors.add("thread_ids", f"There is no question #{thread_id}.")
        elif thread_id in taken:
            if taken[thread_id] != incident.id:
                errors.add("thread_ids", f"Question #{thread_id} is already part of incident #{taken[thread_id]}.")
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
    incident.updated_at = moment


def _claim_alert(alert: IncidentAlert) -> None:
    """Take the waiting alert for this transaction; two agents acting on it at once: the second is told."""
    taken = db.session.execute(
        sql_update(IncidentAlert).where(IncidentAlert.id == alert.id, IncidentAlert.status == AlertStatus.NEW.value)
        .values(status=AlertStatus.LINKED.value)
    ).rowcount
    if taken != 1:
        db.session.rollback()
        raise Conflict("Another agent already handled this alert.")


def _mark_linked(alert: IncidentAlert, incident: Incident) -> None:
    alert.status = AlertStatus.LINKED.value
    alert.incident_id = incident.id
    alert.updated_at = clock.now()


def _require_open(incident: Incident) -> None:
    if not incident.is_open:
        raise Conflict("This incident is resolved.")


def _validate_body(body: object, field: str) -> str:
    text = body.strip() if isinstance(body, str) else ""
    if not text:
        raise Invalid({field: ["Write what customers should know."]})
    if len(text) > MAX_BODY:
        raise Invalid({field: [f"Keep it under {MAX_BODY:,} characters."]})
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


def fan_out(payload: dict) -> None:
    """Job: bring every linked thread up to date with the incident's updates, then settle the resolved ones.

    Safe to run twice at once and to re-run after a crash: each (thread, update) pair is claimed in
    the same transaction as its reply, and settling is recorded per thread once it is done.
    """
    incident = db.session.get(Incident, payload.get("incident_id"))
    if incident is None:
        return
    updates = list(db.session.scalars(
        select(IncidentUpdate).where(IncidentUpdate.incident_id == incident.id).order_by(IncidentUpdate.id)
    ))
    links = list(db.session.execute(
        select(IncidentThread.thread_id, IncidentThread.last_update_id)
        .where(IncidentThread.incident_id == incident.id).order_by(IncidentThread.thread_id)
    ))
    for thread_id, last_update_id in links:
        for update in updates:
            if update.id > (last_update_id or 0):
                _deliver(incident, update, thread_id)
    resolution = next((update for update in reversed(updates) if update.is_resolution), None)
    if resolution is not None:
        _settle_all(incident, resolution)


def _claim(thread_id: int, update_id: int) -> bool:
    """Mark the update as given to the thread, in the current transaction; False when another run already did.

    The row stays locked until the caller commits, so a concurrent run waits and then finds it claimed.
    """
    claimed = db.session.execute(
        sql_update(IncidentThread)
        .where(IncidentThread.thread_id == thread_id, func.coalesce(IncidentThread.last_update_id, 0) < update_id)
        .values(last_update_id=update_id)
    )
    return claimed.rowcount == 1


def _destination(thread: Thread | None) -> Thread | None:
    """Where the asker now reads: a merged question's target (unless linked itself), never a deleted thread."""
    if thread is not None and thread.merged_into_id is not None:
        target = moderation_state.merged_target(thread.id)
        linked_itself = target is not None and db.session.get(IncidentThread, target.id) is not None
        thread = None if linked_itself else target
    return thread if thread is not None and thread.deleted_at is None else None


def _deliver(incident: Incident, update: IncidentUpdate, thread_id: int) -> None:
    """Post one update on one thread as its author's reply; the claim, count and reply commit together."""
    if not _claim(thread_id, update.id):
        db.session.rollback()
        return
    thread = _destination(db.session.get(Thread, thread_id))
    author = db.session.get(User, update.author_id) if update.author_id else None
    if author is None or thread is None:
        db.session.commit()  # nobody to post as, or nowhere to post: skip, never retry forever
        return
    update.threads_reached = IncidentUpdate.threads_reached + 1
    prefix = RESOLUTION_PREFIX if update.is_resolution else UPDATE_PREFIX
    try:
        posting.reply_to_thread(author, thread, prefix.format(title=incident.title) + update.body)  # commits
    except DomainError as refused:  # e.g. the author lost the agent role; the others still get it
        log.warning("incident %s update %s not posted on thread %s: %s", incident.id, update.id, thread_id, refused)
        db.session.rollback()
        if _claim(thread_id, update.id):
            db.session.commit()


def _settle_all(incident: Incident, resolution: IncidentUpdate) -> None:
    """Accept the posted resolution and resolve open cases on every thread that has it and is not settled yet."""
    author = db.session.get(User, resolution.author_id) if resolution.author_id else None
    waiting = list(db.session.scalars(
        select(IncidentThread).where(
            IncidentThread.incident_id == incident.id, IncidentThread.last_update_id >= resolution.id,
            IncidentThread.settled_at.is_(None),
        )
    ))
    for link in waiting:
        thread = _destination(link.thread)
        if author is not None and thread is not None:
            _settle(author, thread, resolution)
        link = db.session.get(IncidentThread, link.thread_id)
        if link is not None:
            link.settled_at = clock.now()
            db.session.commit()


def _settle(author: User, thread: Thread, resolution: IncidentUpdate) -> None:
    """The resolution answers the question: accept its reply if nothing is accepted yet; resolve the open case."""
    post = db.session.scalar(
        select(Post).where(
            Post.thread_id == thread.id, Post.author_id == author.id, Post.is_question.is_(False),
            Post.created_at >= resolution.created_at, Post.deleted_at.is_(None),
        ).order_by(Post.id.desc()).limit(1)
    )
    if thread.accepted_post_id is None and post is not None and post.is_public:
        try:
            qa.accept_solution(author, thread, post)
        except DomainError as refused:
            log.warning("incident resolution not accepted on thread %s: %s", thread.id, refused)
            db.session.rollback()
    case = state.open_case_for(thread)
    if case is not None:
        try:
            work.resolve_case(author, case, resolution.body, publish_to_thread=False)
        except DomainError as refused:
            log.warning("case %s not resolved with its incident: %s", case.id, refused)
            db.session.rollback()


# --- reading --------------------------------------------------------------------------------------

def incident_for_thread(thread: Thread) -> tuple[Incident, IncidentUpdate | None] | None:
    """The incident a thread is part of and its latest update, shown publicly on the thread (one query)."""
    latest = (
        select(IncidentUpdate.id).where(IncidentUpdate.incident_id == Incident.id)
        .order_by(IncidentUpdate.id.desc()).limit(1).correlate(Incident).scalar_subquery()
    )
    row = db.session.execute(
        select(Incident, IncidentUpdate)
        .join(IncidentThread, IncidentThread.incident_id == Incident.id)
        .outerjoin(IncidentUpdate, IncidentUpdate.id == latest)
        .where(IncidentThread.thread_id == thread.id)
    ).first()
    return (row[0], row[1]) if row is not None else None


def latest_update(incident: Incident) -> IncidentUpdate | None:
    return db.session.scalar(
        select(IncidentUpdate).where(IncidentUpdate.incident_id == incident.id).order_by(IncidentUpdate.id.desc())
        .limit(1)
    )


def get_incident(actor: User, incident_id: int) -> Incident:
    require(actor, Action.CASE_WORK, None)
    incident = db.session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("No such incident.")
    return incident


def get_alert(actor: User, alert_id: int) -> IncidentAlert:
    require(actor, Action.CASE_WORK, None)
    alert = db.session.get(IncidentAlert, alert_id)
    if alert is None:
        raise NotFound("No such alert.")
    return alert
