"""Delivery problems: background jobs (outbound mail above all) that keep failing or went dead, and what
admins do about them.

How a job fails (forum.core.outbox, forum.core.worker): a handler that raises is retried with exponential
backoff and jitter (about 30 s, 1 min, 2 min, ... up to 6 hours apart) until it has run max_attempts times
(8 for mail, 1 for periodic runs), then it is DEAD and never runs again on its own; a worker that dies
mid-job leaves a lease that expires, and the job runs again or, out of attempts, goes dead. Nothing told
anyone: this module lists those jobs (newest first) with what each was for, in words, and its last error.

An admin may resend one (back to the queue with its attempts at zero, to run now; the error it had is kept
in the audit entry) or discard it (put aside for good; a discarded email is marked so, and a received
message is marked ignored, its raw bytes dropped, its sender not answered). Both are audited.
A running job can be neither. Resending mail that was in fact sent never sends it twice: the mail.send
handler skips an email whose sent_at is set (forum.mail.sending.send_email_job).

summary() is the counts for the admin menu and for issue 28's metrics: one query on the job table, by
its status index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update

from forum.core import clock, outbox
from forum.core.errors import Conflict, NotFound
from forum.core.extensions import db
from forum.core.i18n import _, ngettext
from forum.core.pagination import Page, decode_cursor, encode_cursor
from forum.mail.inbound import PROCESS_JOB
from forum.mail.sending import SEND_JOB
from forum.models import InboundMail, InboundStatus, Job, JobStatus, OutboundEmail, User
from forum.services import audit_writer
from forum.services.permissions import Action, require

PER_PAGE = 50
SHORT_ERROR = 160  # characters of the error in the list; the whole of it is one click away
MAX_BULK = 500  # dead emails resent by one click; more are left for the next
RECEIVED_DISCARDED = "Handling it kept failing, and an admin discarded it: not handled, and its sender not answered."
_DEAD, _QUEUED, _RUNNING = JobStatus.DEAD.value, JobStatus.QUEUED.value, JobStatus.RUNNING.value
_FAILED_BEFORE = and_(Job.attempts > 0, Job.last_error != "")
# Failing and still retrying: queued for its next attempt, or in one now.
RETRYING = and_(Job.status.in_([_QUEUED, _RUNNING]), _FAILED_BEFORE)
PROBLEM = or_(Job.status == _DEAD, RETRYING)
# What an admin may resend or discard: a dead job, or a failing one between two attempts (never a running one).
SETTLEABLE = or_(Job.status == _DEAD, and_(Job.status == _QUEUED, _FAILED_BEFORE))


@dataclass(frozen=True)
class DeliverySummary:
    """How things stand: dead jobs (dead_mail of them emails), failing jobs still retrying, and emails waiting
    to be sent (queued or retrying; the dead ones are counted in dead_mail)."""

    dead: int
    retrying: int
    mail_waiting: int
    dead_mail: int


@dataclass(frozen=True)
class Problem:
    """One failing or dead job, in words."""

    job: Job
    what: str  # "Email to ana@example.com: “Reset your password”", or the job's input summarised
    email: OutboundEmail | None  # the email a mail.send job delivers
    dead: bool  # False: failing, still retrying (job.run_at is its next attempt)
    short_error: str  # the error's first line, cut for the list
    error: str  # all of it

    @property
    def running(self) -> bool:
        return self.job.status == _RUNNING

    @property
    def last_tried_at(self) -> datetime | None:
        """When it last ran, where the row knows: a dead job's last attempt ended it."""
        return self.job.finished_at if self.dead else None


@dataclass(frozen=True)
class Resent:
    problem: Problem
    already_sent: bool  # a mail job whose email went out after all: the job runs, and sends nothing


def summary() -> DeliverySummary:
    """The counts, in one query over the unfinished jobs (the status index keeps it cheap)."""
    dead, mail = Job.status == _DEAD, Job.name == SEND_JOB
    row = db.session.execute(
        select(
            func.count(case((dead, 1))),
            func.count(case((RETRYING, 1))),
            func.count(case((and_(~dead, mail), 1))),
            func.count(case((and_(dead, mail), 1))),
        ).where(Job.status.in_([_QUEUED, _RUNNING, _DEAD]))
    ).one()
    return DeliverySummary(*(int(value or 0) for value in row))


