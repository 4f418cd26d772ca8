"""Self-service export of a member's own data (issue 20): ask, build in the worker, download for 48 hours.

request_export queues one build per member at a time (suspended and unconfirmed accounts too: taking
one's data out is never taking part). The worker job accounts.build_export writes the ZIP that
forum.accounts.export_archive describes under <data_dir>/exports with a random, unguessable name,
committing its progress after every section so the privacy page can show it; then the member is told
in-app and by email. An archive lives EXPIRY: after that it reads as expired (no write needed), and
the periodic accounts.sweep_exports deletes its file. Only its owner can fetch it; to anyone else it
does not exist.
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
from forum.core import clock, outbox
from forum.core.errors import Conflict, DomainError, NotAuthenticated, NotFound
from forum.core.extensions import db
from forum.core.local_time import local_time
from forum.models import DataExport, Notification, NotificationKind, User
from forum.services.mail import absolute_url, queue_email

log = logging.getLogger(__name__)

BUILD_JOB = "accounts.build_export"
SWEEP_JOB = "accounts.sweep_exports"
SWEEP_INTERVAL_S = 3600
BUILD_ATTEMPTS = 5
EXPIRY = timedelta(hours=48)
# A partial or unclaimed file older than this is debris of a crashed build: the sweep removes it.
STRAY_AFTER = timedelta(days=1)
PRIVACY_PATH = "/settings/privacy"
DOWNLOAD_PATH = "/settings/privacy/export/{id}/download"
FAILED_MESSAGE = ("Building your archive failed. It is retried automatically in a few minutes; "
                  "if it keeps failing, request a new one.")


class ExportStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"


class ExportGone(DomainError):
    """The archive existed but is gone for good (expired or swept): 410, and a new one can be requested."""

    status = 410
    title = "Gone"


class ExportNotReady(Conflict):
    """The archive is still being built (or its build failed): nothing to download yet."""


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
        raise NotAuthenticated("Sign in to export your data.")
    return db.session.scalar(
        select(DataExport).where(DataExport.user_id == user.id).order_by(DataExport.id.desc()).limit(1)
    )


def request_export(user: User | None) -> DataExport:
    """Queue a build of the member's archive; while one is pending, that one is the answer.

    The member's row is locked first (PostgreSQL; SQLite writers are serial anyway), so two
    clicks at once never queue two builds. A failed export is rebuilt rather than left beside a new one.
    """
    if user is None:
        raise NotAuthenticated("Sign in to export your data.")
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    export = latest_export(user)
    if export is not None and export.status == ExportStatus.PENDING:
        db.session.commit()
        return export
    if export is None or export.status != ExportStatus.FAILED:
        export = DataExport(user_id=user.id)
        db.session.add(export)
    export.status, export.progress, export.requested_at = ExportStatus.PENDING.value, 0, clock.now()
    db.session.flush()
    outbox.enqueue(BUILD_JOB, {"export_id": export.id}, max_attempts=BUILD_ATTEMPTS)
    db.session.commit()
    return export


def archive_for_download(user: User | None, export_id: int) -> tuple[DataExport, Path]:
    """The owner's ready archive and its file; NotFound to everyone else, ExportGone once expired."""
    if user is None:
        raise NotAuthenticated("Sign in to download your data.")
    export = db.session.get(DataExport, export_id)
    if export is None or export.user_id != user.id:
        raise NotFound("That export does not exist, or it is not yours.")
    status = status_of(export)
    if status in (ExportStatus.PENDING, ExportStatus.FAILED):
        raise ExportNotReady("Your archive is not ready yet: its progress shows on the privacy page.")
    path = exports_dir() / (export.file_name or "")
    if status == ExportStatus.EXPIRED or not export.file_name or not path.is_file():
        raise ExportGone("This download has expired: archives are kept for 48 hours. "
                         "You can request a new one on the privacy page.")
    return export, path


def build_export(payload: dict) -> None:
    """The worker job: write the archive section by section, then publish it. Idempotent per export.

    A failure marks the export failed (committed, so the page says so) and re-raises, so the queue
    retries the job with its backoff; the retry builds from scratch.
    """
    export = db.session.get(DataExport, payload.get("export_id", 0))
    if export is None or export.status not in (ExportStatus.PENDING, ExportStatus.FAILED):
        db.session.commit()
        return
    export_id = export.id
    export.status, export.progress = ExportStatus.PENDING.value, 0
    db.session.commit()
    try:
        file_name, size = _write_archive(export)
        _publish(db.session.get_one(DataExport, export_id), file_name, size)
    except Exception:
        db.session.rollback()
        db.session.execute(update(DataExport).where(DataExport.id == export_id)
                           .values(status=ExportStatus.FAILED.value))
        db.session.commit()
        raise


def _write_archive(export: DataExport) -> tuple[str, int]:
    """Write every section into a partial file, committing progress after each; rename it into place."""
    user = db.session.get_one(User, export.user_id)
    folder = exports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    file_name = f"{secrets.token_urlsafe(32)}.zip"
    partial = folder / f".partial-{file_name}"
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            sections = export_archive.SECTIONS
            for done, (_name, write) in enumerate(sections, start=1):
                write(archive, user)
                export.progress = min(99, done * 100 // len(sections))
                db.session.commit()
        os.replace(partial, folder / file_name)
    finally:
        partial.unlink(missing_ok=True)
    return file_name, (folder / file_name).stat().st_size


def _publish(export: DataExport, file_name: str, size: int) -> None:
    """Ready for EXPIRY; the member hears of it in-app and by email (asked for, so sent whatever their settings)."""
    now = clock.now()
    export.status, export.progress, export.file_name, export.size = ExportStatus.READY.value, 100, file_name, size
    export.ready_at, export.expires_at = now, now + EXPIRY
    user = db.session.get_one(User, export.user_id)
    until = local_time(export.expires_at, user.time_zone)
    # Emailed just below: emailed_at keeps it out of the daily digest.
    db.session.add(Notification(
        user_id=user.id, kind=NotificationKind.DATA_EXPORT.value, created_at=now, emailed_at=now,
        message=f"Download it from your privacy settings until {until}.",
    ))
    if not user.is_service_account:
        queue_email(user.email, "Your Horseshoe data export is ready", "export_ready", user=user, until=until,
                    link=absolute_url(download_path(export)), page=absolute_url(PRIVACY_PATH))
    db.session.commit()


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
