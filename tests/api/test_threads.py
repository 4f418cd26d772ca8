"""GET/POST /threads and GET/PATCH /threads/{id}."""

from __future__ import annotations

import re

import pytest

from forum.services import posting, reading
from tests.api.support import assert_problem

RFC3339_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def category(make):
    return make.make_category(slug="routers")


@pytest.fixture
def thread(make, cast, category):
    return make.make_thread(author=cast["author"], category=category, tags=["wifi"])


def new_thread(category, **change) -> dict:
    return {"category_id": category.id, "title": "Router drops wifi at night", "body": "Every evening at 9.",
            "tags": ["wifi", "Router"], "kind": "question", **change}


def listed_ids(client, **params) -> list[int]:
    response = client.get("/api/v1/threads", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


# --- POST /threads -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "advocate", "moderator", "admin"])
def test_signed_in_users_start_threads(call_as, cast, category, who):
    response = call_as(who).post("/api/v1/threads", json=new_thread(category))
    assert response.status_code == 201
    created = response.get_json()
    assert created["title"] == "Router drops wifi at night" and created["status"] == "open"
    assert created["author"]["id"] == cast[who].id and created["tags"] == ["router", "wifi"]
    assert created["first_post"]["body"] == "Every evening at 9." and "<p>" in created["first_post"]["body_html"]
    assert RFC3339_Z.match(created["created_at"]) and RFC3339_Z.match(created["last_activity_at"])
    shown = call_as("anonymous").get(f"/api/v1/threads/{created['id']}").get_json()
    assert shown["first_post"]["id"] == created["first_post"]["id"]


def test_anonymous_cannot_start_a_thread(call_as, category):
    assert_problem(call_as("anonymous").post("/api/v1/threads", json=new_thread(category)), 401)


def test_fields_a_caller_may_not_set_are_ignored(call_as, cast, category):
    body = new_thread(category, author_id=cast["admin"].id, status="solved", pinned=True, reply_count=40, id=1)
    created = call_as("member").post("/api/v1/threads", json=body).get_json()
    assert created["author"]["id"] == cast["member"].id
    assert created["status"] == "open" and created["pinned"] is False and created["reply_count"] == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "short"}, "title"),
        ({"title": None}, "title"),
        ({"title": 123456789}, "title"),
        ({"body": "   "}, "body"),
        ({"body": "x" * (posting.MAX_BODY_BYTES + 1)}, "body"),
        ({"body": {"text": "hi"}}, "body"),
        ({"category_id": 999999}, "category_id"),
        ({"category_id": "1"}, "category_id"),
        ({"category_id": -1}, "category_id"),
        ({"category_id": 0}, "category_id"),
        ({"category_id": 10**20}, "category_id"),
        ({"category_id": 1.5}, "category_id"),
        ({"category_id": True}, "category_id"),
        ({"tags": "wifi"}, "tags"),
        ({"tags": [1, 2]}, "tags"),
        ({"tags": [["wifi"]]}, "tags"),
        ({"tags": ["not a tag!"]}, "tags"),
        ({"tags": ["a", "b", "c", "d", "e", "f"]}, "tags"),
        ({"kind": "poll"}, "kind"),
        ({"kind": 1}, "kind"),
    ],
)
def test_bad_thread_fields_are_a_422_naming_the_field(call_as, category, change, field):
    assert_problem(call_as("member").post("/api/v1/threads", json=new_thread(category, **change)), 422, field)


# --- GET /threads/{id} ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "member", "moderator"])
def test_anyone_reads_a_thread_with_its_first_post(call_as, thread, who):
    response = call_as(who).get(f"/api/v1/threads/{thread.id}")
    assert response.status_code == 200
    shown = response.get_json()
    assert shown["id"] == thread.id and shown["tags"] == ["wifi"] and shown["kind"] == "question"
    assert shown["first_post"]["thread_id"] == thread.id
    assert set(shown) >= {"category_id", "status", "solved_by", "author", "reply_count", "vote_count",
                          "me_too_count", "accepted_post_id", "case", "locked", "pinned"}


@pytest.mark.parametrize(("who", "status"), [("anonymous", 404), ("member", 404), ("author", 404),
                                             ("moderator", 200), ("admin", 200)])
