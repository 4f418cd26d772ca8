"""`flask --app wsgi search reindex`: rebuild the chosen backend's index with a progress bar.

Whoosh builds new directories aside (threads, then published articles) and swaps each in; PostgreSQL
rewrites search_documents in one transaction (its articles are searched in the article table, so there is
nothing to write for them). Either way searches keep answering from the old index until the new one is
complete.
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
    threads, articles = documents.count_searchable(), documents.count_searchable_articles()
    label = f"Indexing threads and articles ({backend.name})"  # i18n: ok (CLI output)
    with click.progressbar(length=threads + articles, label=label) as bar:
        backend.rebuild(progress=bar.update)
    click.echo(f"Indexed {threads} threads and {articles} articles; the new {backend.name} index is live.")


def init_app(app: Flask) -> None:
    app.cli.add_command(search_cli)
