"""Self-service export of a member's own data (issue 20): ask, build in the worker, download for 48 hours.

request_export queues one build per member at a time (suspended and unconfirmed accounts too: taking
one's data out is never taking part), and at most one new archive a day: while the last one is ready
and younger than REQUEST_INTERVAL, asking again answers with it. The worker job accounts.build_export
writes the ZIP that forum.accounts.export_archive describes under <data_dir>/exports with a random,
unguessable name, committing its progress after every section so the privacy page can show it; then
the member is told in-app and by email. An archive lives EXPIRY: after that it reads as expired (no
write needed), and the periodic accounts.sweep_exports deletes its file. Only its owner can fetch it;
to anyone else it does not exist.

One export can have two build jobs (the queue retrying a failed one, and the job of a new request),
and a retried job can start while a slow first run still works. Each build therefore claims the
row first: a conditional UPDATE writes its own random file name into it, and every later write of
that build (progress, publishing, failing) is conditional on the name still being its own. A newer
claim takes over; the older build notices at its next write, deletes its file and stops quietly, so
one archive is published and its owner is told once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import zipfile
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from forum.accounts import export_archive
from forum.core import clock, i18n, outbox
from forum.core.errors import Conflict, DomainError, NotAuthenticated, NotFound
from forum.core.extensions import db
from forum.core.i18n import N_, _, _l
from forum.core.local_time import local_time
from forum.mail.sending import absolute_url, queue_email
from forum.models import DataExport, Job, JobStatus, Notification, NotificationKind, User

log = logging.getLogger(__name__)

BUILD_JOB = "accounts.build_export"
SWEEP_JOB = "accounts.sweep_exports"
SWEEP_INTERVAL_S = 3600
BUILD_ATTEMPTS = 5
EXPIRY = timedelta(hours=48)
# A partial or unclaimed file older than this is debris of a crashed build: the sweep removes it.
STRAY_AFTER = timedelta(days=1)
# At most one new archive per member in this time while their last one can still be downloaded.
REQUEST_INTERVAL = timedelta(hours=24)
PRIVACY_PATH = "/settings/privacy"
DOWNLOAD_PATH = "/settings/privacy/export/{id}/download"
FAILED_MESSAGE = N_("Building your archive failed. It is retried automatically in a few minutes; "
                    "if it keeps failing, request a new one.")  # translated where shown


class ExportStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"


class ExportGone(DomainError):
    """The archive existed but is gone for good (expired or swept): 410, and a new one can be requested."""

    status = 410
    title = N_("Gone")


class ExportNotReady(Conflict):
    """The archive is still being built (or its build failed): nothing to download yet."""


class Superseded(Exception):
    """A newer build claimed this export (or the export is gone): this build stops without a trace."""


def exports_dir() -> Path:
    return current_app.config["HORSESHOE"].data_path / "exports"


def download_path(export: DataExport) -> str:
    """The owner's download address (the privacy pages serve it; services build links without a request)."""
    return DOWNLOAD_PATH.format(id=export.id)


def download_name(export: DataExport) -> str:
    """The file name a browser saves the archive as."""
    return f"horseshoe-data-{export.requested_at:%Y-%m-%d}.zip"


def status_of(export: DataExport) -> ExportStatus:
    """The status a reader sees: a ready archive past expires_at is expired even before the sweep runs."""
    if export.status == ExportStatus.READY and export.expires_at is not None and export.expires_at <= clock.now():
        return ExportStatus.EXPIRED
    return ExportStatus(export.status)


def latest_export(user: User | None) -> DataExport | None:
    """The member's most recent export request, or None when they never asked."""
    if user is None:
        raise NotAuthenticated(_("Sign in to export your data."))
    return db.session.scalar(
        select(DataExport).where(DataExport.user_id == user.id).order_by(DataExport.id.desc()).limit(1)
    )


