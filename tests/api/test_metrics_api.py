"""GET /api/v1/metrics/summary over a small community with known timings: exact figures, agents only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forum.analytics.metrics import Summary
from forum.cases import escalate_thread
from forum.services import feedback, posting, qa
from tests.api.support import assert_problem

START = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # a Monday
WEEK = {"from": "2026-11-02", "to": "2026-11-08"}
API_FIELDS = ["response_rate", "median_first_response_s", "solve_rate", "peer_solve_rate", "escalation_rate",
              "sla_breach_rate", "median_case_resolution_s", "satisfaction", "sentiment_shift"]


@pytest.fixture
def community(make, clock_at):
    """Three Billing questions and one Shipping question in the week of 2 November.

    q1: a peer replies after 30 min and is accepted; the asker says it resolved the issue.
    q2: an agent replies after 2 h and is accepted (solved by support).
    q3: the asker escalates after 1 h; no agent ever answers the case (breached by the end of the week).
    q4 (Shipping): nobody replies.
    """
    billing = make.make_category("Billing", slug="billing")
    shipping = make.make_category("Shipping", slug="shipping")
    asker, peer, agent = make.make_user(), make.make_user(), make.make_user("agent")

    def ask(hours: float, title: str, category=billing):
        clock_at.set(START + timedelta(hours=hours))
        return make.make_thread(asker, category, title=title)

    def answer(thread, author, after_hours: float):
        clock_at.set(thread.created_at + timedelta(hours=after_hours))
        post = posting.reply_to_thread(author, thread, "Here is what fixes it.")
        qa.accept_solution(asker, thread, post)

    q1 = ask(1, "Invoice shows a double charge")
    answer(q1, peer, 0.5)
    feedback.give_feedback(asker, q1, feedback.FeedbackInput(resolved=True, rating=5))
    answer(ask(2, "My refund never arrived"), agent, 2)
    q3 = ask(3, "Card declined at checkout")
    clock_at.set(q3.created_at + timedelta(hours=1))
    escalate_thread(asker, q3, "I need this fixed today")
    ask(4, "Parcel lost in transit", category=shipping)
    clock_at.set(START + timedelta(days=8))
    return {"billing": billing, "shipping": shipping}


def test_an_agent_gets_every_metric_for_the_week(call_as, community):
    response = call_as("agent").get("/api/v1/metrics/summary", query_string=WEEK)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert {name: body[name] for name in API_FIELDS} == {
        "response_rate": 0.5,
        "median_first_response_s": 4500,  # 30 min and 2 h
        "solve_rate": 0.5,
        "peer_solve_rate": 0.5,
        "escalation_rate": 0.25,
        "sla_breach_rate": 1.0,
        "median_case_resolution_s": None,
        "satisfaction": 1.0,
        "sentiment_shift": None,
    }
    assert (body["questions"], body["responded"], body["solved"], body["cases"], body["cases_breached"]) == (
        4, 2, 2, 1, 1)
    assert (body["median_first_response_peer_s"], body["median_first_response_staff_s"]) == (1800, 7200)
    assert body["period"] == {"from": "2026-11-02T00:00:00Z", "to": "2026-11-09T00:00:00Z", "category_id": None}
    assert set(body) == {field for field in Summary.__dataclass_fields__} | {"period"}


def test_a_category_by_slug_or_by_id(call_as, community):
    client = call_as("admin")
    billing = client.get("/api/v1/metrics/summary", query_string={**WEEK, "category": "billing"}).get_json()
    assert (billing["questions"], billing["response_rate"], billing["escalation_rate"]) == (3, 2 / 3, 1 / 3)
    assert billing["period"]["category_id"] == community["billing"].id
    shipping_id = community["shipping"].id
    shipping = client.get("/api/v1/metrics/summary", query_string={**WEEK, "category": shipping_id}).get_json()
    assert (shipping["questions"], shipping["response_rate"], shipping["solve_rate"]) == (1, 0.0, 0.0)
    assert (shipping["median_first_response_s"], shipping["peer_solve_rate"], shipping["sla_breach_rate"]) == (
        None, None, None)
    assert shipping["period"]["category_id"] == shipping_id


def test_exact_moments_bound_the_period(call_as, community):
    # From 02:30 on: q3 and q4 only (q1 and q2 were asked at 01:00 and 02:00).
    body = call_as("agent").get("/api/v1/metrics/summary", query_string={
        "from": "2026-11-02T02:30:00Z", "to": "2026-11-02T06:00:00+01:00"}).get_json()
    assert (body["questions"], body["escalation_rate"]) == (2, 0.5)
    assert body["period"] == {"from": "2026-11-02T02:30:00Z", "to": "2026-11-02T05:00:00Z", "category_id": None}


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("member", 403), ("advocate", 403),
                                             ("moderator", 403)])
def test_only_agents_and_admins_may_read_the_metrics(call_as, community, who, status):
    assert_problem(call_as(who).get("/api/v1/metrics/summary", query_string=WEEK), status)


def test_a_revoked_token_is_refused_before_anything_else(client, community):
    response = client.get("/api/v1/metrics/summary", headers={"Authorization": "Bearer not-a-token"})
    assert_problem(response, 401)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "last week"}, "from"),
        ({"to": "2026-13-40"}, "to"),
        ({"from": "2026-11-10", "to": "2026-11-01"}, "from"),
        ({"from": "2026-11-02T00:00:00"}, "from"),
        ({"category": "no-such-category"}, "category"),
        ({"category": "99999999999999999999"}, "category"),
        ({"category": "0"}, "category"),
    ],
)
def test_bad_periods_and_categories_are_422_naming_the_field(call_as, community, params, field):
    assert_problem(call_as("agent").get("/api/v1/metrics/summary", query_string=params), 422, field)


def test_members_learn_nothing_from_a_bad_query(call_as, community):
    """The permission comes first: a member's malformed query is a 403, not a 422 that echoes the input."""
    assert_problem(call_as("member").get("/api/v1/metrics/summary", query_string={"from": "nope"}), 403)


def test_the_openapi_document_describes_the_route(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/metrics/summary"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"from", "to", "category"}
    assert {"200", "401", "403", "422"} <= set(operation["responses"])
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(API_FIELDS) | {"period"} <= set(schema["required"])
    assert schema["properties"]["response_rate"]["type"] == ["number", "null"]
    assert schema["properties"]["median_first_response_s"]["type"] == ["integer", "null"]
