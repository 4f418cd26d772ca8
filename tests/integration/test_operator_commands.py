"""`flask` commands name the data they use, and stop with a sentence (exit 1, no traceback) without a database.

The report: `flask users create` without the HORSESHOE_DATA_DIR that `make run` used ended in a raw
traceback, after creating an empty SQLite file.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from forum import create_app
from forum.cli import demo
from forum.cli.database_guard import DATABASE_FREE
from forum.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
MIGRATE = "run `make run` or `flask --app wsgi db upgrade` first"


def _app(data_dir: Path, database_url: str = ""):
    return create_app(Settings(data_dir=str(data_dir), database_url=database_url, secret_key="x", testing=True))


def _leaf_commands(group: click.Group, path: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _leaf_commands(command, (*path, name))
        else:
            yield (*path, name)


def test_users_create_on_an_empty_data_directory_says_where_it_looked_and_what_to_do(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("HORSESHOE_")}
    env["HORSESHOE_DATA_DIR"] = str(tmp_path / "elsewhere")
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "users", "create", "--email", "ops@example.com",
         "--username", "ops", "--password", "a long enough password", "--role", "admin"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    data = (tmp_path / "elsewhere").resolve()
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        f"Using data directory {data} (HORSESHOE_DATA_DIR)",
        f"No Horseshoe database at {data / 'horseshoe.sqlite3'}: {MIGRATE}, or set HORSESHOE_DATA_DIR to the one "
        "you meant.",
    ]
    assert done.stdout == ""
    assert not (data / "horseshoe.sqlite3").exists()  # no empty database left behind for the next try


def test_the_check_comes_before_any_prompt(tmp_path):
    app = _app(tmp_path / "data")
    result = app.test_cli_runner().invoke(args=["users", "create"])
    assert result.exit_code == 1
    assert "No Horseshoe database" in result.stderr
    assert "Email" not in result.output


def test_every_command_of_the_app_is_checked_but_help_still_works(tmp_path):
    app = _app(tmp_path / "data")
    runner = app.test_cli_runner()
    # `flask translations` reads the catalogue files only (make test runs it on a fresh clone, no database)
    commands = [path for path in _leaf_commands(app.cli) if path[0] not in ("db", *DATABASE_FREE)]
    assert {("users", "create"), ("demo",), ("worker",), ("settings", "set"), ("reputation", "recompute"),
            ("rerender-posts",), ("search", "reindex")} <= set(commands)
    for path in commands:
        result = runner.invoke(args=list(path))
        # a mail server's pipe reads 1 as "bounce it": `mail receive` asks it to keep the message (EX_TEMPFAIL)
        expected = 75 if path == ("mail", "receive") else 1
        assert result.exit_code == expected and "No Horseshoe database" in result.stderr, (path, result.output)
        assert "Traceback" not in result.output
        shown = runner.invoke(args=[*path, "--help"])
        assert shown.exit_code == 0 and "Usage:" in shown.output and "Using data directory" not in shown.output


@pytest.fixture
def empty_database(tmp_path):
    """A database with no tables: the empty SQLite file an older failed command left, or a new PostgreSQL schema."""
    base = os.environ.get("HORSESHOE_TEST_DATABASE_URL")
    if not base:
        path = tmp_path / "data" / "horseshoe.sqlite3"
        path.parent.mkdir()
        path.touch()
        yield "", str(path)
        return
    schema = f"guard_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False), url.render_as_string(hide_password=True)
    with admin.connect() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def test_a_database_without_tables_is_refused_with_the_same_advice(tmp_path, empty_database):
    database_url, shown = empty_database
    app = _app(tmp_path / "data", database_url)
    result = app.test_cli_runner().invoke(args=["settings", "list"])
    assert result.exit_code == 1
    setting = "HORSESHOE_DATABASE_URL" if database_url else "HORSESHOE_DATA_DIR"
    assert result.stderr.splitlines()[-1] == (
        f"No Horseshoe database at {shown} (it has no tables yet): {MIGRATE}, or set {setting} to the one you meant."
    )


@pytest.mark.parametrize(("revision", "advice"), [
    ("0017_writing_conversation", "older than this code"),
    ("9999_from_the_future", "which this code does not know"),
])
def test_a_database_at_another_revision_is_refused(tmp_path, revision, advice):
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "horseshoe.sqlite3") as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        connection.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    result = _app(data).test_cli_runner().invoke(args=["reputation", "recompute"])
    assert result.exit_code == 1
    assert f"is at revision {revision}, {advice}" in result.stderr
    assert "Checking reputation" not in result.output


def test_a_working_command_names_its_data_on_stderr_only(app, db):
    result = app.test_cli_runner().invoke(args=["settings", "get", "accounts.staff_require_2fa"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "false\n"  # scripts read stdout; the data directory goes to stderr
    settings = app.config["HORSESHOE"]
    assert result.stderr.startswith(f"Using data directory {settings.data_path} (HORSESHOE_DATA_DIR) and database ")


def test_demo_if_empty_on_a_seeded_community_prints_the_sign_ins_again(app, db):
    demo.seed_demo(threads=3, users=5)
    result = app.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "Seeded" not in result.stdout and "not seeding" not in result.stdout
    assert f"Demo sign-ins (password for all: {demo.DEMO_PASSWORD}):" in result.stdout
    assert "admin@demo.horseshoe" in result.stdout and "sam@demo.horseshoe" in result.stdout
    assert "Two-factor sign-in for staff is OFF in this demo" in result.stdout
