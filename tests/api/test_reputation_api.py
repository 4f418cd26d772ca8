"""GET /users/{id}/reputation: the public ledger, newest first, cursor-paginated; privileges agree with the web."""

from __future__ import annotations

import re

import pytest

from forum.services import posting, qa
from tests.api.support import assert_problem, walk_pages

RFC3339_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def helper_with_history(make):
    """A helper whose reply got two votes, one withdrawn, and was accepted."""
    thread = make.make_thread()
    reply = make.make_reply(thread)
    fan, fickle = make.make_user(), make.make_user()
    qa.vote_helpful(fan, reply)
    qa.vote_helpful(fickle, reply)
    qa.withdraw_vote(fickle, reply)
    qa.accept_solution(thread.author, thread, reply)
    return reply.author, reply


def test_anyone_reads_a_ledger_newest_first_with_each_rows_cause(api_client, helper_with_history):
    helper, reply = helper_with_history
    response = api_client().get(f"/api/v1/users/{helper.id}/reputation")
    assert response.status_code == 200
    body = response.get_json()
    assert body["next_cursor"] is None
    assert [(i["delta"], i["reason"], i["post_id"]) for i in body["items"]] == [
        (15, "reply_accepted", reply.id), (-10, "reply_voted", reply.id), (10, "reply_voted", reply.id),
        (10, "reply_voted", reply.id)]
    reversal = body["items"][1]
    assert reversal["correction"] == "withdrawn" and reversal["reverses_id"] == body["items"][2]["id"]
    assert all(RFC3339_Z.match(item["created_at"]) for item in body["items"])
    assert sum(item["delta"] for item in body["items"]) == helper.reputation == 25


def test_the_ledger_pages_with_a_cursor_like_other_lists(api_client, helper_with_history):
    helper, _reply = helper_with_history
    client = api_client()
    pages = walk_pages(client, f"/api/v1/users/{helper.id}/reputation", limit=3)
    assert [len(page) for page in pages] == [3, 1]
    whole = client.get(f"/api/v1/users/{helper.id}/reputation").get_json()["items"]
    assert [i["id"] for page in pages for i in page] == [i["id"] for i in whole]


def test_bad_paging_input_and_unknown_users_are_problems_not_errors(api_client, helper_with_history):
    helper, _reply = helper_with_history
    client = api_client()
    assert_problem(client.get(f"/api/v1/users/{helper.id}/reputation?cursor=not-a-cursor"), 422, "cursor")
    assert_problem(client.get(f"/api/v1/users/{helper.id}/reputation?limit=0"), 422, "limit")
    assert_problem(client.get("/api/v1/users/999999/reputation"), 404)
    assert client.get("/api/v1/users/99999999999/reputation").status_code == 404


def test_a_new_member_has_an_empty_ledger(api_client, make):
    user = make.make_user()
    assert api_client().get(f"/api/v1/users/{user.id}/reputation").get_json() == {"items": [], "next_cursor": None}


def test_the_api_refuses_editing_others_posts_below_two_thousand_as_the_web_does(api_client, make):
    reply = make.make_reply(make.make_thread())
    body = {"body": "A clearer version of this answer, with the steps numbered."}
    assert_problem(api_client(make.make_user(reputation=1999)).patch(f"/api/v1/posts/{reply.id}", json=body), 403)
    assert api_client(make.make_user(reputation=2000)).patch(f"/api/v1/posts/{reply.id}", json=body).status_code == 200


def test_the_api_refuses_votes_on_your_own_post(api_client, make):
    thread = make.make_thread()
    own = posting.reply_to_thread(thread.author, thread, "Here is what I tried so far, in detail.")
    assert_problem(api_client(thread.author).post(f"/api/v1/posts/{own.id}/votes"), 403)
    assert api_client().get(f"/api/v1/users/{thread.author.id}/reputation").get_json()["items"] == []
