"""`flask --app wsgi search reindex`: rebuild the index aside with a progress bar, then swap it in."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from search import documents, index

search_cli = AppGroup("search", help="Manage the search index.")


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild the whole index without blocking searches (build aside, then swap)."""
    total = documents.count_searchable()
    with click.progressbar(length=total, label="Indexing threads") as bar:
        written = index.rebuild(progress=bar.update)
    click.echo(f"Indexed {written} threads; the new index is live.")


def init_app(app: Flask) -> None:
    app.cli.add_command(search_cli)
