"""Incident pages: agents see alerts, open an incident, post updates; every linked thread shows it publicly."""

from __future__ import annotations

import shutil

import pytest
from markupsafe import escape
from sqlalchemy import select

from forum.core.extensions import db
from forum.models import AlertStatus, Incident, IncidentAlert, Post
from search import incident_detection as detector
from search.backends.whoosh import index
from tests.unit.test_incidents import OUTAGE
from tests.web.helpers import BACK, FORBIDDEN, SIGN_IN, expect, text


@pytest.fixture
def outage(make, clock_at):
    category = make.make_category("Accounts")
    threads = []
    for title, body in OUTAGE:
        clock_at.advance(minutes=10)
        threads.append(make.make_thread(category=category, title=title, body=body))
    shutil.rmtree(index.root(), ignore_errors=True)  # word rarity from this test's threads, not earlier tests' index
    index.forget()
    detector.detect()
    return threads


@pytest.fixture
def agent(make):
    return make.make_user("agent", username="agentsmith")


@pytest.mark.parametrize(("role", "outcome"), [(None, SIGN_IN), ("member", FORBIDDEN), ("advocate", FORBIDDEN),
                                                ("moderator", FORBIDDEN)])
def test_only_agents_and_admins_run_incidents(client, login_as, make, role, outcome):
    if role:
        login_as(make.make_user(role))
    expect(client.get("/staff/incidents"), outcome)
    expect(client.post("/staff/incidents", data={"title": "X", "thread_ids": "1"}), outcome)


def test_an_agent_turns_an_alert_into_an_incident_and_every_thread_hears_the_update(
        client, login_as, agent, outage, run_jobs):
    login_as(agent)
    page = text(client.get("/"))
    assert "Incidents <span class=\"queue-count\">1" in page  # the staff menu counts the waiting alert
    listing = text(client.get("/staff/incidents"))
    assert "5 similar questions" in listing and all(escape(thread.title) in listing for thread in outage)
    alert = db.session.scalar(select(IncidentAlert))
    expect(client.post(f"/staff/incidents/alerts/{alert.id}/open", data={"title": "Sign-in error 503"}), BACK)
    incident = db.session.scalar(select(Incident))
    db.session.refresh(alert)
    assert alert.status == AlertStatus.LINKED.value

    posted = client.post(f"/staff/incidents/{incident.id}/updates",
                         data={"body": "We are restarting the sign-in servers."})
    expect(posted, BACK)
    run_jobs()
    for thread in outage:
        assert db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.author_id == agent.id))
    client.post("/auth/logout")
    with client.session_transaction() as sess:
        sess.clear()
    public = text(client.get(f"/t/{outage[2].id}/{outage[2].slug}"))
    assert "Known issue: Sign-in error 503" in public and "We are restarting the sign-in servers." in public
    assert "Run incident" not in public  # the staff link is for agents only


def test_bad_input_re_shows_the_form(client, login_as, agent, outage):
    login_as(agent)
    refused = client.post("/staff/incidents", data={"title": "Outage", "thread_ids": "abc"})
    assert refused.status_code == 422 and "is not a thread number or link" in text(refused)
    opened = client.post("/staff/incidents", data={"title": "Outage", "thread_ids": str(outage[0].id)})
    expect(opened, BACK)
    incident = db.session.scalar(select(Incident))
    empty = client.post(f"/staff/incidents/{incident.id}/updates", data={"body": ""})
    assert empty.status_code == 422
    taken = client.post("/staff/incidents", data={"title": "Again", "thread_ids": str(outage[0].id)})
    assert taken.status_code == 422 and f"already part of incident #{incident.id}" in text(taken)


def test_resolving_answers_every_linked_question(client, login_as, agent, outage, run_jobs):
    login_as(agent)
    client.post("/staff/incidents", data={"title": "Sign-in error 503",
                                          "thread_ids": " ".join(str(t.id) for t in outage[:3])})
    incident = db.session.scalar(select(Incident))
    expect(client.post(f"/staff/incidents/{incident.id}/resolve", data={"resolution": "Fixed at 10:05."}), BACK)
    run_jobs()
    for thread in outage[:3]:
        db.session.refresh(thread)
        assert thread.solved_by == "support"
    assert "Resolved issue: Sign-in error 503" in text(client.get(f"/t/{outage[0].id}/{outage[0].slug}"))
    assert client.post(f"/staff/incidents/{incident.id}/updates", data={"body": "Late"}).status_code == 422


def test_dismissing_an_alert(client, login_as, agent, outage):
    login_as(agent)
    alert = db.session.scalar(select(IncidentAlert))
    expect(client.post(f"/staff/incidents/alerts/{alert.id}/dismiss"), BACK)
    db.session.refresh(alert)
    assert alert.status == AlertStatus.DISMISSED.value
    assert client.post(f"/staff/incidents/alerts/{alert.id}/dismiss").status_code == 404
    assert detector.detect() == 0
