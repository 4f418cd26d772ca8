"""The request id (issue 28, item 3): sent back as X-Request-ID, written into problem+json bodies, the request's
JSON log line and the payload of every job it queued, and logged by the worker when it runs such a job."""

from __future__ import annotations

import json
import logging
import re

import pytest
from sqlalchemy import select

from forum.core import outbox, request_ids
from forum.core.extensions import db as _db
from forum.http import request_log
from forum.models import Job, JobStatus

GENERATED = re.compile(r"[0-9a-f]{32}")


def index_jobs(thread_id: int) -> list[Job]:
    """The thread's waiting search updates."""
    waiting = _db.session.scalars(select(Job).where(Job.name == "search.index_thread",
                                                    Job.status == JobStatus.QUEUED.value).order_by(Job.id))
    return [job for job in waiting if outbox.payload(job) == {"thread_id": thread_id}]


@pytest.fixture
def thread(make, run_jobs):
    started = make.make_thread()
    run_jobs()  # its own index update done: the queue starts empty
    return started


def test_every_answer_carries_a_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert GENERATED.fullmatch(first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


@pytest.mark.parametrize(("sent", "kept"), [
    ("a1b2c3-proxy.7:9_x", True),  # what proxies and load balancers send (hex, UUIDs, dotted)
    ("x" * 64, True),
    ("x" * 65, False),  # too long
    ("two words", False),
    ('quote"d', False),
    ("", False),
])
def test_a_sane_incoming_id_is_kept_and_anything_else_replaced(client, sent, kept):
    answered = client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
    assert (answered == sent) is kept
    if not kept:
        assert GENERATED.fullmatch(answered)


def test_a_problem_names_the_request_id_of_its_answer(client, api_client, make):
    refused = client.post("/api/v1/threads", json={"title": "x"}, headers={"X-Request-ID": "ticket-4711"})
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert refused.get_json()["request_id"] == "ticket-4711" == refused.headers["X-Request-ID"]
    invalid = api_client(make.make_user()).post("/api/v1/threads", json={"title": ""})
    body = invalid.get_json()
    assert invalid.status_code == 422 and body["request_id"] == invalid.headers["X-Request-ID"]
    assert set(body) >= {"type", "title", "status", "detail", "errors"}  # api.md's members stay as they were


def test_the_openapi_document_describes_the_request_id_of_a_problem(client):
    problem = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Problem"]
    assert "request_id" in problem["properties"] and "request_id" not in problem["required"]


def test_a_job_queued_by_a_request_carries_its_id_and_its_handler_never_sees_it(api_client, make, thread):
    replied = api_client(make.make_user()).post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Same here."},
                                                headers={"X-Request-ID": "reply-1"})
    assert replied.status_code == 201
    (job,) = index_jobs(thread.id)
    assert json.loads(job.payload_json) == {"thread_id": thread.id, "request_id": "reply-1"}
    assert outbox.request_id_of(job) == "reply-1" and outbox.payload(job) == {"thread_id": thread.id}


def test_a_waiting_job_is_not_queued_twice_whichever_requests_asked(api_client, make, thread):
    """forum.services.indexing queues one index update per thread however many replies arrive before it runs."""
    client = api_client(make.make_user())
    for number in (1, 2):
        answer = client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": f"Me too ({number})."})
        assert answer.status_code == 201
    assert len(index_jobs(thread.id)) == 1


def test_outside_a_request_jobs_carry_no_id(db):
    assert request_ids.current() is None
    job = outbox.enqueue("mail.send", {"id": 3})
    assert job.payload_json == '{"id": 3}' and outbox.request_id_of(job) is None


def test_the_worker_logs_the_request_id_and_passes_it_on_to_the_jobs_a_job_queues(
        api_client, make, thread, run_jobs, smtp_server, caplog):
    """A reply queues the asker's notification email job; running it queues the mail.send job, with the same id."""
    replied = api_client(make.make_user()).post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Try this."},
                                                headers={"X-Request-ID": "reply-2"})
    assert replied.status_code == 201
    with caplog.at_level(logging.INFO, logger="forum.core.worker"):
        run_jobs()
    ran = [json.loads(payload) for payload in _db.session.scalars(
        select(Job.payload_json).where(Job.name == "mail.send", Job.status == JobStatus.DONE.value))]
    assert ran and all(payload["request_id"] == "reply-2" for payload in ran)
    logged = [record.getMessage() for record in caplog.records if record.name == "forum.core.worker"]
    assert any(line.endswith("(mail.send) runs for request reply-2") for line in logged), logged
    assert any("(search.index_thread) runs for request reply-2" in line for line in logged), logged
    assert request_ids.current() is None  # unbound again after each job


def test_one_json_log_line_per_request_with_who_what_and_how_long(client, login_as, make, caplog):
    member = make.make_user()
    login_as(member)
    with caplog.at_level(logging.INFO, logger=request_log.LOGGER_NAME):
        response = client.get("/settings/profile", headers={"X-Request-ID": "line-1"})
    (record,) = [r for r in caplog.records if r.name == request_log.LOGGER_NAME]
    line = json.loads(request_log.JsonFormatter().format(record))
    assert response.status_code == 200
    assert {key: line[key] for key in ("method", "endpoint", "status", "request_id", "user_id", "level")} == {
        "method": "GET", "endpoint": "users.edit", "status": 200, "request_id": "line-1", "user_id": member.id,
        "level": "INFO"}
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert "/settings" not in json.dumps(line)  # the endpoint, never the path (paths may carry tokens)


def test_a_signed_out_request_logs_no_user(client, caplog):
    with caplog.at_level(logging.INFO, logger=request_log.LOGGER_NAME):
        client.get("/no-such-page")
    (record,) = [r for r in caplog.records if r.name == request_log.LOGGER_NAME]
    assert record.user_id is None and record.status == 404 and record.endpoint is None
