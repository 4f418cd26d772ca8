"""The System page (issue 28, item 4): the job queue by kind with the age of its oldest due job, dead jobs with
retry and discard, the mail backlog, search's lag, the uploads' size, versions and the migration revision; the
figures (forum.operations.figures) are the ones /metrics publishes."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy import text as sql

from forum import accounts
from forum.core import clock, outbox
from forum.core.extensions import db
from forum.mail import sending as mail
from forum.models import AuditEntry, Job, JobStatus, Upload, UploadRendition
from forum.operations import figures
from forum.services import indexing
from tests.queries import count_statements
from tests.web import conftest as web_fixtures
from tests.web.helpers import BACK, FORBIDDEN, SIGN_IN, expect, text

community, switch_user, act_as = web_fixtures.community, web_fixtures.switch_user, web_fixtures.act_as
PAGE = "/admin/system"
BROKEN_JOB = "notifications.email"  # a registered job whose handler cannot read the payload below


@pytest.fixture(autouse=True)
def settled(community, smtp_server, run_jobs):
    """The community's own jobs (its mail, badges, search updates) done, so the queue starts empty."""
    run_jobs()
    smtp_server.messages.clear()


def dead_job(run_jobs) -> Job:
    """A job that failed its only attempt (its handler raises KeyError on this payload)."""
    job = outbox.enqueue(BROKEN_JOB, {"notifications": [5]}, max_attempts=1)
    db.session.commit()
    assert run_jobs() == 1
    db.session.refresh(job)
    assert job.status == JobStatus.DEAD
    return job


def blob(size: int, name: str, uploader_id: int, **values) -> Upload:
    return Upload(uploader_id=uploader_id, sha256=name * 64, filename="f.png", content_type="image/png",
                  kind="image", size=size, created_at=clock.now(), **values)


def seed_uploads(owner) -> None:
    """3,300 bytes on disk: two blobs, one shared by two uploads, a thumbnail; a removed upload is not counted."""
    first = blob(1000, "a", owner.id)
    db.session.add_all([first, blob(1000, "a", owner.id), blob(2000, "b", owner.id),
                        blob(5000, "c", owner.id, removed_at=clock.now())])
    db.session.flush()
    db.session.add(UploadRendition(upload_id=first.id, name="thumbnail", sha256="d" * 64, content_type="image/png",
                                   size=300, width=10, height=10))
    db.session.commit()


def seed_queue(community, clock_at, run_jobs) -> Job:
    """Two kinds waiting with known ages, a job scheduled for later, a dead job, an email and a search update."""
    dead = dead_job(run_jobs)
    outbox.enqueue("digests.send", {"n": 1})
    indexing.reindex_thread(community.thread.id, db.session)
    db.session.commit()
    clock_at.advance(seconds=90)
    outbox.enqueue("digests.send", {"n": 2})
    outbox.enqueue("badges.award", {"n": 3})
    outbox.enqueue("badges.award", {"n": 4}, delay_s=3600)  # not due yet: not late
    accounts.request_password_reset(community.other.email)  # one email waiting
    db.session.commit()
    clock_at.advance(seconds=30)
    return dead


def test_the_figures_for_a_seeded_queue(community, clock_at, run_jobs):
    seed_queue(community, clock_at, run_jobs)
    seed_uploads(community.author)

    found = figures.system_figures()

    by_kind = {figure.kind: figure for figure in found.jobs}
    assert by_kind["digests.send"] == figures.JobKindFigure("digests.send", 2, 120.0)
    assert by_kind["badges.award"] == figures.JobKindFigure("badges.award", 2, 30.0)
    assert by_kind[mail.SEND_JOB] == figures.JobKindFigure(mail.SEND_JOB, 1, 30.0)
    assert by_kind[indexing.INDEX_THREAD_JOB] == figures.JobKindFigure(indexing.INDEX_THREAD_JOB, 1, 120.0)
    assert BROKEN_JOB not in by_kind  # its only job is dead
    assert found.queued_jobs == 6
    assert (found.dead_jobs, found.mail_backlog, found.search_index_lag_s) == (1, 1, 120.0)
    assert found.uploads_bytes == 3300
    assert set(found.versions) == {"horseshoe", "python", "flask", "sqlalchemy", "database"}
    assert found.versions["horseshoe"] == "0.1.0"
    assert found.versions["database"].startswith(("SQLite 3.", "PostgreSQL 1"))


