"""Moderator hide, merge and split in the API (issue 18, item 5), as the thread page's moderator panel does them.

POST/DELETE /posts/{id}/hide, POST /threads/{id}/merge and POST /threads/{id}/split: moderators
and above, the same services (reasons told, audit entries), 403 for others before any lookup,
404 for unknown ids, 422 for bad input, 409 where the state forbids the action.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum import cases
from forum.core.extensions import db
from forum.models import Notification, NotificationKind, Post
from forum.services import reading
from tests.api.support import assert_problem
from tests.moderation_support import audit_after, audit_entries


@pytest.fixture
def reply(make, cast):
    thread = make.make_thread(author=cast["author"])
    return make.make_reply(thread, author=cast["helper"])


# --- hide ------------------------------------------------------------------------------------------

def test_a_moderator_hides_a_post_with_a_reason_the_author_is_told(call_as, cast, reply):
    response = call_as("moderator").post(f"/api/v1/posts/{reply.id}/hide", json={"reason": "Rude to the asker"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["hidden"], body["visibility"]) == (reply.id, True, "hidden")
    [entry] = audit_entries("post.hide")
    assert (entry.actor_id, entry.target_id, entry.reason) == (cast["moderator"].id, reply.id, "Rude to the asker")
    told = db.session.scalars(select(Notification).where(Notification.user_id == cast["helper"].id,
                                                         Notification.kind == NotificationKind.MODERATION.value))
    assert any("Rude to the asker" in n.message for n in told)
    assert call_as("member").get(f"/api/v1/threads/{reply.thread_id}/posts").get_json()["items"] == []


def test_hiding_needs_a_reason_and_hiding_again_changes_nothing(call_as, reply):
    client = call_as("moderator")
    assert_problem(client.post(f"/api/v1/posts/{reply.id}/hide", json={"reason": "  "}), 422, "reason")
    assert_problem(client.post(f"/api/v1/posts/{reply.id}/hide", json={}), 422, "reason")
    assert client.post(f"/api/v1/posts/{reply.id}/hide", json={"reason": "Spam"}).status_code == 200
    again = client.post(f"/api/v1/posts/{reply.id}/hide", json={"reason": "Spam"})
    assert again.status_code == 200 and again.get_json()["hidden"] is True
    assert len(audit_entries("post.hide")) == 1


def test_unhiding_makes_the_post_visible_again(call_as, reply):
    client = call_as("moderator")
    client.post(f"/api/v1/posts/{reply.id}/hide", json={"reason": "Looks like spam"})
    response = client.delete(f"/api/v1/posts/{reply.id}/hide")
    assert response.status_code == 200 and response.get_json()["hidden"] is False
    assert [e.action for e in audit_entries()] == ["post.hide", "post.unhide"]
    assert [p["id"] for p in call_as("member").get(f"/api/v1/threads/{reply.thread_id}/posts").get_json()["items"]] \
        == [reply.id]


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("member", 403), ("helper", 403), ("advocate", 403)])
def test_only_moderators_hide(call_as, reply, who, status):
    assert_problem(call_as(who).post(f"/api/v1/posts/{reply.id}/hide", json={"reason": "x"}), status)
    assert_problem(call_as(who).delete(f"/api/v1/posts/{reply.id}/hide"), status)
    assert db.session.get(Post, reply.id).visibility == "public"


def test_unknown_posts_are_404_for_moderators_and_403_for_others(call_as):
    assert_problem(call_as("moderator").post("/api/v1/posts/987654/hide", json={"reason": "x"}), 404)
    assert_problem(call_as("member").post("/api/v1/posts/987654/hide", json={"reason": "x"}), 403)


# --- merge -----------------------------------------------------------------------------------------

@pytest.fixture
def duplicate(make, cast):
    source = make.make_thread(author=cast["member"], title="Wifi drops every evening", replies=1)
    target = make.make_thread(author=cast["author"], title="Connection drops at night", replies=1)
    return source, target


def test_a_moderator_merges_and_gets_the_target_thread(call_as, duplicate):
    source, target = duplicate
    response = call_as("moderator").post(f"/api/v1/threads/{source.id}/merge",
                                         json={"target_id": target.id, "reason": "Same question"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == target.id and body["reply_count"] == 3  # its reply, the source's question and reply
    assert_problem(call_as("member").get(f"/api/v1/threads/{source.id}"), 404)
    [entry] = audit_entries("thread.merge")
    assert (entry.target_id, entry.reason, audit_after(entry)["merged_into_id"]) == (source.id, "Same question",
                                                                                      target.id)


@pytest.mark.parametrize("body", [{}, {"target_id": "7"}, {"target_id": 0}, {"target_id": 987654},
                                  {"target_id": True}, {"target_id": 1, "reason": 5}])
def test_bad_merges_are_422(call_as, duplicate, body):
    source, _target = duplicate
    assert_problem(call_as("moderator").post(f"/api/v1/threads/{source.id}/merge", json=body), 422)
    assert source.merged_into_id is None


def test_merging_into_itself_is_422_and_an_unknown_thread_404(call_as, duplicate):
    source, target = duplicate
    client = call_as("moderator")
    assert_problem(client.post(f"/api/v1/threads/{source.id}/merge", json={"target_id": source.id}), 422, "target_id")
    assert_problem(client.post("/api/v1/threads/987654/merge", json={"target_id": target.id}), 404)


def test_merging_into_a_hidden_thread_is_refused_so_followers_are_not_sent_where_they_cannot_go(
        call_as, duplicate, cast):
    source, target = duplicate
    client = call_as("moderator")
    question = reading.question_post(target)
    assert client.post(f"/api/v1/posts/{question.id}/hide", json={"reason": "Spam"}).status_code == 200
    assert_problem(client.post(f"/api/v1/threads/{source.id}/merge", json={"target_id": target.id}), 422, "target_id")
    assert source.merged_into_id is None


def test_merging_a_merged_thread_again_is_409(call_as, duplicate, make):
    source, target = duplicate
    client = call_as("moderator")
    assert client.post(f"/api/v1/threads/{source.id}/merge", json={"target_id": target.id}).status_code == 200
    third = make.make_thread()
    assert_problem(client.post(f"/api/v1/threads/{source.id}/merge", json={"target_id": third.id}), 409)


def test_two_open_cases_refuse_the_merge_with_the_reason(call_as, cast, duplicate):
    source, target = duplicate
    cases.escalate_thread(cast["member"], source, "Still broken")
    cases.escalate_thread(cast["author"], target, "Please help")
    problem = assert_problem(call_as("moderator").post(f"/api/v1/threads/{source.id}/merge",
                                                       json={"target_id": target.id}), 409)
    assert "open support case" in problem["detail"]
    assert source.merged_into_id is None and audit_entries("thread.merge") == []


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("member", 403), ("author", 403), ("advocate", 403)])
def test_only_moderators_merge_and_split(call_as, duplicate, who, status):
    source, target = duplicate
    assert_problem(call_as(who).post(f"/api/v1/threads/{source.id}/merge", json={"target_id": target.id}), status)
    assert_problem(call_as(who).post(f"/api/v1/threads/{source.id}/split",
                                     json={"post_ids": [1], "title": "A new thread here"}), status)
    assert source.merged_into_id is None


# --- split -----------------------------------------------------------------------------------------

def test_a_moderator_splits_replies_into_a_new_thread(call_as, make, cast):
    thread = make.make_thread(author=cast["author"])
    keep = make.make_reply(thread, body="On topic.")
    first = make.make_reply(thread, author=cast["helper"], body="A different problem: my printer.")
    second = make.make_reply(thread, body="Printer here too.")
    response = call_as("moderator").post(f"/api/v1/threads/{thread.id}/split",
                                         json={"post_ids": [second.id, first.id], "title": "Printer stops printing",
                                               "reason": "Another question"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["title"] == "Printer stops printing" and body["author"]["id"] == cast["helper"].id
    assert body["first_post"]["id"] == first.id and body["reply_count"] == 1
    replies = call_as("member").get(f"/api/v1/threads/{thread.id}/posts").get_json()["items"]
    assert [p["id"] for p in replies] == [keep.id]
    [entry] = audit_entries("thread.split")
    assert entry.reason == "Another question" and audit_after(entry)["new_thread_id"] == body["id"]


TITLE = "A new thread here"


@pytest.mark.parametrize("body", [{"title": TITLE}, {"post_ids": [], "title": TITLE},
                                  {"post_ids": ["x"], "title": TITLE}, {"post_ids": "1,2", "title": TITLE},
                                  {"post_ids": [987654], "title": TITLE},
                                  {"post_ids": "QUESTION", "title": TITLE}, {"post_ids": "REPLY", "title": "short"},
                                  {"post_ids": "REPLY"}])
def test_bad_splits_are_422(call_as, make, body):
    thread = make.make_thread(replies=1)
    reply = db.session.scalars(select(Post).where(Post.thread_id == thread.id, Post.is_question.is_(False))).one()
    named = {"QUESTION": [reading.question_post(thread).id], "REPLY": [reply.id]}
    if isinstance(body.get("post_ids"), str) and body["post_ids"] in named:
        body = {**body, "post_ids": named[body["post_ids"]]}
    assert_problem(call_as("moderator").post(f"/api/v1/threads/{thread.id}/split", json=body), 422)
    assert reply.thread_id == thread.id


def test_the_openapi_document_lists_the_moderator_actions(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/posts/{post_id}/hide"]) == {"post", "delete"}
    assert "409" in paths["/threads/{thread_id}/merge"]["post"]["responses"]
    assert "201" in paths["/threads/{thread_id}/split"]["post"]["responses"]
