"""The ask page suggests as many as the community setting search.similar_shown (10 by default, 1..10), each
with its kind; and GET /api/v1/search pages by cursor/next_cursor as well as page/next_page (api.md v1.1)."""

from __future__ import annotations

import pytest

from forum.services import community_settings, qa, suggestions

TITLE = "Thermostat display goes blank"


@pytest.fixture
def solved_many(make, search_index):
    """12 solved threads about the same thing: more than the ask page may show."""
    threads = []
    for n in range(12):
        thread = make.make_thread(title=f"{TITLE} after update {n}", body="The thermostat display is blank.")
        qa.accept_solution(thread.author, thread, make.make_reply(thread, body="Replace the thermostat battery."))
        threads.append(thread)
    search_index()
    return threads


def test_the_ask_page_suggests_up_to_the_setting_with_each_kind(solved_many, make):
    found = suggestions.similar_questions(make.make_user(), f"My {TITLE.lower()}")
    assert len(found) == 10
    assert {(s.kind, s.detail) for s in found} == {("thread", "Solved · 1 reply")}
    community_settings.update_settings_from_console({"search.similar_shown": 3})
    assert len(suggestions.similar_questions(make.make_user(), f"My {TITLE.lower()}")) == 3


def test_the_ask_page_tells_similar_js_how_many_to_show(make, login_as, client):
    login_as(make.make_user())
    assert 'data-limit="10"' in client.get("/ask").get_data(as_text=True)
    community_settings.update_settings_from_console({"search.similar_shown": 4})
    assert 'data-limit="4"' in client.get("/ask").get_data(as_text=True)


def test_the_search_api_pages_by_cursor_and_by_page_alike(make, search_index, api_client):
    for n in range(25):
        make.make_thread(title=f"Doorbell chime number {n} is silent")
    search_index()
    client = api_client(make.make_user())
    by_cursor, cursor, pages = [], None, 0
    while True:
        answer = client.get("/api/v1/search?limit=10&q=doorbell" + (f"&cursor={cursor}" if cursor else "")).get_json()
        pages += 1
        by_page = client.get(f"/api/v1/search?limit=10&q=doorbell&page={pages}").get_json()
        assert [i["thread"]["id"] for i in answer["items"]] == [i["thread"]["id"] for i in by_page["items"]]
        assert answer["next_page"] == by_page["next_page"] and answer["next_cursor"] == by_page["next_cursor"]
        by_cursor += [item["thread"]["id"] for item in answer["items"]]
        cursor = answer["next_cursor"]
        assert (cursor is None) == (answer["next_page"] is None)
        if cursor is None:
            break
    assert pages == 3 and len(by_cursor) == len(set(by_cursor)) == 25


@pytest.mark.parametrize("query", ["cursor=not-a-cursor", "page=0", "page=51", "page=x"])
def test_a_bad_cursor_or_page_is_a_422_not_a_500(make, search_index, api_client, query):
    make.make_thread(title="Doorbell chime is silent")
    search_index()
    answer = api_client().get(f"/api/v1/search?q=doorbell&{query}")
    assert answer.status_code == 422 and answer.content_type.startswith("application/problem+json")
