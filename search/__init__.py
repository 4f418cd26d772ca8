"""Search: a Whoosh index written only by the worker, queried by id and re-checked in the database.

Web processes only read the index. Every change to a thread enqueues a "search.index_thread"
job (by name: forum never imports this package); the worker is the single writer, so
Whoosh's one-writer lock is never contended. The index can always be rebuilt from the
database, aside, and swapped in.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.jobs import registry
    from search import api, cli, incidents, jobs, web

    registry.register(jobs.INDEX_THREAD_JOB, jobs.index_thread)
    registry.register(jobs.REINDEX_JOB, jobs.reindex_all)
    registry.register(jobs.ENSURE_INDEX_JOB, jobs.ensure_index, every_s=lambda: jobs.ENSURE_EVERY_S)
    registry.register(incidents.DETECT_JOB, incidents.detect, every_s=lambda: incidents.DETECT_EVERY_S)
    cli.init_app(app)
    web.init_app(app)
    api.init_app(app)