def test_an_idle_system_has_nothing_waiting(community):
    found = figures.system_figures()
    assert (found.jobs, found.dead_jobs, found.mail_backlog, found.search_index_lag_s, found.uploads_bytes) == \
        ([], 0, 0, None, 0)


def test_the_migration_head_is_the_databases_revision(community):
    assert figures.migration_head() == ""  # the test suite's tables come from create_all, not migrations
    db.session.execute(sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
    try:
        db.session.execute(sql("INSERT INTO alembic_version VALUES ('abc123def456')"))
        assert figures.migration_head() == "abc123def456"
    finally:
        db.session.execute(sql("DROP TABLE alembic_version"))


def test_the_figures_are_a_few_queries_however_many_jobs(community, clock_at, run_jobs):
    for index in range(30):
        outbox.enqueue(f"kind{index % 5}.run", {"n": index})
    db.session.commit()
    with count_statements() as statements:
        found = figures.system_figures()
    assert len(found.jobs) == 5 and len(statements) <= 4


def audit(action: str) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_the_page_shows_the_figures(act_as, community, clock_at, run_jobs):
    dead = seed_queue(community, clock_at, run_jobs)
    seed_uploads(community.author)

    page = text(act_as("admin").get(PAGE))

    assert "<h1>System</h1>" in page and 'href="/admin/system" aria-current="page"' in page
    assert "<th scope=\"row\"><code>digests.send</code></th><td>2</td><td>2 min</td>" in page
    assert "<th scope=\"row\"><code>badges.award</code></th><td>2</td><td>30 s</td>" in page
    assert "<dt>Jobs waiting</dt><dd>6</dd>" in page
    assert "<dt>Emails not yet delivered</dt><dd>1</dd>" in page
    assert "<dt>Search index</dt><dd>2 min behind</dd>" in page
    assert "<dt>Uploads on disk</dt><dd>3.2 KB</dd>" in page
    assert 'id="system-queue-heading"' in page and "Jobs waiting, by kind" in page
    assert f'id="job-{dead.id}"' in page and "notifications.email: notifications 5" in page and "KeyError" in page
    assert f'action="/admin/system/jobs/{dead.id}/retry"' in page and 'name="csrf_token"' in page
    assert f'href="/admin/system/jobs/{dead.id}/discard"' in page
    assert "<dt>SQLAlchemy</dt>" in page and figures.versions()["sqlalchemy"] in page
    assert "none recorded (the tables were not made by migrations)" in page
    assert 'href="/admin/delivery"' in page


def test_an_idle_system_says_so(act_as):
    page = text(act_as("admin").get(PAGE))
    assert "No job is waiting." in page and "No job is dead." in page
    assert "<dt>Search index</dt><dd>Up to date</dd>" in page and "<dt>Uploads on disk</dt><dd>0 bytes</dd>" in page
    assert "system-queue" not in page


def test_admins_reach_it_from_the_admin_pages(act_as):
    client = act_as("admin")
    assert 'href="/admin/system"' in text(client.get("/admin"))
    assert 'href="/admin/system"' in text(client.get("/admin/delivery"))


def test_retry_makes_a_dead_job_due_again_and_is_audited(act_as, clock_at, run_jobs):
    job = dead_job(run_jobs)
    clock_at.advance(minutes=5)
    client = act_as("admin")

    response = client.post(f"{PAGE}/jobs/{job.id}/retry")

    assert response.status_code == 303 and response.headers["Location"] == PAGE
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.status, job.attempts, job.last_error, job.run_at) == (JobStatus.QUEUED, 0, "", clock_at.now)
    [entry] = audit("job.resend")
    before = json.loads(entry.before_json)
    assert (entry.target_id, before["status"], before["name"]) == (job.id, "dead", BROKEN_JOB)
    assert "KeyError" in before["last_error"]
    page = text(client.get(PAGE))
    assert "is queued again and runs at the worker" in page
    assert "No job is dead." in page and "<code>notifications.email</code></th><td>1</td><td>0 s</td>" in page
    assert figures.system_figures().dead_jobs == 0