def list_problems(viewer: User | None, limit: int = PER_PAGE, cursor: str | None = None, *,
                  dead_only: bool = False) -> Page[Problem]:
    """Failing and dead jobs (only the dead ones, for the System page), newest first; admins only."""
    require(viewer, Action.ADMIN_VIEW)
    query = select(Job).where(Job.status == _DEAD if dead_only else PROBLEM)
    after = decode_cursor(cursor, [int])
    if after:
        query = query.where(Job.id < after[0])
    jobs = list(db.session.scalars(query.order_by(Job.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor([jobs[limit - 1].id]) if len(jobs) > limit else None
    return Page(describe(jobs[:limit]), next_cursor)


def get_problem(viewer: User | None, job_id: int) -> Problem:
    """One failing or dead job; NotFound for an unknown id, Conflict for a job that has not failed (or is settled)."""
    require(viewer, Action.ADMIN_VIEW)
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound(_("There is no such job."))
    problem = describe([job])[0]
    if job.status == JobStatus.DISCARDED.value:
        raise Conflict(_("%(what)s was discarded already.", what=problem.what))
    if not _is_problem(job):
        raise Conflict(_("%(what)s has not failed: there is nothing to resend or discard.", what=problem.what))
    return problem


def resend(actor: User | None, job_id: int) -> Resent:
    """Queue a dead or failing job again, to run now with its attempts at zero; the error it had goes into the
    audit entry. A running job is refused (Conflict): its attempt may still succeed."""
    problem = get_problem(actor, job_id)
    _requeue(actor, problem, clock.now())
    db.session.commit()
    return Resent(problem, already_sent=problem.email is not None and problem.email.sent_at is not None)


def discard(actor: User | None, job_id: int) -> Problem | None:
    """Put a dead or failing job aside for good (a mail job's email is marked discarded; a received message is
    left unhandled, its raw bytes dropped); None when it already was.

    A running job is refused (Conflict): it could be delivering the email this very moment.
    """
    require(actor, Action.ADMIN_VIEW)
    job = db.session.get(Job, job_id)
    if job is not None and job.status == JobStatus.DISCARDED.value:
        return None
    problem = get_problem(actor, job_id)
    moment = clock.now()
    before = _state(problem)
    _settle(problem, status=JobStatus.DISCARDED.value, finished_at=moment)
    if problem.email is not None and problem.email.sent_at is None:
        problem.email.discarded_at = moment
    if problem.job.name == PROCESS_JOB:
        _give_up_on_received(_id_in(_payload(problem.job)), moment)
    audit_writer.record(actor, "job.discard", "job", problem.job.id, before=before,
                        after={"name": before["name"], "status": JobStatus.DISCARDED.value})
    db.session.commit()
    return problem


def resend_dead_mail(actor: User | None) -> int:
    """Resend every dead email at once (after a mail server outage, say); how many were queued again."""
    require(actor, Action.ADMIN_VIEW)
    jobs = db.session.scalars(select(Job).where(Job.status == _DEAD, Job.name == SEND_JOB)
                              .order_by(Job.id).limit(MAX_BULK)).all()
    moment = clock.now()
    for problem in describe(list(jobs)):
        _requeue(actor, problem, moment)
    db.session.commit()
    return len(jobs)


def describe(jobs: list[Job]) -> list[Problem]:
    """Each job in words; the emails and received messages they name are loaded once for all of them."""
    payloads = {job.id: _payload(job) for job in jobs}
    emails = _load(OutboundEmail, [_id_in(payloads[job.id]) for job in jobs if job.name == SEND_JOB])
    received = _load(InboundMail, [_id_in(payloads[job.id]) for job in jobs if job.name == PROCESS_JOB])
    problems = []
    for job in jobs:
        payload = payloads[job.id]
        email = emails.get(_id_in(payload)) if job.name == SEND_JOB else None
        if email is not None:
            what = _("Email to %(address)s: “%(subject)s”", address=email.to_address, subject=email.subject)
        elif job.name == PROCESS_JOB:
            what = _received_label(received.get(_id_in(payload)), payload)
        else:
            what = _payload_label(job.name, payload)
        problems.append(Problem(job, what, email, job.status == _DEAD, _short(job.last_error), job.last_error))
    return problems


def _give_up_on_received(mail_id: int | None, moment: datetime) -> None:
    """A received message nobody will handle now: ignored, unanswered, and its raw bytes dropped (they are kept
    only while a message waits; nothing would ever remove them)."""
    db.session.execute(
        update(InboundMail).where(InboundMail.id == mail_id, InboundMail.status == InboundStatus.RECEIVED.value)
        .values(status=InboundStatus.IGNORED.value, raw=None, processed_at=moment, outcome=RECEIVED_DISCARDED)
        .execution_options(synchronize_session=False)
    )


def _is_problem(job: Job) -> bool:
    failed = job.attempts > 0 and bool(job.last_error)
    return job.status == _DEAD or (job.status in (_QUEUED, _RUNNING) and failed)


def _requeue(actor: User | None, problem: Problem, moment: datetime) -> None:
    before = _state(problem)
    _settle(problem, status=_QUEUED, attempts=0, run_at=moment, last_error="", finished_at=None)
    audit_writer.record(actor, "job.resend", "job", problem.job.id, before=before,
                        after={"name": before["name"], "status": _QUEUED, "attempts": 0})


def _settle(problem: Problem, **values: Any) -> None:
    """Change the job only if it is still dead or waiting between attempts: a worker may have claimed it since.

    A conditional UPDATE, so the check and the change are one step on PostgreSQL too.
    """
    job_id = problem.job.id
    changed = db.session.execute(
        update(Job).where(Job.id == job_id, SETTLEABLE).values(locked_until=None, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        db.session.rollback()
        status = db.session.scalar(select(Job.status).where(Job.id == job_id))
        if status == _RUNNING:
            raise Conflict(_("%(what)s is running right now: wait for this attempt to end, then look again.",
                             what=problem.what))
        if status is None:
            raise Conflict(_("%(what)s changed meanwhile (it is gone now): look again.", what=problem.what))
        raise Conflict(_("%(what)s changed meanwhile (it is %(status)s now): look again.", what=problem.what,
                         status=status))
    db.session.expire(problem.job)


def _state(problem: Problem) -> dict[str, Any]:
    """What the audit entry keeps of the job: its name, state and error; no address or subject (the audit log
    outlives a member's data)."""
    state = {"name": problem.job.name, "status": problem.job.status, "attempts": problem.job.attempts,
             "last_error": problem.error}
    if problem.email is not None:
        state["email_id"] = problem.email.id
    return state


def _payload(job: Job) -> dict[str, Any]:
    try:
        value = json.loads(job.payload_json or "{}")
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    value.pop(outbox.REQUEST_ID_KEY, None)  # which request queued it is for logs, not for the job's label
    return value


def _id_in(payload: dict[str, Any]) -> int | None:
    value = payload.get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _load(model: type, ids: list[int | None]) -> dict[int, Any]:
    wanted = {ident for ident in ids if ident is not None}
    if not wanted:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(wanted)))}


def _received_label(mail: InboundMail | None, payload: dict[str, Any]) -> str:
    if mail is None:
        return _("Email received (#%(id)s), since removed", id=payload.get("id", "?"))
    sender, to = mail.from_address, mail.to_address
    if sender and to:
        label = _("Email received from %(sender)s to %(to)s", sender=sender, to=to)
    elif sender or to:
        label = _("Email received from %(sender)s", sender=sender) if sender else _("Email received to %(to)s", to=to)
    else:
        label = _("Email received")
    return f"{label}: “{mail.subject}”" if mail.subject else label


def _payload_label(name: str, payload: dict[str, Any]) -> str:
    """ "search.index_thread: thread 42" (the payload's ids, by what they name)."""
    if name == SEND_JOB:
        return _("Email #%(id)s, since removed", id=payload.get("id", "?"))
    parts = [f"{key.removesuffix('_id').removesuffix('_ids').replace('_', ' ')} {_value(value)}"
             for key, value in sorted(payload.items())]
    text = ", ".join(parts) if parts else _("no input")
    return f"{name}: {text if len(text) <= 120 else text[:119] + '…'}"


def _value(value: Any) -> str:
    if isinstance(value, list):
        shown = ", ".join(str(item) for item in value[:5])
        more = len(value) - 5
        if more <= 0:
            return shown
        return ngettext("%(shown)s and %(num)d more", "%(shown)s and %(num)d more", more, shown=shown)
    return str(value)


def _short(error: str) -> str:
    first = next((line.strip() for line in (error or "").splitlines() if line.strip()), "")
    return first if len(first) <= SHORT_ERROR else first[:SHORT_ERROR - 1].rstrip() + "…"
