"""Backup and restore (issue 28): a round trip gives back every row and file, on SQLite and PostgreSQL.

The source is the suite's test database with committed content (wiped afterwards); the target is a new
data directory and, on PostgreSQL, a new database made and dropped here whose search path names the same
schema as the test database's.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import flask_migrate
import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import make_url

from forum import create_app
from forum.core import outbox, worker
from forum.core.extensions import db
from forum.core.settings import Settings
from forum.operations import backup, backup_schedule, restore
from forum.operations.backup_archive import MANIFEST, BackupError, read_manifest
from forum.services import community_settings
from forum.uploads import storage
from search import service as search_service
from tests import factories
from tests.conftest import wipe_database

BLOB = b"\x89PNG pretend picture bytes"
BLOB_SHA = hashlib.sha256(BLOB).hexdigest()
SOURCE_KEY = "source-secret-key-from-the-data-directory"
RESTORE_DB = f"horseshoe_restore_{os.getpid()}"
_names = itertools.count(1)


def fingerprint(engine) -> dict[str, tuple[int, str]]:
    """Every table's row count and a SHA-256 of its rows (sorted, so the order rows come back in is moot)."""
    tables = MetaData()
    tables.reflect(bind=engine)
    found = {}
    with engine.connect() as connection:
        for table in tables.tables.values():
            rows = sorted(repr(tuple(row)) for row in connection.execute(table.select()))
            found[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return found


@dataclass(frozen=True)
class Made:
    archive: Path
    fingerprint: dict[str, tuple[int, str]]


def _seed(app: Flask) -> None:
    """A community in the test database, a blob in its upload store and a secret key in its data directory."""
    author = factories.make_user(username=f"author{next(_names)}")
    factories.make_thread(author=author, title="Zanzibarfrequency router drops", tags=["wifi"], replies=2)
    factories.make_user(role="agent")
    blob = app.config["HORSESHOE"].data_path / "incoming.bin"
    blob.write_bytes(BLOB)
    storage.current_store().put(BLOB_SHA, blob, "image/png")
    (app.config["HORSESHOE"].data_path / "secret_key").write_text(SOURCE_KEY)
    db.session.remove()


def _unseed(app: Flask) -> None:
    (app.config["HORSESHOE"].data_path / "secret_key").unlink()
    storage.current_store().delete(BLOB_SHA)
    wipe_database()


@pytest.fixture(scope="module")
def made(app: Flask, tmp_path_factory) -> Iterator[Made]:
    """One backup of the seeded test database for the module's restores (seeding and wiping cost seconds)."""
    with app.app_context():
        _seed(app)
        try:
            archive = backup.create_backup(tmp_path_factory.mktemp("archives")).path
            before = fingerprint(db.engine)
        finally:
            _unseed(app)
    yield Made(archive, before)


@pytest.fixture
def source(app: Flask, committed) -> Iterator[Flask]:
    _seed(app)
    yield app
    _unseed(app)


@pytest.fixture
def target(app: Flask, tmp_path) -> Iterator[Flask]:
    """A fresh app over an empty data directory and database, its secret key generated on start."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    postgres = url.startswith("postgresql")
    if postgres:
        _admin(url, f"DROP DATABASE IF EXISTS {RESTORE_DB} WITH (FORCE)", f"CREATE DATABASE {RESTORE_DB}")
        url = make_url(url).set(database=RESTORE_DB).render_as_string(hide_password=False)
    settings = Settings(data_dir=str(tmp_path / "target"), database_url=url if postgres else "", testing=True)
    target_app = create_app(settings)
    with target_app.app_context():
        yield target_app
        db.session.remove()
        db.engine.dispose()
    if postgres:
        _admin(url, f"DROP DATABASE IF EXISTS {RESTORE_DB} WITH (FORCE)")


def _admin(url: str, *statements: str, database: str = "postgres") -> None:
    engine = create_engine(make_url(url).set(database=database).difference_update_query(["options"]),
                           isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def test_a_round_trip_gives_back_every_row_file_and_the_secret_key(made, target):
    archive, before = made.archive, made.fingerprint
    manifest = read_manifest(archive)
    assert manifest["tables"]["user"] == before["user"][0] >= 2
    assert manifest["uploads"] == {"storage": "filesystem", "files": manifest["uploads"]["files"]}
    assert f"uploads/{BLOB_SHA}" in manifest["members"]
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    result = restore.restore_backup(archive)

    assert fingerprint(db.engine) == before
    assert storage.current_store().read(BLOB_SHA) == BLOB
    assert (target.config["HORSESHOE"].data_path / "secret_key").read_text() == SOURCE_KEY
    assert result.secret_key == "restored"
    found = search_service.search_threads(None, "Zanzibarfrequency")
    assert [item.thread.title for item in found.items] == ["Zanzibarfrequency router drops"]


def test_a_target_holding_data_is_refused_unless_forced(made, target):
    archive, before = made.archive, made.fingerprint
    restore.restore_backup(archive)
    factories.make_user(username="writtenafterwards")
    db.session.remove()

    with pytest.raises(BackupError, match="already holds a database"):
        restore.restore_backup(archive)
    assert fingerprint(db.engine) != before

    restore.restore_backup(archive, force=True)
    assert fingerprint(db.engine) == before


def test_the_target_may_keep_its_own_secret_key(made, target):
    archive = made.archive
    key_file = target.config["HORSESHOE"].data_path / "secret_key"
    own_key = key_file.read_text()
    assert own_key != SOURCE_KEY

    result = restore.restore_backup(archive, keep_secret_key=True)

    assert result.secret_key == "kept"
    assert key_file.read_text() == own_key


def _rewritten(archive: Path, folder: Path, change) -> Path:
    """A copy of archive whose members pass through change(name, data) -> data (None drops the member)."""
    copy = folder / archive.name
    with tarfile.open(archive, "r:gz") as original, tarfile.open(copy, "w:gz") as changed:
        for info in original:
            data = change(info.name, original.extractfile(info).read())
            if data is not None:
                info.size = len(data)
                changed.addfile(info, io.BytesIO(data))
    return copy


def _other_dialect(name: str, data: bytes) -> bytes:
    if name != MANIFEST:
        return data
    manifest = json.loads(data)
    manifest["database"]["dialect"] = "postgresql" if manifest["database"]["dialect"] == "sqlite" else "sqlite"
    return json.dumps(manifest).encode()


@pytest.mark.parametrize(("change", "refusal"), [
    (lambda name, data: data + b"\0" if name.startswith("database/") else data, "does not match its checksum"),
    (lambda name, data: None if name.startswith("uploads/") else data, "lacks uploads/"),
    (lambda name, data: b"{}" if name == MANIFEST else data, "not a Horseshoe backup"),
    (_other_dialect, "across database kinds is not supported"),
], ids=["changed-member", "missing-member", "no-manifest", "other-database-kind"])
def test_a_changed_archive_is_refused_before_anything_is_written(made, target, tmp_path, change, refusal):
    changed = _rewritten(made.archive, tmp_path, change)
    key_before = (target.config["HORSESHOE"].data_path / "secret_key").read_text()

    with pytest.raises(BackupError, match=refusal):
        restore.restore_backup(changed)

    assert fingerprint(db.engine) == {}
    assert not storage.current_store().exists(BLOB_SHA)
    assert (target.config["HORSESHOE"].data_path / "secret_key").read_text() == key_before


def test_a_file_that_is_no_archive_or_cut_short_is_refused(made, target, tmp_path):
    junk = tmp_path / "notes.tar.gz"
    junk.write_text("just some notes")
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(made.archive.read_bytes()[:-2000])

    with pytest.raises(BackupError, match="not a Horseshoe backup"):
        restore.restore_backup(junk)
    with pytest.raises(BackupError, match="damaged or cut short"):
        restore.restore_backup(cut)
    assert fingerprint(db.engine) == {}


def test_the_scheduled_job_backs_up_when_due_and_keeps_the_newest(source, clock_at):
    community_settings.update_settings_from_console({"backup.schedule_hours": 24, "backup.keep": 2})
    made = []
    try:
        for _day in range(3):
            outbox.enqueue(backup_schedule.JOB)
            worker.run_until_empty()
            made.append(backup_schedule.scheduled_archives()[-1].path.name)
            clock_at.advance(hours=25)
        clock_at.advance(hours=-12)  # 13 hours after the last: not due
        outbox.enqueue(backup_schedule.JOB)
        worker.run_until_empty()

        assert len(set(made)) == 3
        assert [archive.path.name for archive in backup_schedule.scheduled_archives()] == made[1:]
    finally:
        for archive in backup_schedule.scheduled_archives():
            archive.path.unlink()


def test_scheduled_backups_are_off_by_default(db):
    assert backup_schedule.run_scheduled() == {"backed_up": None, "removed": 0}
    assert backup_schedule.scheduled_archives() == []


@pytest.fixture
def older_site(app: Flask, tmp_path) -> Iterator[Flask]:
    """A site whose database stopped one migration before this code's head (an older Horseshoe's)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    postgres = url.startswith("postgresql")
    if postgres:
        name = f"{RESTORE_DB}_older"
        _admin(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
        url = make_url(url).set(database=name).render_as_string(hide_password=False)
        schema = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).query["options"].split("=")[-1]
        _admin(url, f"CREATE SCHEMA {schema}", database=name)
    older = create_app(Settings(data_dir=str(tmp_path / "older"), database_url=url if postgres else "",
                                secret_key="older", testing=True))
    with older.app_context():
        script = ScriptDirectory(older.extensions["migrate"].directory)
        flask_migrate.upgrade(revision=script.get_revision(script.get_current_head()).down_revision)
        db.session.remove()
    yield older
    with older.app_context():
        db.engine.dispose()
    if postgres:
        _admin(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_backup_from_an_older_version_is_migrated_forward(older_site, target, tmp_path):
    with older_site.app_context():
        made = backup.create_backup(tmp_path / "archives")
    script = ScriptDirectory(target.extensions["migrate"].directory)
    assert made.manifest["migration_revision"] == script.get_revision(script.get_current_head()).down_revision

    result = restore.restore_backup(made.path)

    assert result.migrated_from == made.manifest["migration_revision"]
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == (script.get_current_head(),)


def test_the_commands_restore_refuse_a_second_restore_and_back_up_again(made, target, tmp_path):
    runner = target.test_cli_runner()

    restored = runner.invoke(args=["backup", "restore", str(made.archive)])
    again = runner.invoke(args=["backup", "restore", str(made.archive)])
    created = runner.invoke(args=["backup", "create", "--to", str(tmp_path / "again")])

    assert restored.exit_code == 0, restored.output
    assert "Indexed " in restored.output and "secret key restored" in restored.output
    assert again.exit_code == 1 and "pass --force" in again.output
    assert created.exit_code == 0, created.output
    assert "as safe as the database" in created.output
    assert read_manifest(next((tmp_path / "again").iterdir()))["tables"] == read_manifest(made.archive)["tables"]
