"""Flags and the review queue over the API, the Post resource's hidden state, and who may call what."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.core.extensions import db
from forum.services import reading
from moderation.models import ReviewItem
from moderation.services import actions
from tests.api.support import assert_problem
from tests.moderation_support import HOLD_WORD, audit_entries, holding  # noqa: F401  (fixture)


@pytest.fixture
def reply(make, cast):
    thread = make.make_thread(author=cast["author"])
    return make.make_reply(thread, author=cast["helper"])


def open_item_id(post_id: int) -> int:
    return db.session.scalar(select(ReviewItem.id).where(ReviewItem.open_post_id == post_id))


def test_flagging_answers_201_and_a_repeat_409(call_as, reply):
    client = call_as("member")
    response = client.post(f"/api/v1/posts/{reply.id}/flags", json={"reason": "spam", "note": "An advert"})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["post_id"], body["reason"], body["note"], body["weight"]) == (reply.id, "spam", "An advert", 1)
    assert_problem(client.post(f"/api/v1/posts/{reply.id}/flags", json={"reason": "offensive"}), 409)


def test_bad_flags_are_422_and_unknown_posts_404(call_as, reply):
    client = call_as("member")
    assert_problem(client.post(f"/api/v1/posts/{reply.id}/flags", json={"reason": "meh"}), 422, "reason")
    assert_problem(client.post(f"/api/v1/posts/{reply.id}/flags", json={"reason": 3}), 422, "reason")
    assert_problem(client.post(f"/api/v1/posts/{reply.id}/flags", json={"reason": "other"}), 422, "note")
    assert_problem(client.post("/api/v1/posts/999999/flags", json={"reason": "spam"}), 404)
    assert_problem(call_as("helper").post(f"/api/v1/posts/{reply.id}/flags", json={"reason": "spam"}), 403)
    assert_problem(call_as("anonymous").post(f"/api/v1/posts/{reply.id}/flags", json={"reason": "spam"}), 401)


def test_a_staff_flag_hides_the_post_and_the_author_sees_it_hidden(call_as, reply):
    call_as("agent").post(f"/api/v1/posts/{reply.id}/flags", json={"reason": "offensive"})
    mine = call_as("helper").get(f"/api/v1/threads/{reply.thread_id}/posts").get_json()["items"]
    assert [(p["id"], p["hidden"], p["visibility"]) for p in mine] == [(reply.id, True, "hidden")]
    assert "flagged" in mine[0]["moderation_note"]
    assert call_as("member").get(f"/api/v1/threads/{reply.thread_id}/posts").get_json()["items"] == []


def test_the_queue_lists_items_and_a_decision_returns_the_item(call_as, reply):
    for who in ("member", "other", "advocate"):
        call_as(who).post(f"/api/v1/posts/{reply.id}/flags", json={"reason": "spam"})
    moderator = call_as("moderator")
    [item] = moderator.get("/api/v1/moderation/queue").get_json()["items"]
    assert (item["kind"], item["post"]["id"], item["post"]["hidden"], item["flag_score"]) == (
        "flagged", reply.id, True, 4)
    assert [f["weight"] for f in item["flags"]] == [1, 1, 2] and item["thread"]["id"] == reply.thread_id
    response = moderator.post(f"/api/v1/moderation/queue/{item['id']}", json={"action": "approve", "note": "OK"})
    assert response.status_code == 200
    decided = response.get_json()
    assert (decided["resolution"], decided["note"], decided["post"]["hidden"]) == ("approve", "OK", False)
    assert decided["resolved_by"]["id"] == moderator.get("/api/v1/me").get_json()["id"]
    assert_problem(moderator.post(f"/api/v1/moderation/queue/{item['id']}", json={"action": "hide"}), 409)
    assert moderator.get("/api/v1/moderation/queue").get_json()["items"] == []
    assert [e.action for e in audit_entries()] == ["flags.hide", "queue.approve"]


def test_deleting_from_the_queue_reverses_reputation(call_as, reply, make):
    make_vote = call_as("member").post(f"/api/v1/posts/{reply.id}/votes")
    assert make_vote.status_code == 200
    call_as("other").post(f"/api/v1/posts/{reply.id}/flags", json={"reason": "spam"})
    moderator = call_as("moderator")
    response = moderator.post(f"/api/v1/moderation/queue/{open_item_id(reply.id)}", json={"action": "delete"})
    assert response.status_code == 200 and response.get_json()["post"]["deleted"] is True
    helper = call_as("helper").get("/api/v1/me").get_json()
    assert helper["reputation"] == 0


def test_bad_decisions_are_422_and_unknown_items_404(call_as, reply):
    call_as("member").post(f"/api/v1/posts/{reply.id}/flags", json={"reason": "spam"})
    moderator = call_as("moderator")
    item_id = open_item_id(reply.id)
    assert_problem(moderator.post(f"/api/v1/moderation/queue/{item_id}", json={"action": "ban"}), 422, "action")
    assert_problem(moderator.post(f"/api/v1/moderation/queue/{item_id}", json={}), 422, "action")
    assert_problem(moderator.post("/api/v1/moderation/queue/999999", json={"action": "hide"}), 404)
    assert_problem(moderator.get("/api/v1/moderation/queue?cursor=garbage"), 422)


@pytest.mark.usefixtures("holding")
def test_a_held_reply_is_201_with_the_post_pending(call_as, reply):
    response = call_as("member").post(f"/api/v1/threads/{reply.thread_id}/posts", json={"body": f"x {HOLD_WORD}"})
    assert response.status_code == 201
    post = response.get_json()
    assert (post["hidden"], post["visibility"]) == (True, "pending")
    assert post["moderation_note"] == "Your post is waiting for a moderator's approval."
    [item] = call_as("moderator").get("/api/v1/moderation/queue").get_json()["items"]
    assert (item["kind"], item["post"]["id"]) == ("approval", post["id"])


def test_a_merged_thread_answers_404_and_moderators_see_where_it_went(call_as, reply, make, cast):
    target, source_id = make.make_thread(), reply.thread_id
    actions.merge_threads(cast["moderator"], reply.thread, target.id)
    assert reply.thread_id == target.id  # its posts live there now
    assert_problem(call_as("member").get(f"/api/v1/threads/{source_id}"), 404)
    problem = assert_problem(call_as("moderator").get(f"/api/v1/threads/{source_id}"), 404)
    assert problem["detail"] == f"This thread was merged into thread {target.id}."
    listed = call_as("moderator").get("/api/v1/threads").get_json()["items"]
    assert {t["id"]: t["merged_into_id"] for t in listed}[source_id] == target.id


def test_patching_a_thread_as_moderator_is_audited(call_as, reply):
    response = call_as("moderator").patch(f"/api/v1/threads/{reply.thread_id}", json={"locked": True, "pinned": True})
    assert response.status_code == 200
    assert [e.action for e in audit_entries()] == ["thread.lock", "thread.pin"]


MODERATOR_ROUTES = [("get", "/api/v1/moderation/queue", None),
                    ("post", "/api/v1/moderation/queue/{item}", {"action": "approve"})]


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("member", 403), ("advocate", 403)])
def test_callers_below_moderator_are_refused_every_queue_route(call_as, reply, who, status, cast):
    call_as("other").post(f"/api/v1/posts/{reply.id}/flags", json={"reason": "spam"})
    client = call_as(who)
    for method, url, body in MODERATOR_ROUTES:
        response = getattr(client, method)(url.format(item=open_item_id(reply.id)), json=body)
        assert_problem(response, status)
    assert audit_entries() == [] and reading.get_post(cast["moderator"], reply.id).visibility == "public"


def test_a_trusted_advocate_reviews_through_the_api(call_as, reply, cast):
    cast["advocate"].reputation = 1000
    db.session.commit()
    call_as("other").post(f"/api/v1/posts/{reply.id}/flags", json={"reason": "spam"})
    client = call_as("advocate")
    [item] = client.get("/api/v1/moderation/queue").get_json()["items"]
    assert client.post(f"/api/v1/moderation/queue/{item['id']}", json={"action": "dismiss"}).status_code == 200


def test_malformed_flags_and_decisions_are_4xx_never_500(call_as, reply):
    member = call_as("member")
    for body in [[], ["spam"], "spam", 3, {"reason": ["spam"]}, {"reason": "spam", "note": 5},
                 {"reason": "other", "note": "x" * 600}]:
        assert member.post(f"/api/v1/posts/{reply.id}/flags", json=body).status_code in (400, 422), body
    assert_problem(member.post(f"/api/v1/posts/{reply.id}/flags", data="{oops", content_type="application/json"), 400)
    for post_id in ("99999999999999999999999", "0", "abc"):
        assert_problem(member.post(f"/api/v1/posts/{post_id}/flags", json={"reason": "spam"}), 404)
    call_as("other").post(f"/api/v1/posts/{reply.id}/flags", json={"reason": "spam"})
    moderator, item_id = call_as("moderator"), open_item_id(reply.id)
    for body in [[], ["hide"], "hide", {"action": 3}, {"action": None}, {"action": "hide", "note": 3},
                 {"action": "hide", "note": "x" * 2000}]:
        assert moderator.post(f"/api/v1/moderation/queue/{item_id}", json=body).status_code in (400, 422), body
    for bad_id in ("99999999999999999999999", "0", "abc"):
        assert_problem(moderator.post(f"/api/v1/moderation/queue/{bad_id}", json={"action": "hide"}), 404)
    for query in ("limit=0", "limit=abc", "limit=101", "limit=99999999999999999999999"):
        assert moderator.get(f"/api/v1/moderation/queue?{query}").status_code in (200, 422), query
    assert open_item_id(reply.id) == item_id and reading.get_post(None, reply.id).visibility == "public"


def test_advocates_below_1000_and_suspended_advocates_are_refused_the_queue(api_client, reply, make, clock_at):
    api_client(make.make_user()).post(f"/api/v1/posts/{reply.id}/flags", json={"reason": "spam"})
    below, suspended = make.make_user("advocate"), make.make_user("advocate")
    below.reputation, suspended.reputation = 999, 5000
    suspended.suspended_until = clock_at.now + timedelta(days=1)
    db.session.commit()
    for advocate in (below, suspended):
        client = api_client(advocate)
        assert_problem(client.get("/api/v1/moderation/queue"), 403)
        decided = client.post(f"/api/v1/moderation/queue/{open_item_id(reply.id)}", json={"action": "dismiss"})
        assert_problem(decided, 403)
    assert open_item_id(reply.id) is not None


def test_trusted_advocates_never_see_what_was_raised_to_staff(call_as, reply, cast):
    cast["advocate"].reputation = 1000
    db.session.commit()
    call_as("member").post(f"/api/v1/posts/{reply.id}/flags",
                           json={"reason": "needs_staff", "note": "It shows my card number 4111"})
    advocate = call_as("advocate")
    assert advocate.get("/api/v1/moderation/queue").get_json()["items"] == []
    assert_problem(advocate.post(f"/api/v1/moderation/queue/{open_item_id(reply.id)}", json={"action": "dismiss"}), 404)
    call_as("moderator").post(f"/api/v1/moderation/queue/{open_item_id(reply.id)}", json={"action": "dismiss"})
    call_as("other").post(f"/api/v1/posts/{reply.id}/flags", json={"reason": "spam"})  # a later, ordinary item
    [item] = advocate.get("/api/v1/moderation/queue").get_json()["items"]
    assert [flag["reason"] for flag in item["flags"]] == ["spam"] and "4111" not in json.dumps(item)
    [seen] = call_as("moderator").get("/api/v1/moderation/queue").get_json()["items"]
    assert [flag["reason"] for flag in seen["flags"]] == ["needs_staff", "spam"]
