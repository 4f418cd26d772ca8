"""POST/DELETE /users/{id}/suspension and GET /moderation/audit: roles, effects, validation, paging."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.core import clock
from forum.services import audit_writer, reading
from tests.api.support import assert_problem, walk_pages

SUSPEND = {"until": "2030-01-01T09:00:00Z", "reason": "Posting the same link everywhere"}


@pytest.mark.parametrize(("who", "status"), [
    ("anonymous", 401), ("member", 403), ("advocate", 403), ("moderator", 201), ("agent", 201), ("admin", 201),
])
def test_moderators_and_above_suspend(call_as, cast, who, status):
    response = call_as(who).post(f"/api/v1/users/{cast['author'].id}/suspension", json=SUSPEND)
    if status == 201:
        assert response.status_code == 201
        body = response.get_json()
        assert body["until"] == "2030-01-01T09:00:00Z" and body["reason"] == SUSPEND["reason"]
        assert body["user"]["id"] == cast["author"].id and body["lifted_at"] is None
    else:
        assert_problem(response, status)


@pytest.mark.parametrize(("who", "status"), [
    ("anonymous", 401), ("member", 403), ("advocate", 403), ("moderator", 204), ("admin", 204),
])
def test_moderators_and_above_lift(call_as, cast, who, status):
    call_as("moderator").post(f"/api/v1/users/{cast['author'].id}/suspension", json=SUSPEND)
    response = call_as(who).delete(f"/api/v1/users/{cast['author'].id}/suspension")
    assert response.status_code == status
    me = call_as("author").get("/api/v1/me").get_json()
    assert (me["suspension"] is None) == (status == 204)


def test_moderators_cannot_suspend_staff(call_as, cast):
    assert_problem(call_as("moderator").post(f"/api/v1/users/{cast['admin'].id}/suspension", json=SUSPEND), 403)


@pytest.mark.parametrize(("body", "field"), [
    ({"until": "2000-01-01T00:00:00Z", "reason": "Old"}, "until"),
    ({"until": "2030-01-01T09:00:00", "reason": "No offset"}, "until"),
    ({"until": "next tuesday", "reason": "Words"}, "until"),
    ({"until": 1893488400, "reason": "A number"}, "until"),
    ({"until": "2030-01-01T09:00:00Z" + "0" * 100, "reason": "Long"}, "until"),
    ({"until": "2030-01-01T09:00:00Z", "reason": "   "}, "reason"),
    ({"until": "2030-01-01T09:00:00Z"}, "reason"),
    ({"reason": "No end"}, "until"),
])
def test_bad_suspensions_are_422(call_as, cast, body, field):
    assert_problem(call_as("moderator").post(f"/api/v1/users/{cast['author'].id}/suspension", json=body), 422, field)


def test_unknown_users_are_404_and_lifting_nothing_is_404(call_as, cast):
    assert_problem(call_as("moderator").post("/api/v1/users/999999/suspension", json=SUSPEND), 404)
    assert_problem(call_as("moderator").delete(f"/api/v1/users/{cast['author'].id}/suspension"), 404)


def test_a_suspended_user_reads_but_cannot_post_vote_or_say_me_too(call_as, cast, make, clock_at):
    thread = make.make_thread()
    question = reading.question_post(thread)
    until = clock.now() + timedelta(days=1)
    call_as("moderator").post(f"/api/v1/users/{cast['author'].id}/suspension",
                              json={"until": until.isoformat(), "reason": "Cool down"})
    client = call_as("author")
    assert client.get(f"/api/v1/threads/{thread.id}").status_code == 200
    me = client.get("/api/v1/me").get_json()
    assert me["suspension"] == {"until": until.strftime("%Y-%m-%dT%H:%M:%SZ"), "reason": "Cool down"}
    refused = [
        client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Still here"}),
        client.post("/api/v1/threads", json={"category_id": thread.category_id, "title": "A new question now",
                                             "body": "Details"}),
        client.post(f"/api/v1/posts/{question.id}/votes"),
        client.post(f"/api/v1/threads/{thread.id}/me-too"),
    ]
    assert [r.status_code for r in refused] == [403] * 4
    clock_at.advance(days=1, seconds=1)  # it ends by itself
    assert client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Back again"}).status_code == 201
    assert client.get("/api/v1/me").get_json()["suspension"] is None


@pytest.mark.parametrize(("who", "status"), [
    ("anonymous", 401), ("member", 403), ("advocate", 403), ("moderator", 200), ("agent", 200), ("admin", 200),
])
def test_the_audit_log_is_for_moderators_and_above(call_as, who, status):
    response = call_as(who).get("/api/v1/moderation/audit")
    if status == 200:
        assert response.status_code == 200 and set(response.get_json()) == {"items", "next_cursor"}
    else:
        assert_problem(response, status)


def test_every_action_here_is_in_the_audit_log_with_its_fields(call_as, cast):
    target = cast["author"]
    call_as("moderator").post(f"/api/v1/users/{target.id}/suspension", json=SUSPEND)
    call_as("moderator").delete(f"/api/v1/users/{target.id}/suspension", json={"reason": "Appeal accepted"})
    items = call_as("moderator").get("/api/v1/moderation/audit").get_json()["items"]
    assert [(i["action"], i["target_type"], i["target_id"], i["reason"]) for i in items] == [
        ("user.unsuspend", "user", target.id, "Appeal accepted"),
        ("user.suspend", "user", target.id, SUSPEND["reason"]),
    ]
    latest = items[0]
    assert latest["actor"]["id"] == cast["moderator"].id and latest["created_at"].endswith("Z")
    assert latest["before"]["suspended_until"].startswith("2030-01-01") and latest["after"]["suspended_until"] is None


def test_the_audit_log_filters_and_pages(call_as, cast, db):
    for n in range(5):
        audit_writer.record(cast["admin"], "test.even" if n % 2 == 0 else "test.odd", "post", n + 1)
    audit_writer.record(None, "test.system", "thread", 99)
    db.session.commit()
    client = call_as("moderator")
    pages = walk_pages(client, "/api/v1/moderation/audit", limit=2)
    assert [len(page) for page in pages] == [2, 2, 2]
    assert [i["target_id"] for page in pages for i in page] == [99, 5, 4, 3, 2, 1]
    assert pages[0][0]["actor"] is None
    only_even = client.get("/api/v1/moderation/audit?action=test.even").get_json()["items"]
    assert [i["target_id"] for i in only_even] == [5, 3, 1]
    by_actor = client.get(f"/api/v1/moderation/audit?actor={cast['admin'].username}&target_id=2").get_json()
    assert [i["target_id"] for i in by_actor["items"]] == [2]
    assert client.get("/api/v1/moderation/audit?target_type=thread").get_json()["items"][0]["target_id"] == 99


@pytest.mark.parametrize(("query", "field"), [
    ("since=tomorrow", "since"), ("until=2026-13-01", "until"), ("target_id=abc", "target_id"),
    ("limit=0", "limit"), ("cursor=not-a-cursor", "cursor"),
])
def test_bad_audit_queries_are_422(call_as, query, field):
    assert_problem(call_as("moderator").get(f"/api/v1/moderation/audit?{query}"), 422, field)
