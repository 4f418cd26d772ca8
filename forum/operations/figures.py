"""How the machinery is doing, in figures: the job queue by kind, dead jobs, the mail backlog, how far search
lags, the uploads' size, versions and the database's migration revision.

One source for the admins' System page (forum.operations.pages.system) and for the Prometheus metrics
(forum.operations.metrics), so the page and a monitoring system never disagree. Cheap enough to read on every
scrape: one grouped query over the unfinished jobs (by the job table's status index), one sum over the uploads,
and the alembic revision; done and discarded jobs, and the emails themselves, are never scanned.

What the figures mean, given how jobs work (forum.core.outbox):
- queued: the kind's jobs that will still run, whether due, waiting for a retry or a later start (a periodic run),
  or running now; dead ones are counted apart, done and discarded ones not at all.
- oldest_age_s: how long the kind's longest-waiting job has been due without being picked up (now - run_at), so
  a periodic job scheduled for later or a failing job waiting out its backoff does not count as late; None when
  no job of the kind is due. A worker that keeps up keeps this near zero.
- mail_backlog: emails stored but not delivered: their mail.send job is waiting, running, or dead (the
  Delivery problems page resends or discards those).
- search_index_lag_s: the age of the oldest change search has not taken in yet (an index or purge job still
  waiting, counted from when it was queued, retries included); None when search is up to date.
- uploads_bytes: the bytes the live uploads and their renditions name, each blob once (identical files share a
  blob, forum.uploads.storage); the stores' own overhead, and blobs of removed uploads not yet swept, are not
  counted.
"""

from __future__ import annotations

import platform
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata

import sqlalchemy
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, union

from forum.core import clock
from forum.core.extensions import db
from forum.mail.sending import SEND_JOB
from forum.models import Job, JobStatus, Upload, UploadRendition
from forum.services import indexing

SEARCH_UPDATE_JOBS = (indexing.INDEX_THREAD_JOB, indexing.PURGE_THREAD_JOB, indexing.INDEX_ARTICLE_JOB)
_QUEUED, _RUNNING, _DEAD = JobStatus.QUEUED.value, JobStatus.RUNNING.value, JobStatus.DEAD.value


@dataclass(frozen=True)
class JobKindFigure:
    kind: str  # the job's name ("mail.send", "search.index_thread", ...)
    queued: int  # still to run: due, waiting (retry backoff, a later start) or running; not dead, done, discarded
    oldest_age_s: float | None  # how long the longest-waiting due job has been due; None when none is due


@dataclass(frozen=True)
class SystemFigures:
    jobs: list[JobKindFigure]  # by kind name; only kinds with a job still to run
    dead_jobs: int
    mail_backlog: int  # emails stored but not delivered (waiting, being sent, or dead)
    search_index_lag_s: float | None  # age of the oldest change not yet in the search index; None when none
    uploads_bytes: int  # the blobs live uploads and their renditions name, each counted once
    versions: dict[str, str]  # horseshoe, python, flask, sqlalchemy, database
    migration_head: str  # the database's alembic revision ("" for tables made without migrations)

    @property
    def queued_jobs(self) -> int:
        return sum(figure.queued for figure in self.jobs)


@dataclass(frozen=True)
class _KindRow:
    name: str
    status: str
    count: int
    first_due: datetime | None
    first_created: datetime | None


def system_figures() -> SystemFigures:
    """Every figure, read now (a handful of queries whatever the queue holds)."""
    moment = clock.now()
    rows = _unfinished_jobs()
    return SystemFigures(
        jobs=_queue_by_kind(rows, moment),
        dead_jobs=sum(row.count for row in rows if row.status == _DEAD),
        mail_backlog=sum(row.count for row in rows if row.name == SEND_JOB),
        search_index_lag_s=_search_lag(rows, moment),
        uploads_bytes=uploads_bytes(),
        versions=versions(),
        migration_head=migration_head(),
    )


def _unfinished_jobs() -> list[_KindRow]:
    """Queued, running and dead jobs counted by name and status, with the earliest due and queued times."""
    query = (
        select(Job.name, Job.status, func.count(), func.min(Job.run_at), func.min(Job.created_at))
        .where(Job.status.in_([_QUEUED, _RUNNING, _DEAD]))
        .group_by(Job.name, Job.status)
    )
    return [_KindRow(name, status, int(count), first_due, first_created)
            for name, status, count, first_due, first_created in db.session.execute(query)]


def _queue_by_kind(rows: list[_KindRow], moment: datetime) -> list[JobKindFigure]:
    counts: dict[str, int] = {}
    oldest: dict[str, float | None] = {}
    for row in rows:
        if row.status == _DEAD:
            continue
        counts[row.name] = counts.get(row.name, 0) + row.count
        oldest.setdefault(row.name, None)
        if row.status == _QUEUED and row.first_due is not None and row.first_due <= moment:
            oldest[row.name] = (moment - row.first_due).total_seconds()
    return [JobKindFigure(name, counts[name], oldest[name]) for name in sorted(counts)]


def _search_lag(rows: list[_KindRow], moment: datetime) -> float | None:
    waiting = [row.first_created for row in rows
               if row.name in SEARCH_UPDATE_JOBS and row.status != _DEAD and row.first_created is not None]
    return max(0.0, (moment - min(waiting)).total_seconds()) if waiting else None


def uploads_bytes() -> int:
    """Each blob a live upload or a rendition of one names, once: (sha256, size) pairs deduplicated by UNION."""
    live = Upload.removed_at.is_(None)
    blobs = union(
        select(Upload.sha256, Upload.size).where(live),
        select(UploadRendition.sha256, UploadRendition.size).join(Upload, UploadRendition.upload_id == Upload.id)
        .where(live),
    ).subquery()
    return int(db.session.scalar(select(func.coalesce(func.sum(blobs.c.size), 0))) or 0)


def versions() -> dict[str, str]:
    """What runs: Horseshoe and the parts whose versions a bug report needs (no query: the dialect knows)."""
    return {
        "horseshoe": _installed("horseshoe"),
        "python": platform.python_version(),
        "flask": _installed("flask"),
        "sqlalchemy": sqlalchemy.__version__,
        "database": database_version(),
    }


def database_version() -> str:
    """ "PostgreSQL 16.4" or "SQLite 3.45.1", from what the driver learnt on connecting."""
    dialect = db.engine.dialect
    if dialect.name == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    found = getattr(dialect, "server_version_info", None) or ()
    number = ".".join(str(part) for part in found)
    name = "PostgreSQL" if dialect.name == "postgresql" else dialect.name
    return f"{name} {number}".strip()


def migration_head() -> str:
    """The revision the database is at (alembic_version); "" when its tables were made without migrations."""
    heads = MigrationContext.configure(db.session.connection()).get_current_heads()
    return ", ".join(sorted(heads))


def _installed(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""
