"""Search: an index written only by the worker, queried by id and re-checked in the database.

Web processes only read the index. Every change to a thread enqueues a "search.index_thread"
job (by name: forum never imports this package); the worker is the single writer. The index
can always be rebuilt from the database (`flask search reindex`, or the ensure_index job).

Search backends: HORSESHOE_SEARCH_BACKEND chooses where the index lives (search.backends).
"whoosh" (the default) keeps it in files on this host (search.backends.whoosh.index): fast and dependency-free,
but only for one machine; a rebuild is written aside and swapped in, and Whoosh's one-writer lock
is never contended. "postgres" keeps one row per thread in the search_documents table
(search.models: a weighted tsvector with a GIN index, written by the same jobs) and answers with
websearch_to_tsquery, ts_rank_cd and ts_headline, so several app servers can share it; it needs a
PostgreSQL database and refuses to start on SQLite. Both take the same query language
(search.query), rank with the same documented formula and go through the same permission
re-check (search.service); did-you-mean suggestions are Whoosh-only.

Published knowledge-base articles are searchable too (kind=article or kind=all, and in the ask
page's similar questions): every change to an article enqueues "search.index_article"; Whoosh
keeps them in a second index beside the threads' (search.backends.whoosh.article_index),
PostgreSQL matches them in the article table itself (search.backends.postgres_articles).

Ideas (forum.ideas) are threads and share the thread index, each document saying its kind (kind=idea
searches them alone, kind=thread leaves them out); search.similar_ideas suggests them on the idea form.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum import hooks
    from search import api, backends, cli, incident_detection, jobs, models, similar_ideas, web  # noqa: F401

    backends.validate(app.config["HORSESHOE"].search_backend, app.config["SQLALCHEMY_DATABASE_URI"])
    hooks.register_job(jobs.INDEX_THREAD_JOB, jobs.index_thread)
    hooks.register_job(jobs.PURGE_THREAD_JOB, jobs.purge_thread)
    hooks.register_job(jobs.INDEX_ARTICLE_JOB, jobs.index_article)
    hooks.register_job(jobs.REINDEX_JOB, jobs.reindex_all)
    hooks.register_job(jobs.ENSURE_INDEX_JOB, jobs.ensure_index, every_s=lambda: jobs.ENSURE_EVERY_S)
    hooks.register_job(incident_detection.DETECT_JOB, incident_detection.detect,
                         every_s=lambda: incident_detection.DETECT_EVERY_S)
    hooks.provide_readiness_check(app, "search", backends.probe)
    hooks.provide_similar_ideas(app, "search.similar_ideas", similar_ideas.similar_idea_ids)
    cli.init_app(app)
    web.init_app(app)
    api.init_app(app)
