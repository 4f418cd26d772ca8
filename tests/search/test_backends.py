"""Choosing a backend, reindexing from the command line, and word rarity for the incident detector."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from forum import create_app
from forum.core.extensions import db
from forum.core.settings import Settings
from forum.services import posting, qa, reading
from search import service, similar
from tests.search.helpers import ids
from tests.test_migrations import _drop_database, _empty_database_url


@pytest.mark.parametrize("name", ["postgres", "elastic"])
def test_a_backend_that_cannot_work_here_stops_the_app_at_startup(tmp_path, name):
    settings = Settings(data_dir=str(tmp_path), database_url=f"sqlite:///{tmp_path}/x.sqlite3", secret_key="x",
                        testing=True, search_backend=name)
    with pytest.raises(ValueError, match="HORSESHOE_SEARCH_BACKEND"):
        create_app(settings)


def test_reindex_command_rebuilds_with_a_progress_bar(app, make, search_index, search_backend):
    make.make_thread(title="Router keeps dropping connections")
    printer = make.make_thread(title="Printer prints blank pages")
    assert ids(search_backend, "printer") == []  # the worker has not run: nothing indexed yet
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert f"Indexing threads and articles ({search_backend.name})" in result.output
    assert f"Indexed 2 threads and 0 articles; the new {search_backend.name} index is live." in result.output
    assert ids(search_backend, "printer") == [printer.id]


def test_reindex_job_leaves_out_deleted_threads(make, search_index, search_backend, run_jobs):
    kept = make.make_thread(title="Voicemail greeting will not save")
    gone = make.make_thread(title="Voicemail greeting resets")
    search_index()
    posting.delete_post(gone.author, reading.question_post(gone))
    assert search_backend.rebuild() == 1
    assert ids(search_backend, "voicemail") == [kept.id]


def test_word_rarity_counts_indexed_threads(make, search_index):
    make.make_thread(title="Router drops wifi", body="The router restarts.")
    make.make_thread(title="Router lights blink", body="Orange lights.")
    make.make_thread(title="Printer jams", body="Paper stuck.")
    frequencies, total = search_index().document_frequencies({"router", "printer", "zeppelin"})
    assert total == 3
    assert frequencies == {"router": 2, "printer": 1, "zeppelin": 0}


def test_the_service_hides_what_a_stale_index_still_holds(make, search_index):
    """The index still has the thread (its job has not run), the viewer's rules say no."""
    public = make.make_thread(title="Modem keeps rebooting")
    removed = make.make_thread(title="Modem makes noise")
    qa.accept_solution(public.author, public, make.make_reply(public, body="Replace the modem power supply."))
    backend = search_index()
    posting.delete_post(removed.author, reading.question_post(removed))
    assert set(ids(backend, "modem")) == {public.id, removed.id}
    page = service.search_threads(None, "modem")
    assert [found.thread.id for found in page.items] == [public.id] and page.total == 1
    assert page.items[0].post_id == public.accepted_post_id
    assert similar.similar_threads(None, "modem rebooting again") == [public]


def test_migration_0010_creates_and_drops_the_search_table(tmp_path):
    settings = Settings(data_dir=str(tmp_path), database_url=_empty_database_url(tmp_path), secret_key="x",
                        testing=True)
    migrated = create_app(settings)
    with migrated.app_context():
        try:
            upgrade(revision="0010_search_documents")
            assert "search_documents" in inspect(db.engine).get_table_names()
            downgrade(revision="0009_analytics_indexes")
            assert "search_documents" not in inspect(db.engine).get_table_names()
            upgrade()
            indexes = {index["name"] for index in inspect(db.engine).get_indexes("search_documents")}
            assert "ix_search_documents_document" in indexes
        finally:
            db.session.remove()
            db.engine.dispose()
            _drop_database(migrated.config["SQLALCHEMY_DATABASE_URI"])
