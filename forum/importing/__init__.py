"""Bringing an existing community's history in: the Stack Exchange data dump importer (issue 28).

dump_reader streams a dump's XML files; stackexchange runs an import in committed batches (people makes
the accounts, posts the threads and replies); records is the mapping of every source record to what it
became, which makes a run resumable and idempotent and gives the pages their attribution lines and
redirects; pages serves the old addresses and the claim links. The command is `flask import stackexchange`.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Old addresses' redirects and claim links, the attribution helper for thread pages, the `import` command."""
    from forum.cli.importing import import_cli
    from forum.importing import pages, records

    pages.init_app(app)
    app.jinja_env.globals["imported_attributions"] = records.page_attributions
    app.cli.add_command(import_cli)