def request_export(user: User | None) -> DataExport:
    """Queue a build of the member's archive; the answer is the export the member should look at.

    While one is pending, that one; while the last one is ready and was asked for less than
    REQUEST_INTERVAL ago, that one too (is_recent_and_ready says so, for the page and the API).
    The member's row is locked first (PostgreSQL; SQLite writers are serial anyway), so two
    clicks at once never queue two builds. A failed export is rebuilt rather than left beside a new one.
    """
    if user is None:
        raise NotAuthenticated(_("Sign in to export your data."))
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    export = latest_export(user)
    waiting = export is not None and export.status == ExportStatus.PENDING and _build_queued(export)
    if waiting or (export is not None and is_recent_and_ready(export)):
        db.session.commit()
        return export
    if export is None or export.status not in (ExportStatus.FAILED, ExportStatus.PENDING):
        export = DataExport(user_id=user.id)
        db.session.add(export)
    export.status, export.progress, export.requested_at = ExportStatus.PENDING.value, 0, clock.now()
    db.session.flush()
    outbox.enqueue(BUILD_JOB, {"export_id": export.id}, max_attempts=BUILD_ATTEMPTS)
    db.session.commit()
    return export


def _build_queued(export: DataExport) -> bool:
    """Whether a build of export is still queued or running. A pending export whose job died (its worker
    killed on every attempt) would otherwise answer every later request and never be built."""
    live = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)
    same = outbox.same_payload({"export_id": export.id})  # whichever request queued it
    return db.session.scalar(
        select(Job.id).where(Job.name == BUILD_JOB, same, Job.status.in_(live)).limit(1)
    ) is not None


def is_recent_and_ready(export: DataExport) -> bool:
    """A ready archive asked for less than REQUEST_INTERVAL ago: a new request answers with it."""
    return status_of(export) == ExportStatus.READY and export.requested_at > clock.now() - REQUEST_INTERVAL


def next_request_at(export: DataExport) -> datetime:
    """When the member may ask for a new archive instead of getting this one again."""
    return export.requested_at + REQUEST_INTERVAL


def archive_for_download(user: User | None, export_id: int) -> tuple[DataExport, Path]:
    """The owner's ready archive and its file; NotFound to everyone else, ExportGone once expired."""
    if user is None:
        raise NotAuthenticated(_("Sign in to download your data."))
    export = db.session.get(DataExport, export_id)
    if export is None or export.user_id != user.id:
        raise NotFound(_("That export does not exist, or it is not yours."))
    status = status_of(export)
    if status in (ExportStatus.PENDING, ExportStatus.FAILED):
        raise ExportNotReady(_("Your archive is not ready yet: its progress shows on the privacy page."))
    path = exports_dir() / (export.file_name or "")
    if status == ExportStatus.EXPIRED or not export.file_name or not path.is_file():
        raise ExportGone(_("This download has expired: archives are kept for 48 hours. "
                           "You can request a new one on the privacy page."))
    return export, path


def build_export(payload: dict) -> None:
    """The worker job: claim the export, write the archive section by section, then publish it.

    Idempotent per export: a ready one is left alone, and a build that a newer one took over stops
    quietly. A failure marks the export failed (committed, so the page says so) and re-raises, so the
    queue retries the job with its backoff; the retry builds from scratch.
    """
    export_id = payload.get("export_id", 0)
    build = _claim(export_id)
    if build is None:
        return
    try:
        size = _write_archive(export_id, build)
        _publish(export_id, build, size)
    except Superseded:
        db.session.rollback()
    except Exception:
        db.session.rollback()
        db.session.execute(update(DataExport).where(*_still_ours(export_id, build))
                           .values(status=ExportStatus.FAILED.value))
        db.session.commit()
        raise


def _claim(export_id: int) -> str | None:
    """Make this build the export's only live one: write a fresh file name into the row, on the condition
    that the row still holds what was just read (so of two claims at once, one wins). None: nothing to build."""
    export = db.session.get(DataExport, export_id, populate_existing=True)
    if export is None or export.status not in (ExportStatus.PENDING, ExportStatus.FAILED):
        db.session.commit()
        return None
    build = f"{secrets.token_urlsafe(32)}.zip"
    seen = DataExport.file_name.is_(None) if export.file_name is None else DataExport.file_name == export.file_name
    claimed = db.session.execute(
        update(DataExport).where(DataExport.id == export_id, DataExport.status == export.status, seen)
        .values(status=ExportStatus.PENDING.value, progress=0, file_name=build)
    ).rowcount
    db.session.commit()
    return build if claimed else None


def _still_ours(export_id: int, build: str) -> tuple:
    """The WHERE terms of every write a build makes: the row is pending and still names this build."""
    return DataExport.id == export_id, DataExport.file_name == build, DataExport.status == ExportStatus.PENDING.value


