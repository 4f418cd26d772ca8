"""Marking a question as a duplicate (issue 26, item 5): POST /api/v1/threads/{id}/duplicate {target_id, reason}.

The thread stays, closed, with duplicate_of; its replies and helpful votes stay; its watchers and
"me too"s are added to the target without counting anyone twice; the asker is told with a link to
the target; the action is audited and the pair kept for the bench. Moderators only (403 for
members before any lookup, 401 signed out), 404 for threads the caller can't see, 422 for a bad
target, 409 for a thread already marked or merged.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from forum import cases
from forum.core import outbox
from forum.core.extensions import db
from forum.models import Job, MeToo, Notification, NotificationKind, Post, Subscription, Thread
from forum.services import notifications, qa, reading, subscriptions
from moderation.models import DuplicatePair
from tests.api.support import assert_problem
from tests.moderation_support import audit_after, audit_entries


@pytest.fixture
def pair(make, cast):
    """A newer question (the duplicate, by member) and the earlier thread that answers it (by author)."""
    target = make.make_thread(author=cast["author"], title="Connection drops at night", replies=1)
    duplicate = make.make_thread(author=cast["member"], title="Wifi drops every evening", replies=1)
    return duplicate, target


def mark(client, duplicate, target_id, reason="Asked and answered before"):
    return client.post(f"/api/v1/threads/{duplicate.id}/duplicate", json={"target_id": target_id, "reason": reason})


def me_too_rows(thread: Thread) -> list[int]:
    return sorted(db.session.scalars(select(MeToo.user_id).where(MeToo.thread_id == thread.id)))


def test_a_moderator_marks_a_duplicate_which_stays_closed_pointing_at_the_target(call_as, cast, pair):
    duplicate, target = pair
    response = mark(call_as("moderator"), duplicate, target.id)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["status"], body["duplicate_of"]) == (duplicate.id, "closed", target.id)
    seen = call_as("member").get(f"/api/v1/threads/{duplicate.id}").get_json()  # still there, for everyone
    assert (seen["status"], seen["duplicate_of"], seen["reply_count"]) == ("closed", target.id, 1)
    assert call_as("member").get(f"/api/v1/threads/{target.id}").get_json()["duplicate_of"] is None
    [entry] = audit_entries("thread.duplicate")
    assert (entry.actor_id, entry.target_id, entry.reason) == (cast["moderator"].id, duplicate.id,
                                                               "Asked and answered before")
    assert audit_after(entry)["duplicate_of_id"] == target.id and audit_after(entry)["status"] == "closed"
    kept = db.session.scalars(select(DuplicatePair)).one()
    assert (kept.thread_id, kept.target_id, kept.title, kept.target_title, kept.marked_by_id) == (
        duplicate.id, target.id, "Wifi drops every evening", "Connection drops at night", cast["moderator"].id)
    assert kept.body == reading.question_post(duplicate).body


def test_the_asker_is_told_with_a_link_to_the_target(call_as, cast, pair):
    duplicate, target = pair
    mark(call_as("moderator"), duplicate, target.id)
    [note] = db.session.scalars(select(Notification).where(Notification.user_id == cast["member"].id,
                                                           Notification.kind == NotificationKind.MERGED.value))
    assert note.thread_id == target.id
    assert notifications.path_for(note) == f"/t/{target.id}/{target.slug}"
    assert "duplicate" in note.message and target.title in note.message
    listed = call_as("member").get("/api/v1/notifications").get_json()["items"]
    assert any(target.title in str(item) for item in listed)


def test_watchers_and_me_toos_are_added_to_the_target_counting_no_one_twice(call_as, make, cast, pair):
    duplicate, target = pair
    only_here, on_both, muted_there = (make.make_user(username=n) for n in ("onlyhere", "onboth", "mutedthere"))
    qa.add_me_too(only_here, duplicate)  # "me too" watches the thread as well
    qa.add_me_too(on_both, duplicate)
    qa.add_me_too(on_both, target)
    qa.add_me_too(target.author, duplicate)  # the target's own asker: it is their question, not a "me too"
    subscriptions.watch(muted_there, duplicate)
    subscriptions.mute(muted_there, target)
    assert target.me_too_count == 1
    mark(call_as("moderator"), duplicate, target.id)
    db.session.refresh(target)
    assert me_too_rows(target) == sorted([only_here.id, on_both.id])
    assert target.me_too_count == 2  # on_both counted once
    assert me_too_rows(duplicate) == sorted([only_here.id, on_both.id, target.author_id])  # its own stay
    assert subscriptions.state_of(only_here, target) == "watching"
    assert subscriptions.state_of(cast["member"], target) == "watching"  # the asker watched their question
    assert subscriptions.state_of(muted_there, target) == "muted"  # a mute on the target wins
    assert db.session.scalar(select(func.count()).select_from(Subscription).where(
        Subscription.thread_id == target.id, Subscription.user_id == on_both.id)) == 1
    assert subscriptions.state_of(only_here, duplicate) == "watching"  # nothing removed from the duplicate
    told = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == NotificationKind.MERGED.value)))
    assert {only_here.id, on_both.id, cast["member"].id} <= told and muted_there.id not in told


def test_helpful_votes_and_replies_stay_on_the_duplicate(call_as, make, cast, pair):
    duplicate, target = pair
    question = reading.question_post(duplicate)
    reply = db.session.scalars(select(Post).where(Post.thread_id == duplicate.id, Post.is_question.is_(False))).one()
    qa.vote_helpful(make.make_user(), question)
    qa.vote_helpful(make.make_user(), reply)
    target_votes = target.vote_count
    mark(call_as("moderator"), duplicate, target.id)
    for post in (question, reply):
        db.session.refresh(post)
    db.session.refresh(duplicate)
    db.session.refresh(target)
    assert (question.vote_count, reply.vote_count, reply.thread_id) == (1, 1, duplicate.id)
    assert duplicate.vote_count == 1 and target.vote_count == target_votes
    posts = call_as("member").get(f"/api/v1/threads/{duplicate.id}/posts").get_json()["items"]
    assert [p["id"] for p in posts] == [reply.id]


def test_an_open_case_stays_on_the_duplicate_and_the_audit_names_it(call_as, cast, pair):
    duplicate, target = pair
    case, _created = cases.escalate_thread(cast["member"], duplicate, "Still broken")
    assert mark(call_as("moderator"), duplicate, target.id).status_code == 200
    assert cases.open_case_for(duplicate).id == case.id
    assert audit_after(audit_entries("thread.duplicate")[0])["case_id"] == case.id


@pytest.mark.parametrize("body", [{}, {"target_id": "7"}, {"target_id": 0}, {"target_id": 987654},
                                  {"target_id": True}, {"target_id": "TARGET", "reason": 5},
                                  {"target_id": "TARGET", "reason": "x" * 5000}])
def test_bad_requests_are_422(call_as, pair, body):
    duplicate, target = pair
    body = {**body, "target_id": target.id} if body.get("target_id") == "TARGET" else body
    assert_problem(call_as("moderator").post(f"/api/v1/threads/{duplicate.id}/duplicate", json=body), 422)
    assert duplicate.duplicate_of_id is None and audit_entries("thread.duplicate") == []


def test_a_thread_is_not_a_duplicate_of_itself_a_hidden_thread_or_a_duplicate(call_as, make, pair):
    duplicate, target = pair
    client = call_as("moderator")
    assert_problem(mark(client, duplicate, duplicate.id), 422, "target_id")
    hidden = make.make_thread(title="Wifi drops and then comes back")
    assert client.post(f"/api/v1/posts/{reading.question_post(hidden).id}/hide",
                       json={"reason": "Spam"}).status_code == 200
    assert_problem(mark(client, duplicate, hidden.id), 422, "target_id")
    third = make.make_thread(title="Evening wifi drops again")
    assert mark(client, target, third.id).status_code == 200  # the target itself points elsewhere now
    problem = assert_problem(mark(client, duplicate, target.id), 422, "target_id")
    assert f"thread {third.id}" in problem["errors"]["target_id"][0]
    assert db.session.get(Thread, duplicate.id).duplicate_of_id is None


def test_marking_again_or_a_merged_thread_is_409(call_as, make, pair):
    duplicate, target = pair
    client = call_as("moderator")
    assert mark(client, duplicate, target.id).status_code == 200
    assert_problem(mark(client, duplicate, make.make_thread().id), 409)
    merged = make.make_thread(title="Router restarts by itself")
    assert client.post(f"/api/v1/threads/{merged.id}/merge", json={"target_id": target.id}).status_code == 200
    assert_problem(mark(client, merged, target.id), 409)
    assert len(audit_entries("thread.duplicate")) == 1


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("member", 403), ("author", 403), ("advocate", 403)])
def test_only_moderators_mark_duplicates(call_as, pair, who, status):
    duplicate, target = pair
    assert_problem(mark(call_as(who), duplicate, target.id), status)
    assert_problem(call_as(who).delete(f"/api/v1/threads/{duplicate.id}/duplicate"), status)
    assert db.session.get(Thread, duplicate.id).duplicate_of_id is None


def test_unknown_or_invisible_threads_are_404_for_moderators_and_403_for_members(call_as, pair):
    _duplicate, target = pair
    assert_problem(call_as("moderator").post("/api/v1/threads/987654/duplicate", json={"target_id": target.id}), 404)
    assert_problem(call_as("member").post("/api/v1/threads/987654/duplicate", json={"target_id": target.id}), 403)


def test_a_mistaken_mark_is_taken_back_and_the_pair_forgotten(call_as, pair):
    duplicate, target = pair
    client = call_as("moderator")
    mark(client, duplicate, target.id)
    response = client.delete(f"/api/v1/threads/{duplicate.id}/duplicate", json={"reason": "Different router"})
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["duplicate_of"]) == ("answered", None)
    assert db.session.scalars(select(DuplicatePair)).all() == []
    assert [e.action for e in audit_entries()][-1] == "thread.unduplicate"
    again = client.delete(f"/api/v1/threads/{duplicate.id}/duplicate")
    assert again.status_code == 200 and len(audit_entries("thread.unduplicate")) == 1


def test_both_threads_are_queued_for_the_search_index(call_as, pair, run_jobs):
    duplicate, target = pair
    run_jobs()
    mark(call_as("moderator"), duplicate, target.id)
    queued = {outbox.payload(job)["thread_id"] for job in db.session.scalars(  # without the request id
        select(Job).where(Job.name == "search.index_thread", Job.status == "queued"))}
    assert {duplicate.id, target.id} <= queued


def test_the_openapi_document_lists_the_duplicate_action_and_field(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/threads/{thread_id}/duplicate"]
    assert {"409", "422", "404"} <= set(operation["post"]["responses"]) and "delete" in operation
    assert "duplicate_of" in document["components"]["schemas"]["Thread"]["properties"]


def test_the_pairs_export_as_json_lines_for_the_bench(app, call_as, pair, tmp_path):
    duplicate, target = pair
    mark(call_as("moderator"), duplicate, target.id, reason="Same evening drops")
    out = tmp_path / "pairs.jsonl"
    result = app.test_cli_runner().invoke(args=["moderation", "export-duplicates", str(out)])
    assert result.exit_code == 0, result.output
    [line] = out.read_text(encoding="utf-8").splitlines()
    row = json.loads(line)
    assert (row["thread_id"], row["title"], row["target_id"], row["target_title"], row["reason"]) == (
        duplicate.id, "Wifi drops every evening", target.id, "Connection drops at night", "Same evening drops")
    assert row["body"] == reading.question_post(duplicate).body
