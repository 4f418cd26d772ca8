"""POST /api/v1/preview and GET/PUT/DELETE /api/v1/drafts/{key}, per caller."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.http.ratelimits import limiter
from forum.services import posting, reading
from forum.writing import drafts
from moderation.services import suspensions


@pytest.fixture
def thread(make):
    return make.make_thread()


def _url(thread) -> str:
    return f"/api/v1/drafts/reply-{thread.id}"


def test_anonymous_callers_get_401_everywhere(api_client, thread):
    client = api_client()
    for response in (client.get(_url(thread)), client.put(_url(thread), json={"body": "x"}),
                     client.delete(_url(thread)), client.post("/api/v1/preview", json={"body": "x"})):
        assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_the_owner_saves_reads_and_discards_a_draft(api_client, make, thread, clock_at):
    member = make.make_user()
    client = api_client(member)
    assert client.get(_url(thread)).status_code == 404  # nothing saved yet
    saved = client.put(_url(thread), json={"body": "Have you tried **turning it off**?"})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json() == {"key": f"reply-{thread.id}", "title": "", "body": "Have you tried **turning it off**?",
                                "updated_at": "2026-11-20T09:00:00Z"}
    assert client.get(_url(thread)).get_json()["body"] == "Have you tried **turning it off**?"
    assert client.delete(_url(thread)).status_code == 204
    assert client.get(_url(thread)).status_code == 404
    assert client.delete(_url(thread)).status_code == 204  # discarding twice is no error


def test_another_member_cannot_read_or_discard_someone_else_s_draft(api_client, make, thread):
    owner, other = make.make_user(), make.make_user()
    api_client(owner).put(_url(thread), json={"body": "Mine"})
    assert api_client(other).get(_url(thread)).status_code == 404
    assert api_client(other).delete(_url(thread)).status_code == 204  # their own (absent) draft
    assert api_client(owner).get(_url(thread)).get_json()["body"] == "Mine"


def test_a_question_draft_has_a_title(api_client, make):
    category, member = make.make_category(), make.make_user()
    answer = api_client(member).put(f"/api/v1/drafts/question-{category.id}",
                                    json={"body": "It broke", "title": "Printer on fire"})
    assert answer.status_code == 200 and answer.get_json()["title"] == "Printer on fire"


def test_a_suspended_member_is_refused_saving_but_reads(api_client, make, thread, clock_at):
    member, moderator = make.make_user(), make.make_user(role="moderator")
    client = api_client(member)
    client.put(_url(thread), json={"body": "Before"})
    suspensions.suspend_user(moderator, member, suspensions.SuspensionInput(clock_at.now + timedelta(days=2), "x"))
    refused = client.put(_url(thread), json={"body": "During"})
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert client.delete(_url(thread)).status_code == 403
    assert client.get(_url(thread)).get_json()["body"] == "Before"


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"body": "x" * (posting.MAX_BODY_BYTES + 1)}, 422, "body"),
    ({"body": 5}, 422, "body"),
    ({"title": "no body"}, 422, "body"),
    ({"body": "ok", "title": ["no"]}, 422, "title"),
])
def test_bad_draft_bodies_are_422_problems(api_client, make, thread, body, status, field):
    answer = api_client(make.make_user()).put(_url(thread), json=body)
    assert answer.status_code == status and field in answer.get_json()["errors"]


def test_keys_naming_nothing_or_what_the_member_may_not_write(api_client, make, thread):
    member = make.make_user()
    client = api_client(member)
    assert client.put("/api/v1/drafts/reply-abc", json={"body": "x"}).status_code == 404
    assert client.get("/api/v1/drafts/nonsense").status_code == 404
    question = reading.question_post(thread)
    assert client.put(f"/api/v1/drafts/edit-{question.id}", json={"body": "x"}).status_code == 403
    assert api_client(thread.author).put(f"/api/v1/drafts/edit-{question.id}", json={"body": "x"}).status_code == 200


def test_publishing_through_the_api_discards_the_reply_draft(api_client, make, thread):
    member = make.make_user()
    client = api_client(member)
    client.put(_url(thread), json={"body": "Almost done"})
    assert client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Done now"}).status_code == 201
    assert client.get(_url(thread)).status_code == 404
    assert drafts.drafts_of(member) == []


def test_preview_renders_like_a_post(api_client, make):
    client = api_client(make.make_user())
    answer = client.post("/api/v1/preview", json={"body": "**hi** <img src=x onerror=alert(1)>"})
    assert answer.status_code == 200
    html = answer.get_json()["body_html"]
    assert "<strong>hi</strong>" in html and "<img" not in html
    too_long = client.post("/api/v1/preview", json={"body": "x" * (posting.MAX_BODY_BYTES + 1)})
    assert too_long.status_code == 413 and too_long.mimetype == "application/problem+json"
    assert client.post("/api/v1/preview", json={"text": "x"}).status_code == 422


def test_preview_is_rate_limited_pages_and_api_together(api_client, make, login_as):
    member = make.make_user()
    client = api_client(member)
    limiter.enabled = True
    limiter.reset()
    try:
        statuses = [client.post("/api/v1/preview", json={"body": "x"}).status_code for _ in range(60)]
        assert statuses == [200] * 60
        refused = client.post("/api/v1/preview", json={"body": "x"})
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        assert login_as(member).post("/preview", data={"body": "x"}).status_code == 429  # one budget
    finally:
        limiter.reset()
        limiter.enabled = False


def test_autosave_is_rate_limited_so_a_runaway_script_cannot_write_without_end(api_client, make, thread):
    client = api_client(make.make_user())
    limiter.enabled = True
    limiter.reset()
    try:
        statuses = [client.put(_url(thread), json={"body": f"draft {n}"}).status_code for n in range(60)]
        assert statuses == [200] * 60
        refused = client.put(_url(thread), json={"body": "one too many"})
        assert refused.status_code == 429
        assert client.get(_url(thread)).get_json()["body"] == "draft 59"  # the refused save stored nothing
    finally:
        limiter.reset()
        limiter.enabled = False


def test_the_routes_are_documented(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/drafts/{key}"]) == {"get", "put", "delete"}
    assert "post" in paths["/preview"]
