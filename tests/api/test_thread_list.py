"""GET /threads: filters, sorting, and cursor pagination that never repeats or skips."""

from __future__ import annotations

import base64
import json

import pytest

from forum.services import posting, reading
from tests.api.support import assert_problem, walk_pages


def cursor_of(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def ids(client, **params) -> list[int]:
    response = client.get("/api/v1/threads", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


@pytest.fixture
def board(make, cast, clock_at):
    """Two categories; an answered, a solved, an open question and a discussion, a minute apart."""
    routers, billing = make.make_category(slug="routers"), make.make_category(slug="billing")
    threads = {}
    for name, category, kind, tags in [("open", routers, "question", ["wifi"]),
                                       ("answered", routers, "question", ["wifi", "dsl"]),
                                       ("solved", billing, "question", []),
                                       ("discussion", billing, "discussion", ["dsl"])]:
        clock_at.advance(minutes=1)
        threads[name] = make.make_thread(author=cast["author"], category=category, kind=kind, tags=tags)
    clock_at.advance(minutes=1)
    make.make_reply(threads["answered"], author=cast["other"])
    threads["solved"].status = "solved"
    make.db.session.commit()
    return {"routers": routers, "billing": billing, **threads}


def test_threads_sort_by_activity_by_default_and_by_creation_on_request(call_as, board):
    api = call_as("anonymous")
    expected_latest = [board[n].id for n in ("discussion", "solved", "answered", "open")]
    assert ids(api, sort="latest") == expected_latest
    assert ids(api) == ids(api, sort="active") == [board["answered"].id] + [
        i for i in expected_latest if i != board["answered"].id
    ]
    items = api.get("/api/v1/threads").get_json()["items"]
    assert "first_post" not in items[0] and items[0]["author"]["id"] == board["open"].author_id


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "routers"}, {"open", "answered"}),
        ({"category": "ID:billing"}, {"solved", "discussion"}),
        ({"tag": "dsl"}, {"answered", "discussion"}),
        ({"tag": "WIFI"}, {"open", "answered"}),
        ({"status": "answered"}, {"answered"}),
        ({"filter": "unanswered"}, {"open"}),
        ({"filter": "unsolved"}, {"open", "answered"}),
        ({"filter": "solved"}, {"solved"}),
        ({"category": "routers", "tag": "dsl"}, {"answered"}),
        ({"tag": "nothing-has-this"}, set()),
    ],
)
def test_filters_narrow_the_list(call_as, board, params, expected):
    if params.get("category", "").startswith("ID:"):
        params = {**params, "category": str(board[params["category"][3:]].id)}
    assert set(ids(call_as("member"), **params)) == {board[name].id for name in expected}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"category": "no-such-category"}, "category"),
        ({"category": "999999"}, "category"),
        ({"category": "-1"}, "category"),
        ({"category": "99999999999999999999999"}, "category"),
        ({"status": "lost"}, "status"),
        ({"filter": "everything"}, "filter"),
        ({"sort": "votes-ish"}, "sort"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "99999999999999999999999999"}, "limit"),
        ({"cursor": "not a cursor"}, "cursor"),
        ({"cursor": "!!!!"}, "cursor"),
        ({"cursor": cursor_of({"a": 1})}, "cursor"),
        ({"cursor": cursor_of(["yesterday", 1])}, "cursor"),
        ({"cursor": cursor_of(["2026-11-20T09:00:00+00:00"])}, "cursor"),
        ({"cursor": cursor_of(["2026-11-20T09:00:00+00:00", "abc"])}, "cursor"),
        ({"cursor": cursor_of([12, 1])}, "cursor"),
    ],
)
def test_bad_list_parameters_are_a_422_naming_the_parameter(call_as, board, params, field):
    assert_problem(call_as("member").get("/api/v1/threads", query_string=params), 422, field)


@pytest.mark.parametrize(
    "cursor",
    [
        cursor_of(["2026-11-20T09:00:00+00:00", 10**30]),
        cursor_of(["2026-11-20T09:00:00+00:00", 1e30]),
        cursor_of(["9999-12-31T23:59:59-05:00", 1]),
    ],
)
def test_out_of_range_cursors_are_refused_not_crashing(call_as, board, cursor):
    response = call_as("member").get("/api/v1/threads", query_string={"cursor": cursor})
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert_problem(response, 422, "cursor")


@pytest.mark.parametrize("sort", ["latest", "active"])
def test_paging_with_limit_2_returns_every_thread_once(call_as, make, sort):
    category = make.make_category()
    created = {make.make_thread(category=category).id for _ in range(7)}
    pages = walk_pages(call_as("anonymous"), "/api/v1/threads", category=str(category.id), sort=sort)
    seen = [item["id"] for page in pages for item in page]
    assert [len(page) for page in pages] == [2, 2, 2, 1]
    assert sorted(seen) == sorted(created) and len(seen) == len(set(seen))


def test_default_page_holds_20_threads(call_as, make):
    category = make.make_category()
    for _ in range(21):
        make.make_thread(category=category)
    response = call_as("anonymous").get("/api/v1/threads", query_string={"category": category.slug})
    assert len(response.get_json()["items"]) == 20 and response.get_json()["next_cursor"]


def test_deleted_threads_are_listed_for_moderators_only(call_as, cast, board):
    posting.delete_post(cast["moderator"], reading.question_post(board["open"]), reason="Spam")
    assert board["open"].id not in ids(call_as("member"))
    assert board["open"].id not in ids(call_as("anonymous"))
    assert board["open"].id in ids(call_as("moderator"))
