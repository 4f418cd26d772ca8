"""GET /notifications and POST /notifications/read, and the unread count on GET /me."""

from __future__ import annotations

import json

import pytest

from tests.api.support import assert_problem, walk_pages


@pytest.fixture
def thread(make, cast):
    return make.make_thread(author=cast["author"], title="Invoice shows the wrong address")


def reply(call_as, who, thread, body="Update it under Account → Billing.") -> dict:
    response = call_as(who).post(f"/api/v1/threads/{thread.id}/posts", json={"body": body})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def notes(call_as, who) -> list[dict]:
    response = call_as(who).get("/api/v1/notifications")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["items"]


def unread(call_as, who) -> int:
    return call_as(who).get("/api/v1/me").get_json()["notifications_unread"]


def test_a_reply_reaches_the_asker_but_not_the_replier(call_as, cast, thread):
    post = reply(call_as, "helper", thread)
    [note] = notes(call_as, "author")
    assert note["kind"] == "reply" and note["thread_id"] == thread.id and note["post_id"] == post["id"]
    assert note["actor"]["id"] == cast["helper"].id and note["actor"]["username"] == cast["helper"].username
    assert note["count"] == 1 and note["read_at"] is None and note["created_at"].endswith("Z")
    assert note["summary"] == "New reply: Invoice shows the wrong address"
    assert note["url"].startswith(f"/t/{thread.id}/{thread.slug}#") and note["url"].endswith(str(post["id"]))
    assert notes(call_as, "helper") == []
    assert unread(call_as, "author") == 1 and unread(call_as, "helper") == 0


def test_an_accepted_answer_reaches_its_author(call_as, cast, thread):
    post = reply(call_as, "helper", thread)
    call_as("author").put(f"/api/v1/threads/{thread.id}/accepted", json={"post_id": post["id"]})
    accepted = [n for n in notes(call_as, "helper") if n["kind"] == "accepted"]
    assert len(accepted) == 1 and accepted[0]["actor"]["id"] == cast["author"].id
    assert "solved" in accepted[0]["summary"]


def test_notifications_without_an_actor_have_a_null_actor(call_as, thread):
    post = reply(call_as, "helper", thread)
    call_as("moderator").put(f"/api/v1/threads/{thread.id}/accepted", json={"post_id": post["id"]})
    feedback_requests = [n for n in notes(call_as, "author") if n["kind"] == "feedback_request"]
    assert len(feedback_requests) == 1 and feedback_requests[0]["actor"] is None
    assert feedback_requests[0]["url"] == f"/t/{thread.id}/{thread.slug}"


def test_marking_some_read_updates_the_unread_count(call_as, thread):
    for n in range(3):
        reply(call_as, "helper", thread, body=f"Idea number {n}")
    listed = notes(call_as, "author")
    assert len(listed) == 3 and unread(call_as, "author") == 3
    response = call_as("author").post("/api/v1/notifications/read", json={"ids": [listed[0]["id"], listed[1]["id"]]})
    assert response.status_code == 200 and response.get_json() == {"changed": 2, "marked": 2, "unread": 1}
    assert unread(call_as, "author") == 1
    read = {n["id"]: n["read_at"] for n in notes(call_as, "author")}
    assert read[listed[0]["id"]] and read[listed[1]["id"]] and read[listed[2]["id"]] is None
    again = call_as("author").post("/api/v1/notifications/read", json={"ids": [listed[0]["id"]]})
    assert again.get_json() == {"changed": 0, "marked": 0, "unread": 1}


@pytest.mark.parametrize("request_body", [None, {}, {"ids": None}])
def test_marking_without_ids_marks_everything_read(call_as, thread, request_body):
    for n in range(3):
        reply(call_as, "helper", thread, body=f"Idea number {n}")
    api = call_as("author")
    if request_body is None:
        response = api.post("/api/v1/notifications/read")
    else:
        response = api.post("/api/v1/notifications/read", json=request_body)
    assert response.status_code == 200 and response.get_json() == {"changed": 3, "marked": 3, "unread": 0}
    assert unread(call_as, "author") == 0


