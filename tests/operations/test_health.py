"""GET /healthz and /readyz (issue 28, item 3; api.md after the v1.1 routes): alive for anyone, and ready only
when the database, the search index and the job queue answer, else 503 naming the one that failed.

The failures are real: a search index whose files were damaged on disk, a database that cannot be reached, a
job nobody picked up for a quarter of an hour."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from flask import Flask

from forum import create_app
from forum.core import outbox
from forum.core.extensions import db as _db
from forum.core.settings import Settings
from forum.operations import health
from search import backends, jobs
from search.backends.whoosh import index as whoosh_index
from tests.conftest import free_port


@pytest.fixture
def own_app(app: Flask, db, tmp_path) -> Flask:
    """An app of its own data directory (so its search index can be broken) on the test's database."""
    return create_app(dataclasses.replace(app.config["HORSESHOE"], data_dir=str(tmp_path / "data")))


def ready(app: Flask):
    response = app.test_client().get("/readyz")
    assert response.headers["Cache-Control"] == "no-store"
    return response.status_code, response.get_json()


def build_index(app: Flask) -> None:
    with app.app_context():
        jobs.ensure_index({})  # what the worker's search.ensure_index job does


def test_healthz_says_ok_to_anyone_without_being_cached(client):
    response = client.get("/healthz", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_names_each_dependency_when_all_answer(own_app):
    build_index(own_app)
    status, body = ready(own_app)
    assert status == 200, body
    assert body == {"status": "ok", "failed": [],
                    "checks": {"database": {"status": "ok"}, "search": {"status": "ok"}, "jobs": {"status": "ok"}}}


@pytest.mark.skipif(not os.environ.get("HORSESHOE_TEST_DATABASE_URL"), reason="the postgres search backend needs "
                    "HORSESHOE_TEST_DATABASE_URL (PostgreSQL)")
def test_the_postgres_search_backend_is_asked_in_the_database(app, db, tmp_path):
    settings = dataclasses.replace(app.config["HORSESHOE"], data_dir=str(tmp_path / "pg"), search_backend="postgres")
    status, body = ready(create_app(settings))
    assert status == 200 and body["checks"]["search"] == {"status": "ok"}, body


def test_a_damaged_search_index_is_a_503_naming_search_until_the_worker_rebuilds_it(own_app):
    build_index(own_app)
    with own_app.app_context():
        live = whoosh_index._current_dir()
    for file in Path(live).iterdir():
        file.write_bytes(b"not an index")  # what a full disk or a bad restore leaves behind
    with own_app.app_context():
        whoosh_index.forget()  # this process opened the healthy files before: read them again, as a new worker would
    status, body = ready(own_app)
    assert status == 503 and body["status"] == "failing" and body["failed"] == ["search"]
    assert body["checks"]["search"]["status"] == "failing" and body["checks"]["database"] == {"status": "ok"}
    build_index(own_app)
    assert ready(own_app)[0] == 200


def test_no_search_index_yet_is_not_ready_either(own_app):
    status, body = ready(own_app)
    assert status == 503 and body["failed"] == ["search"]


def test_a_job_due_for_over_a_quarter_of_an_hour_is_a_503_naming_jobs(own_app, clock_at):
    build_index(own_app)
    outbox.enqueue("mail.send", {"id": 1})
    _db.session.commit()
    clock_at.advance(minutes=14)
    assert ready(own_app)[0] == 200  # a busy worker may leave a job waiting a while
    clock_at.advance(minutes=2)
    status, body = ready(own_app)
    assert status == 503 and body["failed"] == ["jobs"]
    assert "16 minutes" in body["checks"]["jobs"]["detail"]


def test_a_job_waiting_for_its_retry_is_not_late(own_app, clock_at):
    build_index(own_app)
    outbox.enqueue("mail.send", {"id": 1}, delay_s=3600)  # as a failed job waits out its backoff
    _db.session.commit()
    clock_at.advance(minutes=50)
    assert ready(own_app)[0] == 200


def _unreachable_database_url(tmp_path: Path) -> str:
    """Where no database answers: a closed port on PostgreSQL runs, a directory that does not exist on SQLite."""
    if os.environ.get("HORSESHOE_TEST_DATABASE_URL"):
        return f"postgresql+psycopg://horseshoe@127.0.0.1:{free_port()}/horseshoe"
    return f"sqlite:///{tmp_path / 'missing-directory' / 'horseshoe.sqlite3'}"


def test_an_unreachable_database_is_a_503_naming_the_database(tmp_path):
    settings = Settings(data_dir=str(tmp_path / "data"), database_url=_unreachable_database_url(tmp_path),
                        secret_key="k", testing=True)
    unreachable = create_app(settings)
    client = unreachable.test_client()
    assert client.get("/healthz").status_code == 200  # alive: no dependency is asked
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and body["failed"][0] == "database", body
    assert body["checks"]["database"] == {"status": "failing", "detail": "database does not answer"}
    assert body["checks"]["jobs"]["status"] == "unknown"
    with unreachable.app_context():
        _db.engine.dispose()


def test_readiness_lists_search_as_plugged_in_through_the_hooks(app):
    assert app.extensions[health.EXTENSION]["search"] is backends.probe
