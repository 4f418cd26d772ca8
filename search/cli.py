"""`flask --app wsgi search reindex`: rebuild the chosen backend's index with a progress bar.

Whoosh builds a new directory aside and swaps it in; PostgreSQL rewrites search_documents in one
transaction. Either way searches keep answering from the old index until the new one is complete.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from search import backends, documents

search_cli = AppGroup("search", help="Manage the search index.")


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild the whole index without blocking searches (build aside, then swap)."""
    backend = backends.current()
    total = documents.count_searchable()
    with click.progressbar(length=total, label=f"Indexing threads ({backend.name})") as bar:
        written = backend.rebuild(progress=bar.update)
    click.echo(f"Indexed {written} threads; the new {backend.name} index is live.")


def init_app(app: Flask) -> None:
    app.cli.add_command(search_cli)