def test_an_empty_body_with_a_json_content_type_marks_everything(call_as, thread):
    reply(call_as, "helper", thread)
    response = call_as("author").post("/api/v1/notifications/read", data="", content_type="application/json")
    assert response.get_json() == {"changed": 1, "marked": 1, "unread": 0}


def test_nobody_marks_someone_elses_notifications(call_as, thread):
    """Another member's notification id is a 404, as an unknown one is, and nothing is marked."""
    reply(call_as, "helper", thread)
    [note] = notes(call_as, "author")
    assert_problem(call_as("other").post("/api/v1/notifications/read", json={"ids": [note["id"]]}), 404)
    assert_problem(call_as("author").post("/api/v1/notifications/read", json={"ids": [note["id"], 999_999]}), 404)
    assert call_as("other").post("/api/v1/notifications/read").get_json()["changed"] == 0
    assert unread(call_as, "author") == 1


@pytest.mark.parametrize("who", ["member", "advocate", "moderator", "agent", "admin"])
def test_every_signed_in_user_has_a_notification_list(call_as, who):
    response = call_as(who).get("/api/v1/notifications")
    assert response.status_code == 200 and response.get_json() == {"items": [], "next_cursor": None}
    assert call_as(who).post("/api/v1/notifications/read").get_json() == {"changed": 0, "marked": 0, "unread": 0}


def test_anonymous_callers_have_no_notifications(call_as):
    assert_problem(call_as("anonymous").get("/api/v1/notifications"), 401)
    assert_problem(call_as("anonymous").post("/api/v1/notifications/read", json={}), 401)


def test_notifications_page_newest_first_through_every_one(call_as, make, cast, clock_at):
    made = []
    for _ in range(5):
        clock_at.advance(seconds=1)
        thread = make.make_thread(author=cast["author"])
        made.append(reply(call_as, "helper", thread)["id"])
    pages = walk_pages(call_as("author"), "/api/v1/notifications")
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [n["post_id"] for page in pages for n in page] == list(reversed(made))


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"limit": "many"}, "limit"),
     ({"cursor": "garbage"}, "cursor"), ({"cursor": "WzEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwXQ"}, "cursor")],
)
def test_bad_list_parameters_are_a_422(call_as, db, params, field):
    assert_problem(call_as("member").get("/api/v1/notifications", query_string=params), 422, field)


@pytest.mark.parametrize(
    "request_body",
    [{"ids": "1"}, {"ids": 1}, {"ids": {"a": 1}}, {"ids": ["1"]}, {"ids": [1.5]}, {"ids": [True]}, {"ids": [0]},
     {"ids": [-4]}, {"ids": [10**20]}, {"ids": [None]}, {"ids": [[1]]}, {"ids": list(range(1, 1002))}],
)
def test_bad_ids_are_a_422(call_as, db, request_body):
    assert_problem(call_as("member").post("/api/v1/notifications/read", json=request_body), 422, "ids")


def test_malformed_or_non_json_bodies_are_refused(call_as, db):
    api = call_as("member")
    assert_problem(api.post("/api/v1/notifications/read", data="{ids", content_type="application/json"), 400)
    assert_problem(api.post("/api/v1/notifications/read", data="ids=1",
                            content_type="application/x-www-form-urlencoded"), 415)
    assert_problem(api.post("/api/v1/notifications/read", data=json.dumps([1, 2]),
                            content_type="application/json"), 422, "body")


def test_cookie_callers_mark_read_with_the_csrf_header(client, login_as, make, cast, thread, call_as):
    reply(call_as, "helper", thread)
    login_as(cast["author"])
    assert_problem(client.post("/api/v1/notifications/read", csrf=False), 400)
    assert client.get("/api/v1/me").get_json()["notifications_unread"] == 1
    assert client.post("/api/v1/notifications/read").get_json() == {"changed": 1, "marked": 1, "unread": 0}
