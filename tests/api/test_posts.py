"""Replies (GET/POST /threads/{id}/posts), edits with revisions (PATCH /posts/{id}, GET .../revisions)
and soft deletion (DELETE /posts/{id})."""

from __future__ import annotations

import pytest

from forum.services import reading
from tests.api.support import assert_problem, walk_pages


@pytest.fixture
def thread(make, cast):
    return make.make_thread(author=cast["author"])


@pytest.fixture
def reply(make, cast, thread):
    return make.make_reply(thread, author=cast["author"], body="Try channel 6.")


def lock(call_as, thread) -> None:
    assert call_as("moderator").patch(f"/api/v1/threads/{thread.id}", json={"locked": True}).status_code == 200


# --- replies -------------------------------------------------------------------------------------


def test_replies_come_oldest_first_and_page_through_every_one_once(call_as, make, thread, clock_at):
    made = []
    for n in range(5):
        clock_at.advance(seconds=1)
        made.append(make.make_reply(thread, body=f"Reply number {n}").id)
    pages = walk_pages(call_as("anonymous"), f"/api/v1/threads/{thread.id}/posts")
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [post["id"] for page in pages for post in page] == made
    first = pages[0][0]
    assert first["thread_id"] == thread.id and first["body"] == "Reply number 0" and first["hidden"] is False


@pytest.mark.parametrize("who", ["member", "author", "moderator"])
def test_signed_in_users_reply(call_as, cast, thread, who):
    response = call_as(who).post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Have you tried **5 GHz**?"})
    assert response.status_code == 201
    post = response.get_json()
    assert post["author"]["id"] == cast[who].id and "<strong>5 GHz</strong>" in post["body_html"]
    assert post["is_staff"] is (who == "moderator")
    listed = call_as("anonymous").get(f"/api/v1/threads/{thread.id}/posts").get_json()["items"]
    assert [p["id"] for p in listed] == [post["id"]]
    assert call_as("anonymous").get(f"/api/v1/threads/{thread.id}").get_json()["reply_count"] == 1


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("member", 403), ("author", 403),
                                             ("moderator", 201)])
def test_only_moderators_reply_to_a_locked_thread(call_as, thread, who, status):
    lock(call_as, thread)
    response = call_as(who).post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Me too!"})
    assert response.status_code == status
    if status != 201:
        assert_problem(response, status)


@pytest.mark.parametrize(("body", "field"), [({"body": ""}, "body"), ({"body": "  \n"}, "body"), ({}, "body"),
                                             ({"body": 42}, "body"), ({"body": ["hi"]}, "body"),
                                             ({"body": "x" * 70_000}, "body")])
def test_bad_replies_are_a_422(call_as, thread, body, field):
    assert_problem(call_as("member").post(f"/api/v1/threads/{thread.id}/posts", json=body), 422, field)


def test_replying_to_a_missing_or_deleted_thread_is_a_404(call_as, cast, thread):
    call_as("moderator").delete(f"/api/v1/posts/{reading.question_post(thread).id}", json={"reason": "Spam"})
    for url in (f"/api/v1/threads/{thread.id}/posts", "/api/v1/threads/999999/posts"):
        assert_problem(call_as("member").post(url, json={"body": "Hello?"}), 404)
        assert_problem(call_as("member").get(url), 404)


# --- editing and revisions -----------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("other", 403), ("author", 200),
                                             ("moderator", 200), ("admin", 200)])
def test_authors_and_moderators_edit_posts(call_as, reply, who, status):
    reason = {} if who in ("author", "other", "anonymous") else {"reason": "Channel 6 is reserved"}
    response = call_as(who).patch(f"/api/v1/posts/{reply.id}", json={"body": "Try channel *11*.", **reason})
    if status != 200:
        assert_problem(response, status)
        return
    edited = response.get_json()
    assert edited["body"] == "Try channel *11*." and "<em>11</em>" in edited["body_html"]
    assert edited["edited_at"] is not None and edited["edited_at"].endswith("Z")


