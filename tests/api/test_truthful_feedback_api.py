"""The API stays idempotent where the web says "nothing changed", and refuses what is not the caller's.

Withdrawing a vote never cast is a 200 with the current vote_count; marking notifications read
answers {changed: n} (0 when they were already read); an id that is not the caller's is a 404
and marks nothing, not even the caller's own ids sent with it.
"""

from __future__ import annotations

import pytest

from forum.core.extensions import db
from forum.models import Notification, Vote
from tests.api.support import assert_problem


@pytest.fixture
def thread(make, cast):
    return make.make_thread(author=cast["author"], title="Invoice shows the wrong address")


@pytest.fixture
def reply(make, thread, cast):
    return make.make_reply(thread, author=cast["helper"], body="Update it under Account, then Billing.")


def test_withdrawing_a_vote_never_cast_is_a_200_with_the_current_count(call_as, reply):
    call_as("other").post(f"/api/v1/posts/{reply.id}/votes")
    response = call_as("member").delete(f"/api/v1/posts/{reply.id}/votes")
    assert response.status_code == 200 and response.get_json() == {"vote_count": 1}
    assert db.session.query(Vote).count() == 1


def test_marking_read_answers_how_many_changed(call_as, reply):
    api = call_as("author")
    [note] = api.get("/api/v1/notifications").get_json()["items"]
    first = api.post("/api/v1/notifications/read", json={"ids": [note["id"]]})
    assert first.status_code == 200 and first.get_json()["changed"] == 1
    again = api.post("/api/v1/notifications/read", json={"ids": [note["id"]]})
    assert again.status_code == 200 and again.get_json()["changed"] == 0 and again.get_json()["unread"] == 0


def test_someone_elses_notification_id_is_a_404_and_nothing_is_marked(call_as, cast, make, thread, reply):
    mine = make.make_thread(author=cast["other"])
    make.make_reply(mine, author=cast["helper"])
    theirs = db.session.query(Notification).filter_by(user_id=cast["author"].id).one()
    own = db.session.query(Notification).filter_by(user_id=cast["other"].id).one()
    response = call_as("other").post("/api/v1/notifications/read", json={"ids": [own.id, theirs.id]})
    problem = assert_problem(response, 404)
    assert "not yours" in problem["detail"]
    db.session.expire_all()
    assert theirs.read_at is None and own.read_at is None


def test_the_openapi_document_describes_changed_and_the_404(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/notifications/read"]["post"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"changed", "marked", "unread"} <= set(schema["properties"]) and "changed" in schema["required"]
    assert "404" in operation["responses"]
