"""/api/v1/ideas, reading and posting (api.md v1.1): the board's list with its filters, sorts and cursors, one
idea, similar ideas while typing, and posting an idea, per role. Votes and staff changes: test_api_writes.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.core import clock
from forum.core.extensions import db
from forum.http import ratelimits
from forum.ideas import similar
from forum.models import Idea, IdeaStatus, User
from tests.api.support import assert_problem, walk_pages
from tests.queries import count_statements

IDEAS = "/api/v1/ideas"
FIELDS = {"id", "title", "body", "body_html", "tags", "status", "vote_count", "author", "status_note",
          "duplicate_of", "category_id", "reply_count", "created_at", "status_changed_at", "url"}


@pytest.fixture
def member(make) -> User:
    return make.make_user(username="milo")


def with_votes(idea: Idea, votes: int, status: IdeaStatus | None = None) -> Idea:
    """Set an idea's count (and status) directly: the list's order is what is tested here, not voting."""
    idea.vote_count = votes
    if status is not None:
        idea.status = status.value
        idea.duplicate_of_id = None
    db.session.commit()
    return idea


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


def new_idea(category_id: int, **fields) -> dict:
    return {"category_id": category_id, "title": "Dark mode for the dashboard",
            "body": "My eyes hurt in the evening.", "tags": ["ui"], **fields}


# --- the list --------------------------------------------------------------------------------------------------


def test_anyone_lists_ideas_most_voted_first_with_the_fields_api_md_names(api_client, make, ideas_category, idea):
    popular = with_votes(make.make_idea(category=ideas_category, title="Two-factor sign-in by app",
                                        tags=["security"]), 7)
    with_votes(idea, 3)
    response = api_client().get(IDEAS)
    assert ids(response) == [popular.id, idea.id]
    item = response.get_json()["items"][1]
    assert FIELDS <= set(item) and "voted" not in item  # voted is only for a signed-in caller
    assert item["title"] == "Export invoices as CSV" and item["status"] == "new" and item["vote_count"] == 3
    assert item["body"].startswith("Let me export") and "<p>" in item["body_html"]
    assert item["author"]["username"] == "owner" and item["category_id"] == ideas_category.id
    assert item["url"] == f"/t/{idea.id}/{idea.thread.slug}" and item["duplicate_of"] is None
    assert item["created_at"] == "2026-11-20T09:00:00Z" and item["status_changed_at"] is None
    assert response.get_json()["items"][0]["tags"] == ["security"]


def test_duplicates_are_left_out_unless_asked_for_and_status_filters(api_client, make, ideas_category, idea):
    planned = with_votes(make.make_idea(category=ideas_category), 1, IdeaStatus.PLANNED)
    merged = make.make_idea(category=ideas_category)
    merged.status, merged.duplicate_of_id = IdeaStatus.DUPLICATE.value, idea.id
    db.session.commit()
    client = api_client()
    assert set(ids(client.get(IDEAS))) == {idea.id, planned.id}
    assert ids(client.get(IDEAS, query_string={"status": "planned"})) == [planned.id]
    [item] = client.get(IDEAS, query_string={"status": "duplicate"}).get_json()["items"]
    assert item["id"] == merged.id and item["duplicate_of"] == idea.id


@pytest.mark.parametrize(("name", "value"), [("status", "open"), ("sort", "hot"), ("category", "no-such-category"),
                                             ("limit", "0"), ("cursor", "not-a-cursor")])
def test_an_unknown_filter_sort_or_page_is_a_422_naming_it(api_client, idea, name, value):
    assert_problem(api_client().get(IDEAS, query_string={name: value}), 422, name)


def test_sort_latest_lists_newest_first(api_client, make, clock_at, ideas_category, idea):
    clock_at.advance(hours=1)
    newer = make.make_idea(category=ideas_category)
    with_votes(idea, 5)
    assert ids(api_client().get(IDEAS, query_string={"sort": "latest"})) == [newer.id, idea.id]
    assert ids(api_client().get(IDEAS)) == [idea.id, newer.id]


def test_category_and_tag_filters(api_client, make, ideas_category, idea):
    tagged = make.make_idea(category=ideas_category, tags=["mobile"])
    elsewhere = make.make_idea(category=make.make_ideas_category(slug="partner-ideas"))
    client = api_client()
    assert set(ids(client.get(IDEAS, query_string={"category": "feature-ideas"}))) == {idea.id, tagged.id}
    assert ids(client.get(IDEAS, query_string={"category": str(elsewhere.thread.category_id)})) == [elsewhere.id]
    assert ids(client.get(IDEAS, query_string={"tag": "mobile"})) == [tagged.id]


def test_a_hidden_idea_is_left_out_and_answers_404(api_client, make, ideas_category, idea, member, staff):
    gone = make.make_idea(category=ideas_category, title="An idea its thread's deletion hid")
    gone.thread.deleted_at = clock.now()
    db.session.commit()
    assert ids(api_client(member).get(IDEAS)) == [idea.id]
    assert_problem(api_client(member).get(f"{IDEAS}/{gone.id}"), 404)
    assert_problem(api_client().get(f"{IDEAS}/{gone.id}"), 404)


@pytest.mark.parametrize("sort", ["votes", "latest"])
def test_cursor_paging_walks_every_idea_once(api_client, make, clock_at, ideas_category, sort):
    made = []
    for number in range(7):
        made.append(with_votes(make.make_idea(category=ideas_category), number % 3))  # ties on votes
        if number % 2:
            clock_at.advance(minutes=1)  # and ties on time
    pages = walk_pages(api_client(), IDEAS, limit=2, sort=sort)
    seen = [item["id"] for page in pages for item in page]
    assert len(pages) == 4 and sorted(seen) == sorted(idea.id for idea in made)
    if sort == "votes":
        assert [item["vote_count"] for page in pages for item in page] == sorted(
            (idea.vote_count for idea in made), reverse=True)


def _list_statements(client) -> int:
    with count_statements() as statements:
        assert client.get(IDEAS, query_string={"limit": 50}).status_code == 200
    return len(statements)


def test_the_list_runs_the_same_statements_for_3_and_30_ideas(api_client, make, ideas_category, member):
    for _ in range(3):
        make.make_idea(category=ideas_category, tags=["ui", "mobile"])
    anonymous, signed_in = api_client(), api_client(member)
    _list_statements(signed_in)  # the token's first use is written down once; count the calls after it
    few = (_list_statements(anonymous), _list_statements(signed_in))
    authors = [make.make_user() for _ in range(9)]
    for number in range(27):
        make.make_idea(author=authors[number % 9], category=ideas_category, tags=[f"tag-{number}"])
    assert (_list_statements(anonymous), _list_statements(signed_in)) == few


# --- one idea --------------------------------------------------------------------------------------------------


def test_one_idea_for_anyone_with_voted_for_a_signed_in_caller(api_client, idea, member):
    anonymous = api_client().get(f"{IDEAS}/{idea.id}")
    assert anonymous.status_code == 200 and FIELDS <= set(anonymous.get_json())
    assert "voted" not in anonymous.get_json() and anonymous.get_json()["title"] == "Export invoices as CSV"
    assert api_client(member).get(f"{IDEAS}/{idea.id}").get_json()["voted"] is False


def test_a_question_or_unknown_id_is_not_an_idea(api_client, make, member):
    question = make.make_thread(title="How do I export my invoices?")
    assert_problem(api_client(member).get(f"{IDEAS}/{question.id}"), 404)
    assert_problem(api_client().get(f"{IDEAS}/999999"), 404)


def test_similar_ideas_is_its_own_route_and_reads_back_only_visible_ideas(app, api_client, monkeypatch, idea, member):
    client, idea_id = api_client(member), idea.id  # the provider runs inside requests: no ORM object in it
    monkeypatch.delitem(app.extensions, similar.EXTENSION, raising=False)
    assert client.get(f"{IDEAS}/similar", query_string={"title": "Export invoices please"}).get_json() == {
        "items": []}  # no search provider: nothing suggested, and never a 404 from /ideas/<id>
    monkeypatch.setitem(app.extensions, similar.EXTENSION, lambda viewer, title, limit: [999999, idea_id])
    answer = client.get(f"{IDEAS}/similar", query_string={"title": "Export invoices please", "limit": 3})
    assert [item["id"] for item in answer.get_json()["items"]] == [idea_id]
    assert answer.get_json()["items"][0]["voted"] is False
    assert client.get(f"{IDEAS}/similar", query_string={"title": "CSV"}).get_json() == {"items": []}
    refused = client.get(f"{IDEAS}/similar", query_string={"title": "Export invoices", "limit": "x"})
    assert_problem(refused, 422, "limit")


# --- posting ---------------------------------------------------------------------------------------------------


def test_a_member_posts_an_idea(api_client, ideas_category, member):
    response = api_client(member).post(IDEAS, json=new_idea(ideas_category.id))
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert response.headers["Location"] == f"{IDEAS}/{created['id']}"
    assert (created["status"], created["vote_count"], created["tags"]) == ("new", 0, ["ui"])
    assert created["author"]["username"] == "milo" and created["voted"] is False
    assert ids(api_client().get(IDEAS)) == [created["id"]]


def test_posting_needs_a_signed_in_active_member(api_client, ideas_category, member):
    assert_problem(api_client().post(IDEAS, json=new_idea(ideas_category.id)), 401)
    member.suspended_until = clock.now() + timedelta(days=3)
    db.session.commit()
    assert_problem(api_client(member).post(IDEAS, json=new_idea(ideas_category.id)), 403)
    assert db.session.query(Idea).count() == 0


def test_an_idea_goes_only_into_an_ideas_category(api_client, make, ideas_category, member):
    questions = make.make_category(slug="billing")
    assert_problem(api_client(member).post(IDEAS, json=new_idea(questions.id)), 422, "category_id")
    assert_problem(api_client(member).post(IDEAS, json=new_idea(ideas_category.id, title="")), 422, "title")
    assert_problem(api_client(member).post(IDEAS, json={"title": "Dark mode for everything"}), 422, "category_id")
    assert db.session.query(Idea).count() == 0


def test_posting_spends_the_new_thread_budget_and_votes_the_vote_budget():
    assert ratelimits.budget_of("api.create_idea") is ratelimits.NEW_THREAD
    assert ratelimits.budget_of("api.vote_idea") is ratelimits.budget_of("api.withdraw_idea_vote") is ratelimits.VOTE


def test_the_openapi_document_describes_the_idea_and_its_routes(api_client):
    spec = api_client().get("/api/v1/openapi.json").get_json()
    assert set(spec["components"]["schemas"]["Idea"]["properties"]) == FIELDS | {"voted"}
    assert set(spec["paths"]["/ideas/{idea_id}/votes"]) == {"post", "delete"}
    assert "409" in spec["paths"]["/ideas/{idea_id}/votes"]["post"]["responses"]