def test_discard_asks_first_then_removes_the_dead_job_and_is_audited(act_as, run_jobs):
    job = dead_job(run_jobs)
    client = act_as("admin")
    confirm = text(client.get(f"{PAGE}/jobs/{job.id}/discard"))
    assert "Discard this job?" in confirm and "KeyError" in confirm
    assert 'class="button button-secondary" href="/admin/system">Cancel<' in confirm

    unconfirmed = client.post(f"{PAGE}/jobs/{job.id}/discard")
    assert unconfirmed.status_code == 422 and audit("job.discard") == []

    response = client.post(f"{PAGE}/jobs/{job.id}/discard", data={"confirm": "discard"})
    assert response.status_code == 303 and response.headers["Location"] == PAGE
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.DISCARDED
    [entry] = audit("job.discard")
    assert json.loads(entry.after_json) == {"name": BROKEN_JOB, "status": "discarded"}
    page = text(client.get(PAGE))
    assert "is discarded: it is not tried again." in page and "No job is dead." in page
    assert f'id="job-{job.id}"' not in page


def test_retrying_a_job_that_is_not_dead_changes_nothing(act_as, run_jobs):
    job = outbox.enqueue("digests.send", {})
    db.session.commit()
    client = act_as("admin")
    expect(client.post(f"{PAGE}/jobs/{job.id}/retry"), BACK)
    assert "has not failed: there is nothing to resend or discard." in text(client.get(PAGE))
    assert audit("job.resend") == []
    assert client.post(f"{PAGE}/jobs/999999/retry").status_code == 303
    assert client.get(f"{PAGE}/jobs/999999/discard").status_code == 404


ROUTES = [("get", ""), ("post", "/jobs/{id}/retry"), ("get", "/jobs/{id}/discard"), ("post", "/jobs/{id}/discard")]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize(("role", "outcome"), [(None, SIGN_IN), ("member", FORBIDDEN), ("moderator", FORBIDDEN),
                                               ("agent", FORBIDDEN)])
def test_only_admins_see_or_touch_the_system_page(switch_user, make, run_jobs, method, path, role, outcome):
    job = dead_job(run_jobs)
    client = switch_user(make.make_user(role=role) if role else None)
    url = PAGE + path.format(id=job.id)
    expect(client.post(url, data={"confirm": "discard"}) if method == "post" else client.get(url), outcome)
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.DEAD
    assert audit("job.resend") == audit("job.discard") == []


def test_the_page_does_not_grow_with_the_number_of_jobs(act_as, clock_at, run_jobs):
    client = act_as("admin")

    def queries() -> int:
        with count_statements() as statements:
            assert client.get(PAGE).status_code == 200
        return len(statements)

    dead_job(run_jobs)
    outbox.enqueue("digests.send", {})
    db.session.commit()
    few = queries()
    for index in range(12):
        outbox.enqueue(f"kind{index % 4}.run", {"n": index})
        outbox.enqueue(BROKEN_JOB, {"notifications": [index]}, max_attempts=1)
    db.session.commit()
    assert run_jobs() == 12
    assert figures.system_figures().dead_jobs == 13
    assert queries() == few
