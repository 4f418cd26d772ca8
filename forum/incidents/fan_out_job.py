"""The fan-out job: copy an incident's updates to every linked thread and settle them once it is resolved."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy import update as sql_update

from forum.cases import state, work
from forum.core import clock, i18n
from forum.core.errors import DomainError
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Incident, IncidentThread, IncidentUpdate, Post, Thread, User
from forum.services import moderation_state, posting, qa

# Each update reaches a thread as a staff reply from its author. Fan-out is resumable: each link
# remembers the last update it received, and the job posts only what a thread has not had yet,
# so a worker killed half-way finishes on its next run.
log = logging.getLogger(__name__)
FAN_OUT_JOB = "incidents.fan_out"


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
    try:
        posting.reply_to_thread(author, thread, _prefix(incident, update, author) + update.body)  # commits
    except DomainError as refused:  # e.g. the author lost the agent role; the others still get it
        log.warning("incident %s update %s not posted on thread %s: %s", incident.id, update.id, thread_id, refused)
        db.session.rollback()
        if _claim(thread_id, update.id):
            db.session.commit()


def _prefix(incident: Incident, update: IncidentUpdate, author: User) -> str:
    """The reply's first line, in its author's language (they write the update below it)."""
    with i18n.reading_as(author.language):
        if update.is_resolution:
            return _("**Resolved — %(title)s:**", title=incident.title) + "\n\n"
        return _("**Update on a known issue — %(title)s:**", title=incident.title) + "\n\n"


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