def test_authors_cannot_edit_in_a_locked_thread(call_as, thread, reply):
    lock(call_as, thread)
    assert_problem(call_as("author").patch(f"/api/v1/posts/{reply.id}", json={"body": "Changed my mind."}), 403)


@pytest.mark.parametrize("body", [{"body": ""}, {"body": None}, {"text": "wrong field"}, {"body": 3}])
def test_bad_edits_are_a_422(call_as, reply, body):
    assert_problem(call_as("author").patch(f"/api/v1/posts/{reply.id}", json=body), 422, "body")


def test_every_edit_keeps_the_previous_body_as_a_revision(call_as, cast, reply, clock_at):
    call_as("author").patch(f"/api/v1/posts/{reply.id}", json={"body": "Try channel 11."})
    clock_at.advance(minutes=5)
    call_as("moderator").patch(f"/api/v1/posts/{reply.id}", json={"body": "Try channel 1.", "reason": "Reserved"})
    for outsider in ("anonymous", "member"):  # old versions may hold what the author removed on purpose
        assert_problem(call_as(outsider).get(f"/api/v1/posts/{reply.id}/revisions"), 404)
    response = call_as("author").get(f"/api/v1/posts/{reply.id}/revisions")
    assert response.status_code == 200
    revisions = response.get_json()["items"]
    assert [r["body"] for r in revisions] == ["Try channel 6.", "Try channel 11."]
    assert [r["editor"]["id"] for r in revisions] == [cast["author"].id, cast["moderator"].id]
    assert all(r["created_at"].endswith("Z") for r in revisions)


def test_a_post_never_edited_has_no_revisions(call_as, reply):
    assert call_as("author").get(f"/api/v1/posts/{reply.id}/revisions").get_json()["items"] == []


@pytest.mark.parametrize("post_id", ["999999", "0", "99999999999999999999"])
def test_unknown_posts_are_a_404(call_as, db, post_id):
    api = call_as("moderator")
    assert_problem(api.patch(f"/api/v1/posts/{post_id}", json={"body": "Hello there"}), 404)
    assert_problem(api.get(f"/api/v1/posts/{post_id}/revisions"), 404)
    assert_problem(api.delete(f"/api/v1/posts/{post_id}"), 404)


# --- deleting ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("other", 403), ("author", 204),
                                             ("moderator", 204), ("admin", 204)])
def test_authors_and_moderators_delete_posts(call_as, thread, reply, who, status):
    reason = {"json": {"reason": "Duplicate"}} if who in ("moderator", "admin") else {}
    response = call_as(who).delete(f"/api/v1/posts/{reply.id}", **reason)
    assert response.status_code == status
    if status != 204:
        assert_problem(response, status)
        return
    assert response.get_data() == b""
    assert call_as("member").get(f"/api/v1/threads/{thread.id}").get_json()["reply_count"] == 0


def test_a_deleted_post_is_hidden_from_members_but_shown_to_moderators(call_as, thread, reply):
    call_as("author").delete(f"/api/v1/posts/{reply.id}")
    for who in ("anonymous", "member", "author"):
        api = call_as(who)
        assert api.get(f"/api/v1/threads/{thread.id}/posts").get_json()["items"] == []
        assert_problem(api.get(f"/api/v1/posts/{reply.id}/revisions"), 404)
    assert_problem(call_as("author").patch(f"/api/v1/posts/{reply.id}", json={"body": "Undo!"}), 404)
    assert_problem(call_as("author").delete(f"/api/v1/posts/{reply.id}"), 404)
    shown = call_as("moderator").get(f"/api/v1/threads/{thread.id}/posts").get_json()["items"]
    assert [(p["id"], p["hidden"]) for p in shown] == [(reply.id, True)]
    assert call_as("moderator").get(f"/api/v1/posts/{reply.id}/revisions").status_code == 200


def test_deleting_the_question_removes_the_thread_from_view(call_as, thread):
    question = reading.question_post(thread)
    assert call_as("author").delete(f"/api/v1/posts/{question.id}").status_code == 204
    assert_problem(call_as("member").get(f"/api/v1/threads/{thread.id}"), 404)
    assert call_as("moderator").get(f"/api/v1/threads/{thread.id}").status_code == 200
