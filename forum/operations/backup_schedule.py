"""Scheduled backups: the worker writes an archive every backup.schedule_hours and keeps the newest backup.keep.

The job runs every few minutes and does nothing until the newest scheduled archive is older than the
setting, so changing the interval (or turning it on) applies at the next check without a restart, and a
worker that was down catches up with one backup, not a burst. Archives go to the data directory's
backups/scheduled/ and only that folder is pruned: archives made by hand with `flask backup create` are
never deleted. Copy them off this host (they are as sensitive as the database: README, Backups). A backup
longer than the job lease (five minutes) is better run by `flask backup create` from cron.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask

from forum import hooks
from forum.core import clock, setting_registry
from forum.core.i18n import N_
from forum.core.setting_registry import SettingSpec
from forum.operations import backup
from forum.services import community_settings

JOB = "backup.scheduled"
CHECK_EVERY_S = 600
ARCHIVE_NAME = re.compile(r"^horseshoe-backup-(\d{8}T\d{6}Z)(?:-(\d+))?\.tar\.gz$")

setting_registry.register(
    SettingSpec("backup.schedule_hours", float, 0,
                N_("Hours between automatic backups into the data directory's backups/scheduled folder; 0 turns "
                   "them off."), 0, 24 * 90, label=N_("Back up automatically every"), unit=N_("hours"),
                help=N_("An archive holds every account and the secret key: copy them off this server and keep "
                        "them as safe as the database.")),
    SettingSpec("backup.keep", int, 7, N_("How many automatic backups to keep; older ones are deleted after each "
                                          "new one. Backups made by hand are never deleted."), 1, 1000,
                label=N_("Automatic backups to keep"), unit=N_("archives")),
)


@dataclass(frozen=True)
class Archive:
    path: Path
    made_at: datetime
    order: tuple[str, int]


def directory() -> Path:
    return backup.default_directory() / "scheduled"


def run_scheduled(_payload: dict | None = None) -> dict:
    """The job: back up when one is due, then prune beyond backup.keep; say what it did (the job's result)."""
    hours = community_settings.get_setting("backup.schedule_hours")
    if not hours:
        return {"backed_up": None, "removed": 0}
    archives = scheduled_archives()
    if archives and clock.now() - archives[-1].made_at < timedelta(hours=hours):
        return {"backed_up": None, "removed": 0}
    made = backup.create_backup(directory())
    removed = prune(community_settings.get_setting("backup.keep"))
    return {"backed_up": made.path.name, "removed": len(removed)}


def scheduled_archives() -> list[Archive]:
    """The scheduled folder's complete archives, oldest first (partial ones have a hidden name)."""
    found = []
    folder = directory()
    for path in folder.iterdir() if folder.is_dir() else []:
        match = ARCHIVE_NAME.match(path.name)
        if match and path.is_file():
            made_at = datetime.strptime(match[1], backup.STAMP).replace(tzinfo=UTC)
            found.append(Archive(path, made_at, (match[1], int(match[2] or 1))))
    return sorted(found, key=lambda archive: archive.order)


def prune(keep: int) -> list[Path]:
    """Delete the scheduled archives beyond the newest keep; return what was deleted."""
    archives = scheduled_archives()
    doomed = [archive.path for archive in archives[:max(0, len(archives) - keep)]]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def init_app(app: Flask) -> None:
    hooks.register_job(JOB, run_scheduled, every_s=lambda: CHECK_EVERY_S)
