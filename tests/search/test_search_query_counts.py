"""A search costs the same SQL statements whether it finds 3 threads or a page and more.

The hits are re-checked against the database (a stale index must never show what the viewer may
not see), and the shown threads are loaded with what the API and the page show of them: their
author, category, tags, the post a result links to and the thread's case. Each of those comes
in one statement for the whole page, so the count is the same for 3 hits and for 25 (of which
the page shows 20), on both backends and for every kind of viewer.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from forum import cases
from forum.core.extensions import db
from forum.services import moderation_state, posting, qa, reading

FEW, MANY = 3, 25


@pytest.fixture
def hits(make, search_index):
    """FEW threads that match "modem" and MANY that match "printer", each with its own author,
    category and tags; some solved, some escalated to a case, and one deleted since it was indexed."""
    for n in range(FEW):
        make.make_thread(title=f"Modem number {n} keeps rebooting", tags=[f"modem-{n}"])
    printers = [make.make_thread(title=f"Printer number {n} jams on every page", tags=[f"printer-{n}", "paper"])
                for n in range(MANY + 1)]
    for thread in printers[:3]:
        qa.accept_solution(thread.author, thread, make.make_reply(thread, body="Clean the rollers."))
    for thread in printers[3:5]:
        cases.escalate_thread(thread.author, thread, "Still jams")
    search_index()
    gone = printers[-1]
    posting.delete_post(gone.author, reading.question_post(gone))  # the index still holds it
    return gone


@pytest.mark.parametrize("viewer", ["anonymous", "member", "moderator"])
@pytest.mark.parametrize("path", ["/api/v1/search?limit=20&q=", "/search?q="])
def test_search_costs_the_same_statements_for_3_hits_as_for_a_full_page(
    hits, make, login_as, client, count_queries: Callable, viewer, path
):
    if viewer != "anonymous":
        login_as(make.make_user(role=viewer))
    client.get(path + "warm")  # first-request work (settings, templates) is not per hit
    few, many = count_queries(path + "modem"), count_queries(path + "printer")
    assert few == many


def test_the_api_pages_through_only_visible_hits_with_their_details(hits, api_client, make):
    """What the statements load is what the answer shows: 25 visible printer threads (not the deleted one)."""
    first = api_client().get("/api/v1/search?limit=20&q=printer").get_json()
    second = api_client().get("/api/v1/search?limit=20&q=printer&page=2").get_json()
    shown = first["items"] + second["items"]
    assert first["total"] == MANY and first["next_page"] == 2 and len(first["items"]) == 20
    assert len(second["items"]) == MANY - 20 and second["next_page"] is None
    assert hits.id not in {item["thread"]["id"] for item in shown}
    assert sum(first["facets"]["tag"].get(f"printer-{n}", 0) for n in range(MANY + 1)) == MANY
    for item in shown:
        thread = item["thread"]
        assert thread["author"]["username"] and "paper" in thread["tags"]
        assert item["post_id"] == (thread["accepted_post_id"] or item["post_id"]) and item["post_id"] > 0
        assert "<mark>" in item["highlight"]
    assert sum(1 for item in shown if item["thread"]["case"] is not None) == 2
    assert sum(1 for item in shown if item["thread"]["accepted_post_id"]) == 3

    moderator = api_client(make.make_user(role="moderator"))
    assert moderator.get("/api/v1/search?limit=20&q=printer").get_json()["total"] == MANY + 1


def test_a_thread_hidden_since_it_was_indexed_is_still_listed_to_its_author_alone(make, search_index, api_client):
    """The re-check reads the viewer's own threads (the statements are built once per kind of viewer and run
    with the viewer's id): the author of a thread hidden since it was indexed still finds it, no one else does."""
    author, other = make.make_user(), make.make_user()
    thread = make.make_thread(author=author, title="Scanner skips every second page")
    search_index()
    moderation_state.hide_post(reading.question_post(thread), None, "offensive")  # the index still holds it
    db.session.commit()

    def found(user) -> list[int]:
        answer = api_client(user).get("/api/v1/search?limit=20&q=scanner").get_json()
        return [item["thread"]["id"] for item in answer["items"]]

    assert found(author) == [thread.id]
    assert found(other) == [] and found(None) == []
