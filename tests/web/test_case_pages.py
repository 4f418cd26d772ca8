"""The public face of service cases: escalating from the thread, the support banner, the customer's case page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum import cases
from forum.core.extensions import db
from forum.models import Case, CaseSource
from forum.services import feedback
from tests.web.helpers import BACK, FORBIDDEN, NOT_FOUND, OK, SIGN_IN, expect, text

ASK = "I still need help from the support team"
SECRET_NOTE = "Refund approved by finance, ledger ref ZX-99"


@pytest.fixture
def agent(make):
    return make.make_user(role="agent", username="agentsmith")


def case_count() -> int:
    return db.session.scalar(select(func.count(Case.id)))


def only_case() -> Case:
    return db.session.scalars(select(Case)).one()


def test_the_asker_escalates_from_the_thread_page_and_sees_the_banner(community, act_as):
    client = act_as("author")
    page = text(client.get(f"/t/{community.thread.id}/{community.thread.slug}"))
    assert ASK in page and f'action="/t/{community.thread.id}/escalate"' in page
    response = client.post(f"/t/{community.thread.id}/escalate", data={"reason": "Still charged twice"})
    expect(response, BACK)
    case = only_case()
    assert (case.source, case.reason, case.customer_id) == (CaseSource.CUSTOMER.value, "Still charged twice",
                                                             community.author.id)
    page = text(client.get(f"/t/{community.thread.id}/{community.thread.slug}"))
    assert f"A support agent is on this — case #{case.id} (received, waiting for an agent)" in page
    assert f'href="/cases/{case.id}"' in page  # the asker's way to the private conversation
    assert "Escalated to support" in page  # the public timeline
    assert ASK not in page  # no second escalation while the case is open


def test_escalating_again_shows_the_existing_case(community, act_as):
    client = act_as("author")
    client.post(f"/t/{community.thread.id}/escalate", data={})
    again = client.post(f"/t/{community.thread.id}/escalate", data={}, follow_redirects=True)
    assert f"already has a support case: case #{only_case().id}" in text(again)
    staff = act_as("moderator").post(f"/t/{community.thread.id}/escalate", data={}, follow_redirects=True)
    assert "already has a support case" in text(staff) and case_count() == 1


@pytest.mark.parametrize(("caller", "label"), [
    ("author", ASK), ("advocate", "Recommend escalation"), ("moderator", "Escalate to support"),
    ("other", None), ("anonymous", None),
])
def test_each_role_sees_its_own_escalation_control(community, act_as, caller, label):
    page = text(act_as(caller).get(f"/t/{community.thread.id}/{community.thread.slug}"))
    for shown in (ASK, "Recommend escalation", "Escalate to support"):
        assert (shown in page) is (shown == label)


@pytest.mark.parametrize(("caller", "source"), [("advocate", "advocate"), ("moderator", "staff"), ("admin", "staff")])
def test_advocates_recommend_and_staff_escalate_with_their_source(community, act_as, caller, source):
    expect(act_as(caller).post(f"/t/{community.thread.id}/escalate", data={"reason": "Billing issue"}), BACK)
    assert only_case().source == source
    banner = text(act_as("anonymous").get(f"/t/{community.thread.id}/{community.thread.slug}"))
    assert f"A support agent is on this — case #{only_case().id}" in banner
    assert "/cases/" not in banner  # the link to the private page is the asker's


@pytest.mark.parametrize(("caller", "outcome"), [("other", FORBIDDEN), ("anonymous", SIGN_IN)])
def test_others_cannot_escalate(community, act_as, caller, outcome):
    expect(act_as(caller).post(f"/t/{community.thread.id}/escalate", data={}), outcome)
    assert case_count() == 0


def test_a_too_long_reason_is_shown_in_the_form(community, act_as):
    response = act_as("author").post(f"/t/{community.thread.id}/escalate", data={"reason": "x" * 2001})
    assert response.status_code == 422 and "errors" in text(response) and case_count() == 0


def test_the_asker_is_pointed_to_support_after_a_day_without_a_solution(make, login_as, client, clock_at):
    asker = make.make_user()
    thread = make.make_thread(author=asker)
    login_as(asker)
    assert "escalation-suggested" not in text(client.get(f"/t/{thread.id}/{thread.slug}"))
    clock_at.advance(hours=25)
    page = text(client.get(f"/t/{thread.id}/{thread.slug}"))
    assert "escalation-suggested" in page and "waited more than 24 hours without a solution" in page


def test_a_no_to_feedback_offers_the_support_team(community, act_as):
    feedback.give_feedback(community.author, community.thread, feedback.FeedbackInput(resolved=False))
    page = text(act_as("author").get(f"/t/{community.thread.id}/{community.thread.slug}"))
    offer = page[page.index('id="more-help"'):]
    assert ASK in offer[:offer.index("</section>")]
    expect(act_as("author").post(f"/t/{community.thread.id}/escalate", data={}), BACK)
    assert only_case().source == "customer"


@pytest.fixture
def escalated(community):
    case, _ = cases.escalate_thread(community.author, community.thread, "Charged twice")
    return case


@pytest.mark.parametrize(("caller", "outcome"), [
    ("author", OK), ("other", NOT_FOUND), ("advocate", NOT_FOUND), ("moderator", NOT_FOUND), ("anonymous", SIGN_IN),
])
def test_only_the_customer_sees_their_case_page(escalated, act_as, caller, outcome):
    expect(act_as(caller).get(f"/cases/{escalated.id}"), outcome)
    expect(act_as(caller).post(f"/cases/{escalated.id}/messages", data={"body": "Hi"}),
           BACK if outcome == OK else outcome)


def test_agents_opening_a_customer_case_page_go_to_the_desk(escalated, agent, login_as, client):
    login_as(agent)
    response = client.get(f"/cases/{escalated.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/desk/cases/{escalated.id}")


def test_the_customer_writes_privately_and_reads_support_replies(escalated, agent, act_as, community):
    client = act_as("author")
    expect(client.post(f"/cases/{escalated.id}/messages", data={"body": "My account number is 12345678"}), BACK)
    cases.post_message(agent, escalated, "Thanks, I can see the double charge.", "customer")
    page = text(client.get(f"/cases/{escalated.id}"))
    assert "My account number is 12345678" in page and "I can see the double charge" in page
    assert "in progress" in page  # the agent's reply took the case on
    assert "My account number" not in text(act_as("other").get(f"/t/{community.thread.id}/{community.thread.slug}"))


def test_an_empty_message_is_refused_in_the_form(escalated, act_as):
    response = act_as("author").post(f"/cases/{escalated.id}/messages", data={"body": "  "})
    assert response.status_code == 422 and 'aria-invalid="true"' in text(response)


def test_internal_notes_never_reach_the_customer_or_the_thread(escalated, agent, act_as, community):
    cases.post_message(agent, escalated, SECRET_NOTE, "internal")
    cases.change_case(agent, escalated, cases.CaseChange(status="pending_customer"))
    author = act_as("author")
    for path in (f"/t/{community.thread.id}/{community.thread.slug}", f"/cases/{escalated.id}", "/notifications"):
        assert SECRET_NOTE not in text(author.get(path)), path
    thread_page = text(act_as("anonymous").get(f"/t/{community.thread.id}/{community.thread.slug}"))
    assert SECRET_NOTE not in thread_page and "Waiting on the asker" in thread_page
    author = act_as("author")  # one client: signing out above signed the asker out too
    assert "Waiting on you" in text(author.get(f"/t/{community.thread.id}/{community.thread.slug}"))
    forged = author.post(f"/cases/{escalated.id}/messages", data={"body": "sneaky", "visibility": "internal"})
    expect(forged, BACK)  # the customer's form has no visibility: it is always a customer message
    assert [m.visibility for m in cases.messages_for(community.author, escalated)] == ["customer"]
