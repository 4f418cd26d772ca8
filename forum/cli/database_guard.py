"""Every `flask` command of the app names the data it uses, and stops with a clear message when there is none.

Run from another folder, or without the HORSESHOE_DATA_DIR that `make run` used, `flask users create`
created an empty SQLite file and ended in a traceback ("no such table"). Each command of the app's CLI
gets one hidden, eager parameter: it is processed before the command's other options (so before any
prompt, and after --help), names the data directory and database on stderr, and exits with code 1
and a sentence when the database is missing, empty or older than this code. Flask-Migrate's own
`flask db` commands are left alone: `flask db upgrade` is what creates the database.
"""

from __future__ import annotations

from pathlib import Path

import click
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask.cli import ScriptInfo
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from forum.core.settings import Settings

GUARD = "horseshoe_database_guard"
MIGRATE = "run `make run` or `flask --app wsgi db upgrade` first"


# Commands that read no database: the translation catalogues are files (make test checks them on a fresh clone).
# `backup restore` fills an empty database (forum.cli.backup gives `backup create` the check itself).
DATABASE_FREE = frozenset({"translations", "backup"})


def guard_app_commands(app: Flask) -> None:
    """Give every command of the app's CLI the database check, except Flask-Migrate's (`flask db`) and those
    that read no database."""
    migrations = app.extensions["migrate"].migrate.command
    for name, command in app.cli.commands.items():
        if name != migrations and name not in DATABASE_FREE:
            guard_commands(command)


def guard_commands(command: click.Command) -> None:
    """Give command, or every command of a group, the check (once: the command objects outlive each app)."""
    if isinstance(command, click.Group):
        for subcommand in command.commands.values():
            guard_commands(subcommand)
    elif not any(param.name == GUARD for param in command.params):
        command.params.insert(0, click.Option(
            ["--" + GUARD.replace("_", "-")], is_flag=True, hidden=True, expose_value=False, is_eager=True,
            callback=_check_database,
        ))


def _check_database(ctx: click.Context, _param: click.Parameter, _value: object) -> None:
    if ctx.resilient_parsing:  # shell completion: say nothing, check nothing
        return
    info = ctx.find_object(ScriptInfo)
    app = info.load_app() if info is not None else current_app
    settings: Settings = app.config["HORSESHOE"]
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    click.echo(describe(settings, url), err=True)
    problem = database_problem(settings, url, app.extensions["migrate"].directory)
    if problem:
        click.echo(problem, err=True)
        ctx.exit(1)


def describe(settings: Settings, url: URL) -> str:
    """Where this command's data lives, and which setting moves it."""
    line = f"Using data directory {settings.data_path} (HORSESHOE_DATA_DIR)"
    if settings.database_url:
        line += f" and database {_shown(url)} (HORSESHOE_DATABASE_URL)"
    return line


def database_problem(settings: Settings, url: URL, migrations: str) -> str | None:
    """Why this database cannot serve the app's commands (missing, empty, another revision), or None."""
    setting = "HORSESHOE_DATABASE_URL" if settings.database_url else "HORSESHOE_DATA_DIR"
    fix = f"{MIGRATE}, or set {setting} to the one you meant"
    if _sqlite_file(url) and not Path(_sqlite_file(url)).is_file():  # connecting would create an empty file
        return f"No Horseshoe database at {_sqlite_file(url)}: {fix}."
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
            has_tables = inspect(connection).has_table("user")
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return f"Cannot open the Horseshoe database at {_shown(url)}: {reason} (check {setting})."
    finally:
        engine.dispose()
    if not current and not has_tables:
        return f"No Horseshoe database at {_shown(url)} (it has no tables yet): {fix}."
    return _revision_problem(current, ScriptDirectory(migrations), _shown(url))


def _revision_problem(current: set[str], script: ScriptDirectory, shown: str) -> str | None:
    """Tables made without migrations (the test suite's create_all) carry no revision and pass."""
    heads = set(script.get_heads())
    if not current or current == heads:
        return None
    known = {revision.revision for revision in script.walk_revisions()}
    if current - known:
        return (f"The Horseshoe database at {shown} is at revision {', '.join(sorted(current))}, which this "
                "code does not know (a newer Horseshoe migrated it): run that version, or restore a backup.")
    return (f"The Horseshoe database at {shown} is at revision {', '.join(sorted(current))}, older than this "
            f"code ({', '.join(sorted(heads))}): run `flask --app wsgi db upgrade` first.")


def _sqlite_file(url: URL) -> str:
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return ""
    return url.database


def _shown(url: URL) -> str:
    return _sqlite_file(url) or url.render_as_string(hide_password=True)
