"""Search through the page and the API: only visible threads, clear messages, never an error page."""

from __future__ import annotations

import pytest

from forum import cases
from forum.services import posting, qa, reading
from tests.search.helpers import WHOOSH_ONLY


@pytest.fixture
def indexed(make, search_index):
    category = make.make_category(name="Connectivity", slug="connectivity")
    kept = make.make_thread(category=category, title="Router drops wifi at night", tags=["wifi"])
    removed = make.make_thread(category=category, title="Router makes a buzzing noise")
    solved = make.make_thread(category=category, title="Router firmware update fails")
    qa.accept_solution(solved.author, solved, make.make_reply(solved, body="Use the recovery button."))
    ix = search_index()
    posting.delete_post(removed.author, reading.question_post(removed))  # index still holds it: stale
    return {"kept": kept, "removed": removed, "solved": solved, "ix": ix}


def test_api_search_returns_ranked_visible_threads_with_highlights(api_client, indexed):
    body = api_client().get("/api/v1/search", query_string={"q": "router"}).get_json()
    ids = [item["thread"]["id"] for item in body["items"]]
    assert set(ids) == {indexed["kept"].id, indexed["solved"].id}
    assert ids[0] == indexed["solved"].id  # solved threads rank first
    first = body["items"][0]
    assert first["post_id"] == indexed["solved"].accepted_post_id
    assert "<mark" in first["highlight"]


def test_a_stale_index_never_shows_a_deleted_thread_but_moderators_see_it(api_client, make, indexed):
    moderator = make.make_user("moderator")
    everyone = [i["thread"]["id"] for i in api_client().get("/api/v1/search?q=buzzing").get_json()["items"]]
    staff = [i["thread"]["id"] for i in api_client(moderator).get("/api/v1/search?q=buzzing").get_json()["items"]]
    assert everyone == [] and staff == [indexed["removed"].id]


def test_api_filters_by_parameters(api_client, indexed):
    body = api_client().get("/api/v1/search", query_string={"q": "router", "tag": "wifi"}).get_json()
    assert [item["thread"]["id"] for item in body["items"]] == [indexed["kept"].id]
    body = api_client().get("/api/v1/search", query_string={"q": "router", "status": "solved"}).get_json()
    assert [item["thread"]["id"] for item in body["items"]] == [indexed["solved"].id]


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "x"}, {"page": "-1"}, {"page": "999"}])
def test_api_bad_paging_is_a_422(api_client, indexed, params):
    response = api_client().get("/api/v1/search", query_string={"q": "router", **params})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("q", ['"open quote', "x" * 10_000, "title:secret", "is:nonsense", "(", "*"])
def test_malformed_queries_never_break_the_page_or_the_api(client, api_client, indexed, q):
    assert client.get("/search", query_string={"q": q}).status_code == 200
    assert api_client().get("/api/v1/search", query_string={"q": q}).status_code == 200


def test_similar_questions_are_solved_threads(api_client, indexed):
    body = api_client().get("/api/v1/search/similar", query_string={"title": "router update keeps failing"}).get_json()
    assert [item["id"] for item in body["items"]] == [indexed["solved"].id]


def test_a_thread_reopened_since_it_was_indexed_is_not_offered_as_solved(api_client, indexed):
    solved = indexed["solved"]
    qa.unaccept_solution(solved.author, solved)  # the worker has not re-indexed it yet: the index says solved
    body = api_client().get("/api/v1/search/similar", query_string={"title": "router update keeps failing"}).get_json()
    assert body["items"] == []


def test_search_page_shows_snippets_and_facets(client, indexed):
    page = client.get("/search", query_string={"q": "router"}).get_data(as_text=True)
    assert "Router firmware update fails" in page and "<mark" in page
    assert "Connectivity</a> (2)" in page.replace("\n", "").replace("  ", "")


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_search_page_offers_did_you_mean(client, indexed):
    typo = client.get("/search", query_string={"q": "ruoter"}).get_data(as_text=True)
    assert "Did you mean" in typo and "router" in typo


def test_search_page_escapes_user_text(client, make, search_index):
    make.make_thread(title="Odd <img src=x onerror=alert(1)> title here", body="alarming snippet text")
    search_index()
    page = client.get("/search", query_string={"q": "alarming <script>"}).get_data(as_text=True)
    assert "<img src=x" not in page and "<script>" not in page


def test_api_search_costs_the_same_queries_for_more_results(make, search_index, count_queries):
    def add(count: int) -> None:
        for n in range(count):
            make.make_thread(title=f"Modem number {n} keeps rebooting")
            escalated = make.make_thread(title=f"Modem case {n} keeps rebooting")
            cases.escalate_thread(escalated.author, escalated, "Still broken")
        search_index()

    add(1)
    few = count_queries("/api/v1/search?q=modem")
    add(4)
    many = count_queries("/api/v1/search?q=modem")
    assert many == few
