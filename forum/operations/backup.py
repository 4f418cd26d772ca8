"""`flask backup create` and the scheduled backups: the whole community in one archive, taken while it runs.

The archive (forum.operations.backup_archive) holds a consistent snapshot of the database
(forum.operations.database_dumps), every uploaded blob kept in the data directory, the community
settings as JSON (for reading: they come back with the database), and the data directory's secret key
(so a restored site keeps its sessions, remember-me cookies and signed links). Its manifest records
Horseshoe's version, the migration revision, the database dialect, every table's row count and each
member's SHA-256. Uploads kept in S3 stay in their bucket: the manifest names it, the archive holds none.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from flask import current_app
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from forum.core import clock
from forum.core.extensions import db
from forum.core.settings import Settings
from forum.operations import backup_archive, database_dumps
from forum.operations.backup_archive import FORMAT, FORMAT_VERSION, BackupError, Progress
from forum.services import community_settings
from forum.uploads.storage import SHA256

ARCHIVE_PREFIX = "horseshoe-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
STAMP = "%Y%m%dT%H%M%SZ"
SECRET_KEY_MEMBER = "secret_key"  # nosec B105  # a file name in the archive, not a secret
SETTINGS_MEMBER = "settings.json"
UPLOADS = "uploads/"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict


def settings() -> Settings:
    return current_app.config["HORSESHOE"]


def default_directory() -> Path:
    """Where `flask backup create` writes without --to: the data directory's backups/ (never itself backed up)."""
    return settings().data_path / "backups"


def count_steps() -> int:
    """Progress units of create_backup: the database snapshot, then each member written to the archive."""
    return 1 + 2 + len(upload_files()) + (1 if secret_key_file() else 0)


def create_backup(directory: Path | None = None, progress: Progress = lambda _n: None) -> BackupResult:
    """Write a new archive into directory (default_directory()) and return where, with its manifest."""
    directory = Path(directory or default_directory())
    document = json.dumps(_settings_document(), indent=2, sort_keys=True, default=str)
    db.session.commit()  # ends the read: on SQLite each transaction holds the write lock (forum.core.database)
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=_scratch_parent(directory)) as scratch:
        database_member, database = _snapshot(Path(scratch))
        progress(1)
        settings_file = Path(scratch) / SETTINGS_MEMBER
        settings_file.write_text(document)
        members = {database_member: Path(scratch) / Path(database_member).name, SETTINGS_MEMBER: settings_file}
        if secret_key_file():
            members[SECRET_KEY_MEMBER] = secret_key_file()
        members.update({UPLOADS + path.name: path for path in upload_files()})
        target = _unused_name(directory)
        manifest = backup_archive.write_archive(target, _manifest(database), members, progress)
    return BackupResult(target, manifest)


def _scratch_parent(directory: Path) -> Path:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _snapshot(scratch: Path) -> tuple[str, dict]:
    """Copy the database into scratch; return its member name and the manifest's database section."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        copy = scratch / Path(database_dumps.SQLITE_MEMBER).name
        counts = database_dumps.snapshot_sqlite(url, copy)
        return database_dumps.SQLITE_MEMBER, {"dialect": "sqlite", "tables": counts,
                                              "revision": _revision(f"sqlite:///{copy}")}
    if url.get_backend_name() == "postgresql":
        dump = scratch / Path(database_dumps.POSTGRES_MEMBER).name
        schema, counts = database_dumps.snapshot_postgres(db.engine, dump)
        return database_dumps.POSTGRES_MEMBER, {"dialect": "postgresql", "schema": schema, "tables": counts,
                                                "revision": _revision(db.engine.url)}
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {url.get_backend_name()}.")


def _revision(url) -> str:
    """The alembic revision of the database at url; "" when its tables were made without migrations."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return ", ".join(sorted(MigrationContext.configure(connection).get_current_heads()))
    finally:
        engine.dispose()


def _manifest(database: dict) -> dict:
    deployment = settings()
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "horseshoe_version": _version(),
        "created_at": clock.now().isoformat(),
        "migration_revision": database.pop("revision"),
        "database": {key: value for key, value in database.items() if key != "tables"},
        "tables": database["tables"],
        "uploads": _uploads_section(deployment),
        "secret_key": ("in this archive" if secret_key_file() else
                       "not in this archive: HORSESHOE_SECRET_KEY supplies it; keep that variable with the archive"),
    }


def _uploads_section(deployment: Settings) -> dict:
    if deployment.upload_storage == "s3":
        return {"storage": "s3", "bucket": deployment.s3_bucket, "files": 0,
                "note": "uploaded files stay in the S3 bucket; back the bucket up separately (e.g. versioning)"}
    return {"storage": "filesystem", "files": len(upload_files())}


def _settings_document() -> dict:
    """The community settings (restored with the database; here for reading) and the deployment's non-secrets."""
    deployment = settings()
    return {
        "community": community_settings.all_settings(),
        "deployment": {"search_backend": deployment.search_backend, "upload_storage": deployment.upload_storage,
                       "base_url": deployment.base_url},
    }


def upload_files() -> list[Path]:
    """The blobs of the data directory's upload store (none when uploads live in S3)."""
    if settings().upload_storage != "filesystem":
        return []
    root = settings().data_path / "uploads"
    return sorted(path for path in root.rglob("*") if path.is_file() and SHA256.fullmatch(path.name))


def secret_key_file() -> Path | None:
    path = settings().data_path / "secret_key"
    return path if path.is_file() else None


def _unused_name(directory: Path) -> Path:
    """horseshoe-backup-<UTC time>.tar.gz, with -2, -3 ... when one was made in the same second."""
    stem = ARCHIVE_PREFIX + clock.now().strftime(STAMP)
    candidate, n = directory / (stem + ARCHIVE_SUFFIX), 1
    while candidate.exists():
        n += 1
        candidate = directory / f"{stem}-{n}{ARCHIVE_SUFFIX}"
    return candidate


def _version() -> str:
    try:
        return metadata.version("horseshoe")
    except metadata.PackageNotFoundError:
        return "unknown"