def test_a_deleted_thread_is_visible_only_to_moderators(call_as, cast, thread, who, status):
    posting.delete_post(cast["moderator"], reading.question_post(thread), reason="Spam")
    response = call_as(who).get(f"/api/v1/threads/{thread.id}")
    assert response.status_code == status
    if status == 404:
        assert_problem(response, 404)
        assert thread.id not in listed_ids(call_as(who))
    else:
        assert thread.id in listed_ids(call_as(who))


@pytest.mark.parametrize("thread_id", ["999999", "0", "-3", "99999999999999999999999", "one"])
def test_unknown_thread_is_a_404(call_as, db, thread_id):
    assert_problem(call_as("member").get(f"/api/v1/threads/{thread_id}"), 404)


# --- PATCH /threads/{id} -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "change", "status"),
    [
        ("anonymous", {"title": "A better title for this"}, 401),
        ("other", {"title": "A better title for this"}, 403),
        ("author", {"title": "A better title for this"}, 200),
        ("author", {"tags": ["router", "night"]}, 200),
        ("author", {"locked": True}, 403),
        ("author", {"pinned": True}, 403),
        ("author", {"category_id": "new"}, 403),
        ("other", {"locked": True}, 403),
        ("moderator", {"title": "A better title for this"}, 200),
        ("moderator", {"locked": True}, 200),
        ("moderator", {"pinned": True}, 200),
        ("moderator", {"category_id": "new"}, 200),
        ("admin", {"locked": True, "pinned": True}, 200),
    ],
)
def test_authors_edit_title_and_tags_and_moderators_everything(call_as, make, thread, who, change, status):
    if change.get("category_id") == "new":
        change = {"category_id": make.make_category().id}
    response = call_as(who).patch(f"/api/v1/threads/{thread.id}", json=change)
    if status != 200:
        assert_problem(response, status)
        return
    changed = response.get_json()
    for name, value in change.items():
        assert changed[name] == (sorted(value) if name == "tags" else value)
    assert call_as("anonymous").get(f"/api/v1/threads/{thread.id}").get_json()["title"] == changed["title"]


def test_a_refused_patch_changes_nothing(call_as, thread):
    assert_problem(call_as("author").patch(f"/api/v1/threads/{thread.id}",
                                           json={"title": "Sneaky new title", "locked": True}), 403)
    shown = call_as("anonymous").get(f"/api/v1/threads/{thread.id}").get_json()
    assert shown["title"] == thread.title and shown["locked"] is False


def test_authors_cannot_edit_a_locked_thread(call_as, thread):
    assert call_as("moderator").patch(f"/api/v1/threads/{thread.id}", json={"locked": True}).status_code == 200
    assert_problem(call_as("author").patch(f"/api/v1/threads/{thread.id}", json={"title": "Still my question"}), 403)


def test_patch_ignores_fields_nobody_may_set(call_as, cast, thread):
    response = call_as("author").patch(f"/api/v1/threads/{thread.id}",
                                       json={"title": "A better title for this", "author_id": cast["admin"].id,
                                             "status": "solved", "reply_count": 99})
    assert response.status_code == 200
    changed = response.get_json()
    assert changed["author"]["id"] == cast["author"].id
    assert changed["status"] == "open" and changed["reply_count"] == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "short"}, "title"),
        ({"title": 5}, "title"),
        ({"tags": "wifi"}, "tags"),
        ({"tags": [None, 3]}, "tags"),
        ({"tags": ["bad tag"]}, "tags"),
        ({"category_id": 999999}, "category_id"),
        ({"category_id": "routers"}, "category_id"),
        ({"category_id": 10**20}, "category_id"),
        ({"locked": "yes"}, "locked"),
        ({"pinned": 1}, "pinned"),
    ],
)
def test_bad_patch_fields_are_a_422_naming_the_field(call_as, thread, change, field):
    assert_problem(call_as("moderator").patch(f"/api/v1/threads/{thread.id}", json=change), 422, field)


def test_patching_an_invisible_thread_is_a_404(call_as, cast, thread):
    posting.delete_post(cast["moderator"], reading.question_post(thread), reason="Spam")
    assert_problem(call_as("author").patch(f"/api/v1/threads/{thread.id}", json={"title": "Back from the dead"}),
                   404)
