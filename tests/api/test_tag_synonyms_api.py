"""The API files a synonym under its tag, as the ask form does (POST /threads, PATCH /threads/{id})."""

from __future__ import annotations

from sqlalchemy import select

from forum import tagging
from forum.core.extensions import db
from forum.models import Tag


def test_post_and_patch_threads_map_synonyms_to_their_tag_and_keep_each_tag_once(call_as, cast, make):
    category = make.make_category(slug="accounts")
    make.make_thread(category=category, tags=["password"])
    password = db.session.scalar(select(Tag).where(Tag.name == "password"))
    tagging.add_synonym(cast["admin"], password, "pwd")
    client = call_as("author")
    response = client.post("/api/v1/threads", json={
        "category_id": category.id, "title": "Forgot my pwd again today", "body": "How do I reset it?",
        "tags": ["Pwd", "password", "login"], "kind": "question"})
    assert response.status_code == 201, response.get_data(as_text=True)
    thread = response.get_json()
    assert sorted(thread["tags"]) == ["login", "password"]
    changed = client.patch(f"/api/v1/threads/{thread['id']}", json={"tags": ["PWD", "wifi"]})
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert sorted(changed.get_json()["tags"]) == ["password", "wifi"]
    assert db.session.scalar(select(Tag).where(Tag.name == "pwd")) is None
    six = client.post("/api/v1/threads", json={
        "category_id": category.id, "title": "Six names but five tags", "body": "Counted after mapping.",
        "tags": ["pwd", "password", "a1", "b2", "c3", "d4"], "kind": "question"})
    assert six.status_code == 201, six.get_data(as_text=True)


def test_the_thread_list_and_the_tag_feed_answer_a_synonym_with_its_tag(client, call_as, cast, make):
    tagged = make.make_thread(title="Password reset mail never arrives", tags=["password"])
    make.make_thread(title="Router keeps rebooting at night", tags=["wifi"])
    tagging.add_synonym(cast["admin"], db.session.scalar(select(Tag).where(Tag.name == "password")), "pwd")
    listed = call_as("author").get("/api/v1/threads?tag=PWD").get_json()["items"]
    assert [item["id"] for item in listed] == [tagged.id]
    feed = client.get("/tags/pwd/feed.atom")
    assert feed.status_code == 200 and "Password reset mail never arrives" in feed.get_data(as_text=True)
    assert "Router keeps rebooting" not in feed.get_data(as_text=True)
