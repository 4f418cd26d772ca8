"""Liveness and readiness: whether this process answers, and whether what it needs answers too.

GET /healthz says only that the process serves requests (no query: a load balancer asks it every few seconds,
and a database outage must not get every app server restarted). GET /readyz asks each dependency once:

- database: one SELECT 1.
- search: the configured backend opens its index and answers a query. Search plugs its check in through
  forum.hooks (provide_readiness_check), as forum never imports the search package.
- jobs: no job has been due for longer than JOBS_LATE_AFTER without being picked up. The worker leaves no
  heartbeat, but it keeps periodic jobs queued (search.ensure_index every minute), so a stopped worker shows
  here within minutes, and so does one that cannot keep up. Answered "unknown" while the database fails.

Each result says "ok" or why not in a few words, the same for anyone who asks (details go to the log).
Nothing here writes, so a probe never takes SQLite's write lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select, text

from forum.core import clock
from forum.core.extensions import db
from forum.models import Job, JobStatus

log = logging.getLogger(__name__)
DATABASE, SEARCH, JOBS = "database", "search", "jobs"
OK, FAILING, UNKNOWN = "ok", "failing", "unknown"
# A due job waiting longer than this means no worker is running, or it cannot keep up. Generous: a worker busy
# with a long job (a full reindex, an export) leaves the others waiting for a while without being unwell.
JOBS_LATE_AFTER = timedelta(minutes=15)
EXTENSION = "horseshoe.readiness_checks"

Check = Callable[[], None]  # returns when the dependency works; raises (anything) when it does not


class NotReady(Exception):  # noqa: N818  (a state, like search.backends.Unavailable)
    """A check's own refusal: its message is safe to show to anyone who asks /readyz."""


@dataclass(frozen=True)
class Result:
    status: str  # OK, FAILING or UNKNOWN
    detail: str = ""


@dataclass(frozen=True)
class Readiness:
    results: dict[str, Result] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(result.status == OK for result in self.results.values())

    @property
    def failed(self) -> list[str]:
        return [name for name, result in self.results.items() if result.status == FAILING]

    def as_json(self) -> dict:
        """{"status": "ok"|"failing", "failed": [names], "checks": {name: {"status": ..., "detail"?: ...}}}."""
        checks = {name: {"status": result.status, **({"detail": result.detail} if result.detail else {})}
                  for name, result in self.results.items()}
        return {"status": OK if self.ready else FAILING, "failed": self.failed, "checks": checks}


def register_check(app: Flask, name: str, check: Check) -> None:
    """Add a dependency /readyz asks about (forum.hooks.provide_readiness_check)."""
    app.extensions.setdefault(EXTENSION, {})[name] = check


def readiness(app: Flask) -> Readiness:
    """Ask every dependency: the database first, the registered ones (search), then the job queue."""
    results = {DATABASE: _run(DATABASE, check_database)}
    for name, check in app.extensions.get(EXTENSION, {}).items():
        results[name] = _run(name, check)
    if results[DATABASE].status == OK:
        results[JOBS] = _run(JOBS, check_jobs)
    else:
        results[JOBS] = Result(UNKNOWN, "the job queue is in the database")
    return Readiness(results)


def _run(name: str, check: Check) -> Result:
    try:
        check()
    except NotReady as exc:
        log.warning("readiness: %s is not ready: %s", name, exc)
        return Result(FAILING, str(exc))
    except Exception as exc:  # whatever broke, the probe answers 503 and names it; the log keeps the reason
        log.warning("readiness: %s failed: %s: %s", name, type(exc).__name__, exc)
        _end_failed_transaction()
        return Result(FAILING, f"{name} does not answer")
    return Result(OK)


def _end_failed_transaction() -> None:
    """A failed statement leaves PostgreSQL's transaction aborted: end it, so the next check starts clean."""
    try:
        db.session.rollback()
    except Exception as exc:  # an unreachable database cannot even roll back; the next check reports it
        log.debug("readiness: rollback failed: %s", exc)


def check_database() -> None:
    db.session.execute(text("SELECT 1")).scalar_one()


def check_jobs() -> None:
    """The oldest due, still queued job waited less than JOBS_LATE_AFTER (jobs waiting out a backoff are not due)."""
    moment = clock.now()
    oldest_due = db.session.scalar(
        select(func.min(Job.run_at)).where(Job.status == JobStatus.QUEUED.value, Job.run_at <= moment)
    )
    if oldest_due is not None and moment - oldest_due > JOBS_LATE_AFTER:
        minutes = int((moment - oldest_due).total_seconds() // 60)
        raise NotReady(f"a job has waited {minutes} minutes to run: is `flask worker` running?")
