"""A moderator's reason on PATCH/DELETE /posts/{id} (api.md v1.1), and title, tag and category changes
listed with body edits by GET /posts/{id}/revisions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.core.extensions import db
from forum.models import AuditEntry, Notification, NotificationKind
from forum.services import reading
from tests.api.support import assert_problem


@pytest.fixture
def thread(make, cast):
    return make.make_thread(author=cast["author"], title="Router drops every evening", tags=["wifi"])


@pytest.fixture
def reply(make, cast, thread):
    return make.make_reply(thread, author=cast["author"], body="Try channel 6.")


def audit_reasons(action: str) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.reason).where(AuditEntry.action == action)))


def notes_to(user) -> list[str]:
    return list(db.session.scalars(select(Notification.message).where(
        Notification.user_id == user.id, Notification.kind == NotificationKind.MODERATION.value)))


def revisions(call_as, post_id: int, who: str = "moderator") -> list[dict]:
    response = call_as(who).get(f"/api/v1/posts/{post_id}/revisions")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["items"]


@pytest.mark.parametrize("body", [{"body": "Try channel 1."}, {"body": "Try channel 1.", "reason": "  "},
                                  {"body": "Try channel 1.", "reason": None}])
def test_a_moderator_edit_without_a_reason_is_a_422_and_changes_nothing(call_as, cast, reply, body):
    assert_problem(call_as("moderator").patch(f"/api/v1/posts/{reply.id}", json=body), 422, "reason")
    assert call_as("author").get(f"/api/v1/posts/{reply.id}/revisions").get_json()["items"] == []
    assert audit_reasons("post.edit") == [] and notes_to(cast["author"]) == []


def test_a_moderator_edit_with_a_reason_reaches_the_revision_the_audit_log_and_the_author(call_as, cast, reply):
    response = call_as("moderator").patch(f"/api/v1/posts/{reply.id}",
                                          json={"body": "Try channel 1.", "reason": "Channel 6 is reserved"})
    assert response.status_code == 200 and response.get_json()["body"] == "Try channel 1."
    (revision,) = revisions(call_as, reply.id, "author")
    assert (revision["field"], revision["body"], revision["reason"]) == ("body", "Try channel 6.",
                                                                          "Channel 6 is reserved")
    assert revision["editor"]["id"] == cast["moderator"].id
    assert audit_reasons("post.edit") == ["Channel 6 is reserved"]
    assert notes_to(cast["author"]) == ["A moderator edited your post. Reason: Channel 6 is reserved"]


def test_a_reason_of_the_wrong_type_is_a_422(call_as, reply):
    assert_problem(call_as("moderator").patch(f"/api/v1/posts/{reply.id}", json={"body": "X y z", "reason": 5}),
                   422, "reason")
    assert_problem(call_as("moderator").delete(f"/api/v1/posts/{reply.id}", json={"reason": ["spam"]}), 422, "reason")


def test_authors_edit_without_a_reason_and_an_advocates_reason_is_kept(call_as, reply):
    assert call_as("author").patch(f"/api/v1/posts/{reply.id}", json={"body": "Try channel 11."}).status_code == 200
    response = call_as("advocate").patch(f"/api/v1/posts/{reply.id}",
                                         json={"body": "Try channel 11 (5 GHz).", "reason": "Band"})
    assert response.status_code == 200
    assert [(r["reason"], r["field"]) for r in revisions(call_as, reply.id)] == [(None, "body"), ("Band", "body")]
    assert call_as("advocate").patch(f"/api/v1/posts/{reply.id}", json={"body": "Channel 11."}).status_code == 200


def test_a_moderator_delete_needs_a_reason_in_the_json_body(call_as, cast, thread, reply):
    api = call_as("moderator")
    assert_problem(api.delete(f"/api/v1/posts/{reply.id}"), 422, "reason")
    assert_problem(api.delete(f"/api/v1/posts/{reply.id}", json={}), 422, "reason")
    assert call_as("member").get(f"/api/v1/threads/{thread.id}").get_json()["reply_count"] == 1
    response = api.delete(f"/api/v1/posts/{reply.id}", json={"reason": "Duplicate of the answer above"})
    assert response.status_code == 204 and response.get_data() == b""
    assert call_as("member").get(f"/api/v1/threads/{thread.id}").get_json()["reply_count"] == 0
    assert audit_reasons("post.delete") == ["Duplicate of the answer above"]
    assert notes_to(cast["author"]) == ["A moderator deleted your post. Reason: Duplicate of the answer above"]


def test_an_author_deletes_with_no_body_an_empty_body_or_a_json_one(call_as, make, cast, thread):
    posts = [make.make_reply(thread, author=cast["author"], body=f"Reply {n}") for n in range(3)]
    api = call_as("author")
    assert api.delete(f"/api/v1/posts/{posts[0].id}").status_code == 204
    assert api.delete(f"/api/v1/posts/{posts[1].id}", data=b"", content_type="application/json").status_code == 204
    assert api.delete(f"/api/v1/posts/{posts[2].id}", json={"reason": "Answered elsewhere"}).status_code == 204
    assert call_as("member").get(f"/api/v1/threads/{thread.id}").get_json()["reply_count"] == 0


@pytest.mark.parametrize(("data", "content_type", "status"), [
    (b"{not json", "application/json", 400), (b"[1, 2]", "application/json", 422),
    (b'"spam"', "application/json", 422), (b"reason=spam", "application/x-www-form-urlencoded", 415),
])
def test_a_malformed_delete_body_is_a_problem_never_a_500(call_as, thread, reply, data, content_type, status):
    assert_problem(call_as("author").delete(f"/api/v1/posts/{reply.id}", data=data, content_type=content_type), status)
    assert call_as("member").get(f"/api/v1/threads/{thread.id}").get_json()["reply_count"] == 1


def test_a_malformed_patch_body_is_a_400(call_as, reply):
    assert_problem(call_as("moderator").patch(f"/api/v1/posts/{reply.id}", data=b'{"body": "x", "reason"',
                                              content_type="application/json"), 400)


def test_thread_changes_are_listed_with_body_edits_in_order(call_as, make, cast, thread, clock_at):
    question = reading.question_post(thread)
    elsewhere = make.make_category(name="Hardware")
    category = thread.category.name
    clock_at.advance(minutes=1)
    edited = call_as("author").patch(f"/api/v1/posts/{question.id}", json={"body": "It drops at 8 pm."})
    assert edited.status_code == 200
    clock_at.advance(minutes=1)
    assert call_as("author").patch(f"/api/v1/threads/{thread.id}",
                                   json={"title": "Router drops at 8 pm", "tags": ["wifi"]}).status_code == 200
    clock_at.advance(minutes=1)
    response = call_as("moderator").patch(f"/api/v1/threads/{thread.id}", json={
        "category_id": elsewhere.id, "tags": ["wifi", "router"], "reason": "Hardware fault"})
    assert response.status_code == 200
    listed = revisions(call_as, question.id, "author")
    assert [(r["field"], r["body"], r["reason"]) for r in listed] == [
        ("body", "My router keeps dropping the connection every evening. What can I try?", None),
        ("title", "Router drops every evening", None),
        ("tags", "wifi", "Hardware fault"),
        ("category", category, "Hardware fault"),
    ]
    assert [r["editor"]["id"] for r in listed] == [cast["author"].id] * 2 + [cast["moderator"].id] * 2
    assert listed == sorted(listed, key=lambda r: (r["created_at"], r["id"]))


def test_unchanged_thread_values_make_no_revision(call_as, thread):
    question = reading.question_post(thread)
    same = {"title": "Router drops every evening", "tags": ["WiFi"], "category_id": thread.category_id}
    assert call_as("moderator").patch(f"/api/v1/threads/{thread.id}", json=same).status_code == 200
    assert revisions(call_as, question.id) == []


def test_a_thread_reason_must_be_text(call_as, thread):
    assert_problem(call_as("moderator").patch(f"/api/v1/threads/{thread.id}",
                                              json={"title": "A different title", "reason": 1}), 422, "reason")


def test_the_openapi_document_describes_the_reason_bodies(call_as):
    paths = call_as("anonymous").get("/api/v1/openapi.json").get_json()["paths"]
    for method in ("patch", "delete"):
        schema = paths["/posts/{post_id}"][method]["requestBody"]["content"]["application/json"]["schema"]
        assert "reason" in schema["properties"]
    assert paths["/posts/{post_id}"]["delete"]["requestBody"]["required"] is False
    thread_change = paths["/threads/{thread_id}"]["patch"]["requestBody"]["content"]["application/json"]["schema"]
    assert "reason" in thread_change["properties"]
