"""The agents' case desk: who may use it, the queue and its filters, working a case, resolving it, the staff inbox."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from forum import cases
from forum.core.extensions import db
from forum.http.urls import thread_path
from forum.models import Case, CaseSource, Post
from moderation.services import flags
from tests.web.helpers import BACK, FORBIDDEN, OK, SIGN_IN, expect, text

INTERNAL = "Internal — staff only"
SECRET_NOTE = "Customer is on the legacy billing system"


def current(case: Case) -> Case:
    """The case as the last request left it (requests run in their own session)."""
    db.session.refresh(case)
    return case


@pytest.fixture
def agent(make):
    return make.make_user(role="agent", username="agentsmith")


@pytest.fixture
def escalated(community):
    case, _ = cases.escalate_thread(community.author, community.thread, "Charged twice")
    return case


@pytest.fixture
def as_agent(switch_user, agent):
    return switch_user(agent)


def _case_paths(case_id: int) -> list[tuple[str, str, dict]]:
    base = f"/desk/cases/{case_id}"
    return [("get", "/desk", {}), ("get", base, {}), ("post", f"{base}/claim", {}),
            ("post", f"{base}/assign", {"assignee_id": ""}), ("post", f"{base}/status", {"status": "open"}),
            ("post", f"{base}/priority", {"priority": "high"}),
            ("post", f"{base}/messages", {"body": "Hi", "visibility": "customer"}),
            ("post", f"{base}/resolve", {"resolution": "Done"})]


@pytest.mark.parametrize(("caller", "outcome"), [
    ("anonymous", SIGN_IN), ("author", FORBIDDEN), ("other", FORBIDDEN), ("advocate", FORBIDDEN),
    ("moderator", FORBIDDEN),
])
def test_the_desk_refuses_everyone_but_agents_and_admins(escalated, act_as, caller, outcome):
    client = act_as(caller)
    for method, path, data in _case_paths(escalated.id):
        response = client.get(path) if method == "get" else client.post(path, data=data)
        expect(response, outcome)
    assert db.session.get(Case, escalated.id).status == "new"


@pytest.mark.parametrize("role", ["agent", "admin"])
def test_agents_and_admins_see_the_queue_and_the_case(escalated, make, login_as, client, role):
    login_as(make.make_user(role=role))
    queue = text(client.get("/desk"))
    assert f'href="/desk/cases/{escalated.id}"' in queue and "Charged twice for my plan" in queue
    expect(client.get(f"/desk/cases/{escalated.id}"), OK)
    header = text(client.get("/"))
    assert 'href="/desk"' in header and '1<span class="visually-hidden"> new or overdue' in header


def test_members_get_no_desk_link(escalated, act_as):
    assert 'href="/desk"' not in text(act_as("author").get("/"))


def test_the_queue_filters_and_flags_overdue_cases(make, as_agent, agent, clock_at):
    billing, shipping = make.make_category(name="Billing desk"), make.make_category(name="Shipping desk")
    old, _ = cases.escalate_thread(None, make.make_thread(category=billing, title="Old billing question"),
                                   source=CaseSource.SLA)
    clock_at.advance(hours=10)  # the old case (normal: 8 h) is now overdue
    urgent, _ = cases.escalate_thread(None, make.make_thread(category=shipping, title="Parcel lost"),
                                      source=CaseSource.SLA)
    cases.change_case(agent, urgent, cases.CaseChange(priority="urgent"))
    cases.claim_case(agent, urgent)
    page = text(as_agent.get("/desk"))
    assert page.index("Old billing question") < page.index("Parcel lost")  # oldest due first
    assert "case-row-overdue" in page and "<strong>Overdue</strong>" in page  # words, not colour alone

    def shown(query: str) -> tuple[bool, bool]:
        listed = text(as_agent.get(f"/desk?{query}"))
        return "Old billing question" in listed, "Parcel lost" in listed

    assert shown("overdue=y") == (True, False)
    assert shown("priority=urgent") == (False, True)
    assert shown("assignee=me") == (False, True)
    assert shown("assignee=none") == (True, False)
    assert shown("status=new") == (True, False)
    assert shown(f"category={shipping.id}") == (False, True)
    assert old.id != urgent.id


def test_bad_filters_show_in_the_form(escalated, as_agent):
    response = as_agent.get("/desk?status=bogus&cursor=zz")
    assert response.status_code == 422 and 'aria-invalid="true"' in text(response)


def test_the_case_page_shows_the_thread_history_and_labelled_internal_notes(escalated, community, agent, as_agent,
                                                                             make):
    make.make_thread(author=community.author, title="Earlier question about my router")
    cases.post_message(community.author, escalated, "My invoice number is INV-7", "customer")
    cases.post_message(agent, escalated, SECRET_NOTE, "internal")
    page = text(as_agent.get(f"/desk/cases/{escalated.id}"))
    assert "Check the invoices page" in page  # the public reply
    assert "Earlier question about my router" in page  # the customer's history
    assert "My invoice number is INV-7" in page and SECRET_NOTE in page
    note = page[page.index(SECRET_NOTE) - 600:page.index(SECRET_NOTE)]
    assert INTERNAL in note
    for form in ("claim", "assign", "status", "priority", "messages", "resolve"):
        assert f'action="/desk/cases/{escalated.id}/{form}"' in page
    assert page.count('name="csrf_token"') >= 6


def test_claim_assign_status_and_priority(escalated, agent, as_agent, make, community):
    other_agent = make.make_user(role="agent", username="otheragent")
    base = f"/desk/cases/{escalated.id}"
    expect(as_agent.post(f"{base}/claim"), BACK)
    assert (current(escalated).assignee_id, escalated.status) == (agent.id, "open")
    expect(as_agent.post(f"{base}/assign", data={"assignee_id": str(other_agent.id)}), BACK)
    assert current(escalated).assignee_id == other_agent.id
    expect(as_agent.post(f"{base}/status", data={"status": "pending_customer"}), BACK)
    expect(as_agent.post(f"{base}/priority", data={"priority": "urgent"}), BACK)
    assert (current(escalated).status, escalated.priority) == ("pending_customer", "urgent")
    assert "Waiting on the asker" in text(as_agent.get(thread_path(community.thread)))


@pytest.mark.parametrize(("path", "data", "field"), [
    ("assign", {"assignee_id": "abc"}, "assignee_id"),
    ("status", {"status": "sleeping"}, "status"),
    ("priority", {"priority": "whenever"}, "priority"),
    ("messages", {"body": " ", "visibility": "customer"}, "body"),
    ("messages", {"body": "Hi", "visibility": "everyone"}, "visibility"),
    ("resolve", {"resolution": ""}, "resolution"),
])
def test_bad_input_is_shown_in_its_form(escalated, as_agent, path, data, field):
    response = as_agent.post(f"/desk/cases/{escalated.id}/{path}", data=data)
    assert response.status_code == 422, text(response)[:300]
    assert f'{field}-errors' in text(response)
    assert db.session.get(Case, escalated.id).status == "new"


def test_assigning_to_a_member_is_refused(escalated, as_agent, community):
    response = as_agent.post(f"/desk/cases/{escalated.id}/assign", data={"assignee_id": str(community.other.id)})
    assert response.status_code == 422 and "Choose an agent or admin." in text(response)


def test_agent_messages_reach_the_customer_and_notes_stay_internal(escalated, as_agent, community, switch_user):
    base = f"/desk/cases/{escalated.id}"
    expect(as_agent.post(f"{base}/messages", data={"body": "Which card?", "visibility": "customer"}), BACK)
    expect(as_agent.post(f"{base}/messages", data={"body": SECRET_NOTE, "visibility": "internal"}), BACK)
    assert current(escalated).first_response_at is not None
    customer = switch_user(community.author)
    page = text(customer.get(f"/cases/{escalated.id}"))
    assert "Which card?" in page and SECRET_NOTE not in page and INTERNAL not in page
    assert SECRET_NOTE not in text(customer.get(thread_path(community.thread)))


def test_resolving_publishes_an_accepted_staff_answer(escalated, as_agent, community, switch_user):
    data = {"resolution": "We refunded the duplicate charge.", "publish": "y"}
    expect(as_agent.post(f"/desk/cases/{escalated.id}/resolve", data=data), BACK)
    assert current(escalated).status == "resolved"
    thread_page = text(switch_user(None).get(thread_path(community.thread)))
    solution = thread_page[thread_page.index('class="solution"'):]
    assert "Resolved by support" in solution and "We refunded the duplicate charge." in solution
    assert "badge-staff" in solution
    assert f"Support case #{escalated.id} (resolved)" in thread_page
    assert "Did this resolve your issue?" in text(switch_user(community.author).get(thread_path(community.thread)))


def test_resolving_without_publishing_leaves_the_thread_alone(escalated, as_agent, community):
    before = db.session.scalars(select(Post.id).where(Post.thread_id == community.thread.id)).all()
    expect(as_agent.post(f"/desk/cases/{escalated.id}/resolve", data={"resolution": "Handled by phone."}), BACK)
    assert current(escalated).status == "resolved" and escalated.resolution_post_id is None
    assert db.session.scalars(select(Post.id).where(Post.thread_id == community.thread.id)).all() == before
    again = as_agent.post(f"/desk/cases/{escalated.id}/resolve", data={"resolution": "Twice"})
    assert again.status_code == 409 and "already resolved" in text(again)


def test_the_resolve_form_publishes_by_default(escalated, as_agent):
    page = text(as_agent.get(f"/desk/cases/{escalated.id}"))
    checkbox = page[page.index('id="publish"') - 80:page.index('id="publish"') + 80]
    assert "checked" in checkbox


def test_the_desk_query_count_does_not_grow_with_cases(make, as_agent, agent, count_queries: Callable):
    def escalate(count: int) -> None:
        for _ in range(count):
            case, _ = cases.escalate_thread(None, make.make_thread(), source=CaseSource.SLA)
            cases.claim_case(make.make_user(role="agent"), case)

    escalate(2)
    few = count_queries("/desk")
    escalate(12)
    assert count_queries("/desk") == few


@pytest.mark.parametrize(("caller", "outcome"), [("anonymous", SIGN_IN), ("author", FORBIDDEN),
                                                 ("advocate", FORBIDDEN), ("moderator", OK), ("admin", OK)])
def test_the_needs_staff_inbox_is_for_staff(community, act_as, caller, outcome):
    expect(act_as(caller).get("/moderation/needs-staff"), outcome)


def test_the_needs_staff_inbox_gathers_escalations_and_flags(escalated, community, act_as, as_agent):
    flags.flag_post(community.other, community.question, flags.NewFlag("needs_staff", "Account locked"))
    page = text(as_agent.get("/moderation/needs-staff"))
    assert f'href="/desk/cases/{escalated.id}"' in page and "Account locked" in page
    moderator_page = text(act_as("moderator").get("/moderation/needs-staff"))
    assert "Account locked" in moderator_page and "/desk/cases/" not in moderator_page  # cases are the agents'


def test_unknown_cases_are_not_found(as_agent):
    expect(as_agent.get("/desk/cases/999999"), 404)
    expect(as_agent.post("/desk/cases/999999/claim"), 404)


def test_the_thread_page_with_a_case_costs_the_same_for_any_number_of_replies(make, agent, login_as,
                                                                              count_queries: Callable):
    def thread_with_case(replies: int) -> str:
        thread = make.make_thread(replies=replies)
        case, _ = cases.escalate_thread(None, thread, source=CaseSource.SLA)
        cases.post_message(agent, case, "On it.", "customer")
        return thread_path(thread)

    short, long = thread_with_case(2), thread_with_case(20)
    login_as(make.make_user())
    assert count_queries(short) == count_queries(long)
