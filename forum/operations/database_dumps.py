"""The database half of a backup: a consistent copy taken while the site runs, and putting it back.

SQLite: the library's online backup API copies the file page by page under a read lock (writers that
interleave make it start over), so the copy is one moment of the database, WAL included. PostgreSQL:
`pg_dump` in its custom format, of the schema the app's search path uses, run against a snapshot this
module exports from a REPEATABLE READ transaction in which it also counts every table's rows, so the
manifest's counts describe exactly the dumped data. Restoring uses `pg_restore` into the same schema in
one transaction. Both tools come from the PostgreSQL client package and must be on PATH, at least as new
as the server (pg_dump refuses a newer server).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump/pg_restore with an argument list, never a shell
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import URL

from forum.operations.backup_archive import BackupError

SQLITE_MEMBER = "database/horseshoe.sqlite3"
POSTGRES_MEMBER = "database/horseshoe.pgdump"
SCHEMA_ENTRY = re.compile(r"^\d+; \d+ \d+ (?:SCHEMA|COMMENT - SCHEMA) ")


def count_rows(connection: Connection, schema: str | None = None) -> dict[str, int]:
    """Every table's row count (alembic_version and search tables included), by table name."""
    quote = connection.dialect.identifier_preparer.quote
    prefix = f"{quote(schema)}." if schema else ""
    return {
        table: int(connection.execute(text(f"SELECT count(*) FROM {prefix}{quote(table)}")).scalar_one())  # nosec B608  # names from the catalogue, quoted
        for table in sorted(inspect(connection).get_table_names(schema=schema))
    }


def sqlite_file(url: URL) -> Path:
    return Path(url.database or "").resolve()


def snapshot_sqlite(url: URL, target: Path) -> dict[str, int]:
    """Copy the live SQLite database to target (online backup API); return the copy's row counts."""
    source = sqlite3.connect(sqlite_file(url), timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    return _sqlite_counts(target)


def _sqlite_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}  # nosec B608  # names from sqlite_master
    finally:
        connection.close()


def restore_sqlite(copy: Path, url: URL) -> None:
    """Make the target database an exact copy of copy (every page replaced, WAL and all)."""
    target = sqlite_file(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(copy)
    destination = sqlite3.connect(target, timeout=30)
    try:
        source.backup(destination)
    finally:
        source.close()
        destination.close()


def postgres_schema(connection: Connection) -> str:
    """The schema the app's tables live in: the first of its search path (created by a restore when missing)."""
    current = connection.execute(text("SELECT current_schema()")).scalar()
    if current:
        return current
    for entry in connection.execute(text("SHOW search_path")).scalar_one().split(","):
        name = entry.strip().strip('"')
        if name and name != "$user":
            return name
    return "public"


def snapshot_postgres(engine: Engine, target: Path) -> tuple[str, dict[str, int]]:
    """pg_dump the app's schema to target from one snapshot; return the schema and that snapshot's row counts."""
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            schema = postgres_schema(connection)
            counts = count_rows(connection, schema)
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--schema={schema}", f"--file={target}"], engine.url)
    return schema, counts


def restore_postgres(dump: Path, engine: Engine, schema: str, *, replace: bool) -> None:
    """pg_restore dump into schema in one transaction (replace: drop what the schema holds first).

    The schema itself is made here, not by the dump: `public` always exists and would fail its CREATE.
    """
    with engine.begin() as connection:
        quoted = connection.dialect.identifier_preparer.quote(schema)
        if replace:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {quoted} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {quoted}"))
    listing = _run(["pg_restore", "--list", str(dump)], None)
    contents = dump.with_suffix(".list")
    contents.write_text("".join(line for line in listing.splitlines(keepends=True) if not SCHEMA_ENTRY.match(line)))
    engine.dispose()
    _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
          f"--use-list={contents}", str(dump)], engine.url)


def _run(command: list[str], url: URL | None) -> str:
    """Run a PostgreSQL client tool; the password travels in the environment, never on the command line."""
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} is not on PATH: install the PostgreSQL client tools (the same major "
                          "version as the server, or newer).")
    environment = dict(os.environ)
    arguments = [tool, *command[1:]]
    if url is not None:
        if url.password:
            environment["PGPASSWORD"] = str(url.password)
        arguments.append(f"--dbname={_libpq_url(url)}")
    finished = subprocess.run(arguments, capture_output=True, text=True, env=environment, check=False)  # nosec B603  # a fixed tool, arguments as a list
    if finished.returncode != 0:
        raise BackupError(f"{command[0]} failed: {finished.stderr.strip() or finished.returncode}")
    return finished.stdout


def _libpq_url(url: URL) -> str:
    """The SQLAlchemy URL as libpq reads it: no driver name, no password, no psycopg-only search path option."""
    plain = url.set(drivername="postgresql", password=None).difference_update_query(["options"])
    return plain.render_as_string(hide_password=False)