def _write_archive(export_id: int, build: str) -> int:
    """Write every section into a partial file, committing progress after each; rename it into place; its size.

    The partial goes as soon as the build stops, whatever stops it (a newer build, an error).
    """
    user = db.session.get_one(User, db.session.get_one(DataExport, export_id).user_id)
    folder = exports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".partial-{build}"
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            sections = export_archive.SECTIONS
            for done, (_name, write) in enumerate(sections, start=1):
                write(archive, user)
                _note_progress(export_id, build, min(99, done * 100 // len(sections)))
        os.replace(partial, folder / build)
    finally:
        partial.unlink(missing_ok=True)
    return (folder / build).stat().st_size


def _note_progress(export_id: int, build: str, progress: int) -> None:
    moved = db.session.execute(update(DataExport).where(*_still_ours(export_id, build)).values(progress=progress))
    db.session.commit()
    if not moved.rowcount:
        raise Superseded


def _publish(export_id: int, build: str, size: int) -> None:
    """Ready for EXPIRY; the member hears of it in-app and by email (asked for, so sent whatever their settings).

    Published only while the row still names this build; when that fails, or anything after it
    does, the file is deleted: no archive outlives the row that would name it.
    """
    now = clock.now()
    try:
        published = db.session.execute(
            update(DataExport).where(*_still_ours(export_id, build))
            .values(status=ExportStatus.READY.value, progress=100, size=size, ready_at=now, expires_at=now + EXPIRY)
        ).rowcount
        if not published:
            raise Superseded
        export = db.session.get_one(DataExport, export_id, populate_existing=True)
        _announce(export, db.session.get_one(User, export.user_id), now)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        (exports_dir() / build).unlink(missing_ok=True)
        raise


def _announce(export: DataExport, user: User, now: datetime) -> None:
    until = local_time(export.expires_at, user.time_zone)
    with i18n.reading_as(user.language, user.time_zone):  # the message is stored written: in the member's language
        message = _("Download it from your privacy settings until %(moment)s.", moment=until)
    # Emailed just below: emailed_at keeps it out of the daily digest.
    db.session.add(Notification(
        user_id=user.id, kind=NotificationKind.DATA_EXPORT.value, created_at=now, emailed_at=now, message=message,
    ))
    if not user.is_service_account:
        queue_email(user.email, _l("Your Horseshoe data export is ready"), "export_ready", essential=True, user=user,
                    until=until, link=absolute_url(download_path(export)), page=absolute_url(PRIVACY_PATH))


def discard_exports(user: User) -> int:
    """Delete every export of the member, files included (their account is being erased); the caller commits.

    An archive holds the very name, email and posts that anonymisation removes, so none may outlive it.
    """
    exports = db.session.scalars(select(DataExport).where(DataExport.user_id == user.id)).all()
    for export in exports:
        if export.file_name:
            (exports_dir() / export.file_name).unlink(missing_ok=True)
        db.session.delete(export)
    return len(exports)


def sweep_exports(_payload: dict | None = None) -> dict[str, int]:
    """The periodic job: delete expired archives (the row stays, as "expired"), then stray files."""
    now = clock.now()
    expired = db.session.scalars(
        select(DataExport).where(DataExport.status == ExportStatus.READY.value, DataExport.expires_at <= now)
    ).all()
    names = [export.file_name for export in expired if export.file_name]
    for export in expired:
        export.status, export.file_name = ExportStatus.EXPIRED.value, None
    db.session.commit()  # rows first: a crash now leaves a stray file, never a row naming a missing one
    for name in names:
        (exports_dir() / name).unlink(missing_ok=True)
    return {"expired": len(expired), "strays": _remove_strays(now)}


def _remove_strays(now: datetime) -> int:
    """Files no ready export names, older than a day: partial builds of a killed worker, unpublished archives."""
    folder = exports_dir()
    if not folder.is_dir():
        return 0
    named = set(db.session.scalars(select(DataExport.file_name).where(DataExport.file_name.is_not(None))))
    db.session.commit()
    removed = 0
    for path in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):
            old = datetime.fromtimestamp(path.stat().st_mtime, tz=now.tzinfo) < now - STRAY_AFTER
            if path.is_file() and path.name not in named and old:
                path.unlink()
                removed += 1
    return removed
