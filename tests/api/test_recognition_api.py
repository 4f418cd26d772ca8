"""GET /leaderboard, GET /badges and the badges[] of the user resource."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from forum.core.extensions import db
from forum.models import LedgerReason
from forum.recognition import badges, reputation
from forum.services import qa
from tests.api.support import assert_problem


def solved(make, category=None):
    """A question answered and accepted: the helper gets 15 points and First Answer/First Solution."""
    thread = make.make_thread(category=category)
    reply = make.make_reply(thread)
    qa.accept_solution(thread.author, thread, reply)
    return reply.author


@pytest.mark.parametrize("who", ["anonymous", "member", "admin"])
def test_anyone_reads_the_leaderboard_with_points_and_solutions(call_as, make, run_jobs, who):
    helper = solved(make)
    run_jobs()
    response = call_as(who).get("/api/v1/leaderboard?period=week")
    assert response.status_code == 200
    body = response.get_json()
    first = body["items"][0]
    assert (first["user"]["id"], first["points"], first["solutions"], first["position"]) == (helper.id, 15, 1, 1)
    assert {b["code"] for b in first["user"]["badges"]} >= {"first_answer", "first_solution"}
    assert body["period"] == "week" and body["next_cursor"] is None


def test_staff_answers_put_no_staff_member_on_the_leaderboard(client, make):
    thread = make.make_thread()
    agent = make.make_user("agent")
    answer = make.make_reply(thread, author=agent)
    qa.vote_helpful(thread.author, answer)  # staff answers still earn their votes...
    helper = solved(make)
    items = client.get("/api/v1/leaderboard?period=all").get_json()["items"]
    ranked = [item["user"]["id"] for item in items]
    assert ranked[0] == helper.id and agent.id not in ranked  # ...but the board ranks the community
    assert client.get(f"/api/v1/users/{agent.id}/reputation").get_json()["items"][0]["delta"] == 10


def test_the_leaderboard_filters_by_category_id_or_slug_and_period(client, make, clock_at):
    billing = make.make_category(name="Billing", slug="billing")
    in_billing, elsewhere = solved(make, billing), solved(make)
    clock_at.advance(days=-60)
    reputation.award(elsewhere.id, LedgerReason.MISSION, points=500)
    db.session.commit()
    clock_at.advance(days=60)
    by_slug = client.get("/api/v1/leaderboard?category=billing&period=all").get_json()
    by_id = client.get(f"/api/v1/leaderboard?category={billing.id}&period=all").get_json()
    ids = [i["user"]["id"] for i in by_slug["items"]]
    assert ids[0] == in_billing.id and elsewhere.id not in ids and by_slug == by_id  # (the asker's +2 follows)
    assert by_id["category_id"] == billing.id
    assert client.get("/api/v1/leaderboard?period=all").get_json()["items"][0]["points"] == 515
    assert client.get("/api/v1/leaderboard?period=month").get_json()["items"][0]["points"] == 15


@pytest.mark.parametrize(("query", "field"), [
    ("period=year", "period"), ("category=no-such", "category"), ("category=99999999999999999999", "category"),
    ("limit=0", "limit"), ("limit=many", "limit"),
])
def test_bad_leaderboard_parameters_are_a_422_naming_the_field(client, db, query, field):
    assert_problem(client.get(f"/api/v1/leaderboard?{query}"), 422, field)


def test_the_leaderboard_costs_the_same_queries_however_many_rows(client, make):
    def queries() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/api/v1/leaderboard?period=all").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    solved(make)
    few = queries()
    for _ in range(4):
        solved(make)
    assert queries() == few


def test_anyone_reads_the_badge_catalogue_with_holder_counts(client, make, run_jobs):
    solved(make)
    run_jobs()
    items = {item["code"]: item for item in client.get("/api/v1/badges").get_json()["items"]}
    assert set(items) == set(badges.BY_CODE)
    assert items["first_solution"] == {
        "code": "first_solution", "name": "First Solution", "tier": "bronze",
        "description": "Had a reply accepted as the solution.", "mission_only": False, "holders": 1,
    }
    assert items["solutions_250"]["tier"] == "gold" and items["solutions_250"]["holders"] == 0
    assert items["legend"]["mission_only"] is True


def test_the_user_resource_lists_badges_gold_first(call_as, make):
    user = make.make_user()
    reputation.award(user.id, LedgerReason.REPLY_ACCEPTED)
    reputation.award(user.id, LedgerReason.MISSION, points=5000)
    db.session.commit()
    badges.evaluate_user(user.id)
    db.session.commit()
    profile = call_as("anonymous").get(f"/api/v1/users/{user.id}").get_json()
    assert [b["code"] for b in profile["badges"]] == ["champion", "first_solution"]
    assert profile["badges"][0]["tier"] == "gold" and profile["badges"][0]["granted_at"].endswith("Z")
    me = call_as("member").get("/api/v1/me").get_json()
    assert me["badges"] == []


def test_the_routes_are_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "security" in paths["/leaderboard"]["get"] and "422" in paths["/leaderboard"]["get"]["responses"]
    assert {p["name"] for p in paths["/leaderboard"]["get"]["parameters"]} == {"period", "category", "limit"}
    assert "get" in paths["/badges"]
