"""`flask backup create|restore`: the whole community in one archive, and back (forum.operations.backup, .restore).

`backup create` needs a working database, so it gets the database guard; `backup restore` exists to
fill an empty one, so it is exempt (forum.cli.database_guard.DATABASE_FREE) and names its target itself.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.engine import make_url

from forum.cli import database_guard
from forum.operations import backup, restore
from forum.operations.backup_archive import BackupError, read_manifest

SENSITIVE = ("Keep it as safe as the database: it holds every account, every private message and the secret "
             "key that signs sessions.")
backup_cli = AppGroup("backup", help="Back up and restore the community: database, uploads, settings, secret key.")


@backup_cli.command("create")
@click.option("--to", "directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the archive [default: the data directory's backups/].")
def create_backup(directory: Path | None) -> None:
    """Write one archive with a consistent snapshot of the database, taken while the site runs."""
    try:
        with click.progressbar(length=backup.count_steps(), label="Backing up") as bar:
            result = backup.create_backup(directory, progress=bar.update)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    tables = result.manifest["tables"]
    click.echo(f"Wrote {result.path} ({result.path.stat().st_size} bytes): {len(tables)} tables, "
               f"{sum(tables.values())} rows, {result.manifest['uploads']['files']} uploaded files, "
               f"migration {result.manifest['migration_revision'] or 'none'}.")
    if result.manifest["uploads"]["storage"] == "s3":
        click.echo("Uploads live in S3 and stay in their bucket: back the bucket up separately.")
    click.echo(SENSITIVE)


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the database and uploads the target already holds.")
@click.option("--keep-secret-key", is_flag=True,
              help="Keep this data directory's secret key instead of the archive's (signs everyone out).")
@click.pass_context
def restore_backup(ctx: click.Context, archive: Path, force: bool, keep_secret_key: bool) -> None:
    """Restore ARCHIVE into this data directory and database (empty unless --force), migrate, reindex."""
    settings = current_app.config["HORSESHOE"]
    click.echo(database_guard.describe(settings, make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])), err=True)
    try:
        manifest = read_manifest(archive)
        with click.progressbar(length=restore.count_steps(manifest), label="Restoring") as bar:
            result = restore.restore_backup(archive, force=force, keep_secret_key=keep_secret_key,
                                            progress=bar.update, rebuild_index=lambda: _reindex(ctx))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    tables = result.manifest["tables"]
    click.echo(f"Restored {len(tables)} tables ({sum(tables.values())} rows, counts checked against the manifest) "
               f"and {result.uploads} uploaded files from the backup of {result.manifest['created_at']}; "
               f"secret key {result.secret_key}.")
    if result.migrated_from:
        click.echo(f"Migrated the database forward from {result.migrated_from}.")
    if settings.secret_key and result.secret_key == "restored":  # nosec B105  # what became of the key, not a key
        click.echo("HORSESHOE_SECRET_KEY is set, so the site signs with it, not with the restored secret_key file.")


def _reindex(ctx: click.Context) -> None:
    """`flask search reindex`, with its own progress bar (looked up by name: forum never imports search)."""
    search = current_app.cli.get_command(ctx, "search")
    command = search.get_command(ctx, "reindex") if isinstance(search, click.Group) else None
    if command is None:
        restore.rebuild_search_index()
        return
    ctx.invoke(command)


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_cli)
    database_guard.guard_commands(create_backup)
