"""`flask backup restore ARCHIVE`: a backup put back into an empty data directory and database.

Order matters: the archive is verified member by member (forum.operations.backup_archive) and checked
against the target (same kind of database, a migration this code knows, an empty target unless forced)
before anything is written. Then the database, the row counts against the manifest, the uploads, the
secret key (or the target's, kept), migrations forward to this code's head, and the search index rebuilt
from the restored rows. A SQLite backup cannot be restored into PostgreSQL or the reverse.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import flask_migrate
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from flask import current_app
from sqlalchemy import inspect, select, union
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from forum.core import job_registry
from forum.core.extensions import db
from forum.models import Upload, UploadRendition
from forum.operations import backup_archive, database_dumps
from forum.operations.backup import SECRET_KEY_MEMBER, UPLOADS, settings, upload_files
from forum.operations.backup_archive import BackupError, Progress
from forum.uploads import storage

REINDEX_JOB = "search.reindex"  # by name: forum never imports search (docs/architecture.md)


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict
    uploads: int
    secret_key: str  # "restored", "kept" or "not in the archive"
    migrated_from: str  # the archive's revision when migrations ran, else ""


def count_steps(manifest: dict) -> int:
    """Progress units of restore_backup: each member verified, then each put in place, then migrating."""
    return 2 * len(manifest["members"]) + 1


def restore_backup(archive: Path, *, force: bool = False, keep_secret_key: bool = False,
                   progress: Progress = lambda _n: None,
                   rebuild_index: Callable[[], object] | None = None) -> RestoreResult:
    """Restore archive into this app's data directory and database; raise BackupError before writing when
    it cannot (damaged archive, other dialect, unknown migration, a target with data and no force)."""
    scratch_parent = settings().data_path
    scratch_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=scratch_parent) as scratch:
        root = Path(scratch)
        manifest = backup_archive.extract_verified(archive, root, progress)
        _check_target(manifest, force)
        _restore_database(manifest, root, force)
        progress(1)
        uploads = _restore_uploads(root, progress)
        secret_key = _restore_secret_key(root, keep_secret_key)
        progress(len(manifest["members"]) - uploads - 1)  # the secret key and settings.json: nothing else to do
    migrated_from = _migrate_forward()
    progress(1)
    (rebuild_index or rebuild_search_index)()
    db.session.remove()  # the rebuild's read ends: on SQLite each transaction holds the write lock
    return RestoreResult(manifest, uploads, secret_key, migrated_from)


def _check_target(manifest: dict, force: bool) -> None:
    _check_reachable()
    dialect = db.engine.dialect.name
    source = manifest["database"]["dialect"]
    if source != dialect:
        raise BackupError(f"This archive holds a {source} database and this Horseshoe uses {dialect}: restoring "
                          "across database kinds is not supported. Restore into a data directory or database "
                          f"of the same kind ({source}), then move the data with your own tools.")
    _check_revision(manifest.get("migration_revision") or "")
    if dialect == "postgresql":
        _check_schema(manifest["database"]["schema"])
    holding = _target_contents()
    if holding and not force:
        raise BackupError(f"The target already holds {holding}: restore into an empty data directory or "
                          "database, or pass --force to replace what is there.")


def _check_reachable() -> None:
    try:
        with db.engine.connect():
            pass
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise BackupError(f"Cannot open the target database ({reason}): create it, empty, first (PostgreSQL: "
                          "createdb), and check HORSESHOE_DATABASE_URL.") from exc


def _check_revision(revision: str) -> None:
    script = ScriptDirectory(current_app.extensions["migrate"].directory)
    for name in filter(None, revision.split(", ")):
        try:
            script.get_revision(name)
        except CommandError as exc:
            raise BackupError(f"The archive's database is at migration {name}, which this code does not know (a "
                              "newer Horseshoe made it): restore it with that version or a later one.") from exc


def _check_schema(archived: str) -> None:
    with db.engine.connect() as connection:
        target = database_dumps.postgres_schema(connection)
    if target != archived:
        raise BackupError(f"The archive holds PostgreSQL schema {archived!r}, and this database's search path "
                          f"uses {target!r}: restore into a database whose search path starts with {archived!r}.")


def _target_contents() -> str:
    """What the target already holds ("" when empty): tables in its database, files in its upload store."""
    db.session.remove()
    with db.engine.connect() as connection:
        schema = database_dumps.postgres_schema(connection) if connection.dialect.name == "postgresql" else None
        tables = inspect(connection).get_table_names(schema=schema)
    found = []
    if tables:
        found.append(f"a database with {len(tables)} tables")
    if upload_files():
        found.append(f"{len(upload_files())} uploaded files")
    return " and ".join(found)


def _restore_database(manifest: dict, root: Path, force: bool) -> None:
    db.session.remove()
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if manifest["database"]["dialect"] == "sqlite":
        db.engine.dispose()
        database_dumps.restore_sqlite(root / database_dumps.SQLITE_MEMBER, url)
    else:
        database_dumps.restore_postgres(root / database_dumps.POSTGRES_MEMBER, db.engine,
                                        manifest["database"]["schema"], replace=force)
    with db.engine.connect() as connection:
        schema = manifest["database"].get("schema")
        counts = database_dumps.count_rows(connection, schema)
    differing = sorted(name for name, rows in manifest["tables"].items() if counts.get(name) != rows)
    if differing:
        raise BackupError(f"The restored database's row counts differ from the manifest's in {', '.join(differing)}: "
                          "the restore is incomplete; restore again with --force.")


def _restore_uploads(root: Path, progress: Progress) -> int:
    """Put each archived blob into this site's upload store (the data directory, or S3 when configured)."""
    folder = root / UPLOADS
    blobs = sorted(folder.iterdir()) if folder.is_dir() else []
    types = _content_types() if blobs else {}
    store = storage.current_store()
    for blob in blobs:
        store.put(blob.name, blob, types.get(blob.name, "application/octet-stream"))
        progress(1)
    return len(blobs)


def _content_types() -> dict[str, str]:
    rows = db.session.execute(union(select(Upload.sha256, Upload.content_type),
                                    select(UploadRendition.sha256, UploadRendition.content_type))).all()
    db.session.remove()
    return {sha256: content_type for sha256, content_type in rows}


def _restore_secret_key(root: Path, keep: bool) -> str:
    """Write the archive's secret key over the data directory's (sessions and signed links keep working)."""
    archived = root / SECRET_KEY_MEMBER
    if not archived.is_file():
        return "not in the archive"
    if keep:
        return "kept"
    target = settings().data_path / SECRET_KEY_MEMBER
    partial = target.with_name(".secret_key.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out, open(archived, "rb") as source:
        shutil.copyfileobj(source, out)
    os.replace(partial, target)
    return "restored"


def _migrate_forward() -> str:
    """Upgrade a restored database made by an older Horseshoe; return the revision it was at ("" if none ran).

    A database whose tables were made without migrations (no revision) is left as it is.
    """
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    heads = set(ScriptDirectory(current_app.extensions["migrate"].directory).get_heads())
    if not current or current == heads:
        return ""
    flask_migrate.upgrade()
    return ", ".join(sorted(current))


def rebuild_search_index() -> None:
    """Rebuild the whole search index from the restored rows (the search.reindex job's handler, run now)."""
    handler = job_registry.handler_for(REINDEX_JOB)
    if handler is not None:
        handler({})
