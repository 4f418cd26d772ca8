"""GET /api/v1/users/autocomplete: the editor's @ suggestions (issue 22)."""

from __future__ import annotations

import pytest

from forum.accounts import directory
from forum.core.extensions import db
from forum.models import Visibility
from tests.queries import count_statements

URL = "/api/v1/users/autocomplete"


def _names(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["username"] for item in response.get_json()["items"]]


def test_anonymous_callers_are_asked_to_sign_in(api_client, make):
    make.make_user(username="alice")
    response = api_client().get(URL, query_string={"q": "al"})
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_a_member_finds_people_by_username_or_display_name_prefix_whatever_the_case(api_client, make):
    make.make_user(username="alice")
    make.make_user(username="Alfred_K")
    make.make_user(username="bob", display_name="Alan Bobson")
    make.make_user(username="malcolm")  # "al" inside, not at the start
    caller = api_client(make.make_user(username="carol"))
    assert _names(caller.get(URL, query_string={"q": "AL"})) == ["Alfred_K", "alice", "bob"]
    assert _names(caller.get(URL, query_string={"q": "@ali"})) == ["alice"]
    [item] = caller.get(URL, query_string={"q": "alan b"}).get_json()["items"]
    assert item["username"] == "bob" and item["display_name"] == "Alan Bobson"
    assert set(item) == {"id", "username", "display_name", "role", "reputation", "rank", "avatar_url"}


def test_erased_leaving_and_service_accounts_and_the_caller_are_never_offered(api_client, make, clock_at):
    make.make_user(username="alive_one")
    make.make_user(username="alumni", anonymized_at=clock_at.now)
    make.make_user(username="almost_gone", deletion_scheduled_at=clock_at.now)
    bot = make.make_user(username="alert_bot")
    bot.email = "alert_bot@service.invalid"  # as forum.accounts.tokens makes service accounts
    db.session.commit()
    caller = make.make_user(username="alex")
    assert _names(api_client(caller).get(URL, query_string={"q": "al"})) == ["alive_one"]


def test_people_in_the_thread_come_first(api_client, make):
    later = [make.make_user(username=f"ann{n}") for n in range(3)]
    poster = make.make_user(username="annz")
    thread = make.make_thread(author=make.make_user(username="anna_asker"))
    make.make_reply(thread, author=poster)
    caller = api_client(make.make_user())
    assert _names(caller.get(URL, query_string={"q": "ann", "thread_id": thread.id})) == [
        "anna_asker", "annz", *(user.username for user in later)]
    assert _names(caller.get(URL, query_string={"q": "ann"}))[0] == "ann0"  # no thread: by name alone


def test_a_thread_the_caller_may_not_see_changes_nothing(api_client, make):
    make.make_user(username="ben0")
    thread = make.make_thread(author=make.make_user(username="benz"))
    thread.visibility = Visibility.HIDDEN.value
    db.session.commit()
    caller = api_client(make.make_user())
    assert _names(caller.get(URL, query_string={"q": "ben", "thread_id": thread.id})) == ["ben0", "benz"]
    moderator = api_client(make.make_user("moderator"))
    assert _names(moderator.get(URL, query_string={"q": "ben", "thread_id": thread.id})) == ["benz", "ben0"]


def test_at_most_ten_in_one_statement(api_client, make):
    for n in range(12):
        make.make_user(username=f"dora{n:02d}")
    caller = api_client(make.make_user())
    caller.get(URL, query_string={"q": "x"})  # the token's first use is not this test's business
    with count_statements() as statements:
        names = _names(caller.get(URL, query_string={"q": "dora", "thread_id": 1}))
    assert names == [f"dora{n:02d}" for n in range(10)]
    searches = [sql for sql in statements if "username_key LIKE" in sql]
    assert len(searches) == 1 and "LIMIT" in searches[0]  # matching, ordering and the thread's posters: one
    settings_reads = [sql for sql in statements if "FROM community_setting" in sql]
    assert len(settings_reads) <= 1  # the rank thresholds (admin settings), read once for every name listed
    assert len(statements) - len(settings_reads) <= 2  # besides them, only the bearer token's lookup


@pytest.mark.parametrize(("query", "expected"), [("e_", ["e_x"]), ("e%", ["e%y"]), ("e\\", [])])
def test_like_wildcards_in_q_match_only_themselves(api_client, make, query, expected):
    make.make_user(username="e_x")
    make.make_user(username="eax", display_name="e%y")
    make.make_user(username="ebx")
    names = _names(api_client(make.make_user()).get(URL, query_string={"q": query}))
    assert [n if n != "eax" else "e%y" for n in names] == expected


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "  "}, {"q": "a" * (directory.MAX_QUERY + 1)},
                                    {"q": "al", "thread_id": "x"}, {"q": "al", "thread_id": "0"}])
def test_a_missing_or_too_long_q_or_a_bad_thread_is_a_422(api_client, make, params):
    response = api_client(make.make_user()).get(URL, query_string=params)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert set(response.get_json()["errors"]) <= {"q", "thread_id"}


def test_asking_too_often_is_a_429_per_account(api_client, make, limits_on):
    typist, other = api_client(make.make_user()), api_client(make.make_user())
    answers = [typist.get(URL, query_string={"q": "a"}).status_code for _ in range(61)]
    assert answers[:60] == [200] * 60 and answers[60] == 429
    refused = typist.get(URL, query_string={"q": "a"})
    assert refused.mimetype == "application/problem+json" and int(refused.headers["Retry-After"]) >= 1
    assert other.get(URL, query_string={"q": "a"}).status_code == 200


def test_the_route_is_documented(api_client):
    spec = api_client().get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/users/autocomplete"]["get"]
    assert {param["name"] for param in operation["parameters"]} == {"q", "thread_id"}
    assert {"200", "401", "422", "429"} <= set(operation["responses"])
