"""Agents rate escalations (needed / community could answer / missing information): service, API, summary."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum import cases
from forum.cases import ratings
from forum.core.errors import Forbidden, Invalid
from forum.core.extensions import db
from forum.models import Case, CaseEvent, CaseSource, Thread, User
from tests.api.support import assert_problem


@pytest.fixture
def agent(make) -> User:
    return make.make_user("agent")


@pytest.fixture
def thread(make) -> Thread:
    return make.make_thread()


@pytest.fixture
def case(thread) -> Case:
    return cases.escalate_thread(thread.author, thread, "Still broken")[0]


def rated_events(case: Case) -> list[CaseEvent]:
    return list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "rated")))


# --- the service -----------------------------------------------------------------------------------

def test_an_agent_rates_an_escalation_with_a_staff_only_timeline_entry(case, agent, clock_at):
    ratings.rate_escalation(agent, case, "community_could_answer")
    assert (case.escalation_rating, case.rated_by_id, case.rated_at) == (
        "community_could_answer", agent.id, clock_at.now)
    (event,) = rated_events(case)
    assert not event.public and event.actor_id == agent.id
    assert event.id not in {e.id for e in cases.public_timeline(case)}


def test_rating_again_replaces_the_rating_and_the_same_one_is_a_no_op(case, agent, make):
    ratings.rate_escalation(agent, case, "needed")
    ratings.rate_escalation(agent, case, "needed")
    admin = make.make_user("admin")
    ratings.rate_escalation(admin, case, "missing_information")
    assert (case.escalation_rating, case.rated_by_id) == ("missing_information", admin.id)
    assert len(rated_events(case)) == 2
    ratings.rate_escalation(agent, case, None)
    assert (case.escalation_rating, case.rated_by_id, case.rated_at) == (None, None, None)


@pytest.mark.parametrize("value", ["", "great", "NEEDED", 3, True, ["needed"]])
def test_bad_ratings_are_refused(case, agent, value):
    with pytest.raises(Invalid) as raised:
        ratings.rate_escalation(agent, case, value)
    assert "escalation_rating" in raised.value.errors
    assert case.escalation_rating is None


@pytest.mark.parametrize("role", ["member", "advocate", "moderator"])
def test_only_agents_and_admins_rate(case, make, role):
    with pytest.raises(Forbidden):
        ratings.rate_escalation(make.make_user(role), case, "needed")
    with pytest.raises(Forbidden):
        ratings.rate_escalation(case.customer, case, "needed")
    assert case.escalation_rating is None and rated_events(case) == []


def test_rating_summary_counts_per_rating_and_per_source_within_the_period(make, agent, clock_at):
    def escalate(source: CaseSource | None = None, rating: str | None = None) -> Case:
        thread = make.make_thread()
        actor = None if source in (CaseSource.SLA, CaseSource.SENTIMENT) else thread.author
        case = cases.escalate_thread(actor, thread, "", source=source)[0]
        if rating:
            ratings.rate_escalation(agent, case, rating)
        return case

    escalate(rating="needed")  # before the period
    start = clock_at.advance(hours=1)
    escalate(rating="community_could_answer")
    escalate(rating="needed")
    escalate(CaseSource.SLA, "community_could_answer")
    escalate(CaseSource.SLA, "missing_information")
    escalate(CaseSource.SENTIMENT)
    end = clock_at.advance(days=7)
    escalate(rating="needed")  # at the end: outside [start, end)

    summary = ratings.rating_summary(start, end)
    assert summary["total"] == 5
    assert summary["by_rating"] == {"needed": 1, "community_could_answer": 2, "missing_information": 1, "unrated": 1}
    assert summary["by_source"]["customer"] == {
        "needed": 1, "community_could_answer": 1, "missing_information": 0, "unrated": 0}
    assert summary["by_source"]["sla"] == {
        "needed": 0, "community_could_answer": 1, "missing_information": 1, "unrated": 0}
    assert summary["by_source"]["sentiment"]["unrated"] == 1
    assert set(summary["by_source"]) == {s.value for s in CaseSource}
    empty = ratings.rating_summary(end + timedelta(days=1), end + timedelta(days=2))
    assert empty["total"] == 0 and set(empty["by_rating"].values()) == {0}


# --- PATCH /api/v1/cases/{id} ------------------------------------------------------------------------

def patch(client, case: Case, body: dict):
    return client.patch(f"/api/v1/cases/{case.id}", json=body)


def test_agents_rate_over_the_api_and_only_they_see_the_rating(api_client, case, agent):
    response = patch(api_client(agent), case, {"escalation_rating": "missing_information"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["escalation_rating"] == "missing_information"
    db.session.refresh(case)
    assert case.rated_by_id == agent.id
    assert "escalation_rating" not in api_client(case.customer).get(f"/api/v1/cases/{case.id}").get_json()
    assert api_client(agent).get(f"/api/v1/cases/{case.id}").get_json()["escalation_rating"] == "missing_information"


def test_rating_and_other_changes_in_one_patch(api_client, case, agent):
    response = patch(api_client(agent), case, {"status": "open", "escalation_rating": "needed"})
    data = response.get_json()
    assert (data["status"], data["escalation_rating"]) == ("open", "needed")
    cleared = patch(api_client(agent), case, {"escalation_rating": None}).get_json()
    assert cleared["escalation_rating"] is None and cleared["status"] == "open"


def test_a_bad_rating_is_a_422_and_changes_nothing(api_client, case, agent):
    response = patch(api_client(agent), case, {"status": "open", "escalation_rating": "meh"})
    assert_problem(response, 422, "escalation_rating")
    db.session.refresh(case)
    assert (case.status, case.escalation_rating) == ("new", None)


# A case is absent for those who may not see it (404); its own customer sees it but may not work it (403).
@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("customer", 403), ("moderator", 404)])
def test_who_may_not_rate_over_the_api(api_client, make, case, who, status):
    user = {"anonymous": None, "customer": case.customer, "moderator": make.make_user("moderator")}[who]
    response = patch(api_client(user), case, {"escalation_rating": "needed"})
    assert_problem(response, status)
    db.session.refresh(case)
    assert case.escalation_rating is None
