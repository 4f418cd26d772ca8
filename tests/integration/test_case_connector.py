"""The helpdesk connector against a real HTTP receiver: cases out in order per case, status events in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum import cases
from forum.core import clock
from forum.core.extensions import db
from forum.integrations import delivery, helpdesk
from forum.integrations.helpdesk import ConnectorInput
from forum.models import Case, Category, InboundEvent, Notification, Thread, User, WebhookDelivery
from tests.support.receiver import Receiver, running_receiver

SECRET = "helpdesk-shared-secret"
EVENTS = "/api/v1/integrations/cases/events"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from running_receiver()


@pytest.fixture
def admin(make) -> User:
    return make.make_user("admin")


@pytest.fixture
def agent(make) -> User:
    return make.make_user("agent")


@pytest.fixture
def category(make, admin, receiver: Receiver) -> Category:
    """A category whose cases go to the helpdesk (a loopback receiver, so the admin allows it)."""
    category = make.make_category("Billing")
    helpdesk.save_connector(admin, category, ConnectorInput(receiver.url, SECRET, True, True))
    return category


def open_case(make, category: Category, title: str = "Charged twice this month") -> Case:
    thread = make.make_thread(category=category, title=title)
    return cases.escalate_thread(thread.author, thread, "Nobody could help")[0]


def kinds(requests) -> list[tuple[str, int, str]]:
    return [(r.json["type"], r.json["data"]["case"]["id"], r.json["data"].get("change", "")) for r in requests]


# --- outbound ---------------------------------------------------------------------------------------


def test_a_case_and_its_updates_reach_the_helpdesk_in_order(make, category, agent, receiver, run_jobs):
    case = open_case(make, category)
    cases.claim_case(agent, case)
    cases.post_message(agent, case, "Flagged for fraud review - internal only", "internal")
    cases.post_message(agent, case, "Please send the last four digits of the card.", "customer")
    cases.resolve_case(agent, case, "Refunded the second charge.", publish_to_thread=False)
    run_jobs()
    assert kinds(receiver.received) == [
        ("case.created", case.id, ""), ("case.updated", case.id, "assignee"), ("case.updated", case.id, "status"),
        ("case.updated", case.id, "message"), ("case.resolved", case.id, "status"),
    ]
    assert all(r.verify(SECRET) for r in receiver.received)
    created, message = receiver.received[0].json["data"], receiver.received[3].json["data"]
    assert created["thread"]["title"] == "Charged twice this month"
    assert created["case"]["customer"]["email"] == case.customer.email
    assert created["question"]["body"].startswith("My router keeps dropping")
    assert message["message"]["body"] == "Please send the last four digits of the card."
    assert receiver.received[-1].json["data"]["case"]["resolution"] == "Refunded the second charge."
    assert not any(b"fraud review" in r.body for r in receiver.received)


def test_cases_of_other_categories_stay_on_the_built_in_desk(make, category, receiver, run_jobs):
    open_case(make, make.make_category("Hardware"))
    run_jobs()
    assert receiver.received == []


def test_the_helpdesk_ticket_id_in_its_answer_is_remembered(make, category, receiver, run_jobs):
    receiver.answer = {"external_ref": "HD-77"}
    case = open_case(make, category)
    run_jobs()
    db.session.refresh(case)
    assert case.external_ref == "HD-77"


def test_a_helpdesk_down_for_hours_gets_every_case_in_order_once_back(make, category, agent, receiver, run_jobs,
                                                                     clock_at):
    receiver.status = 500
    first, second = open_case(make, category, "Charged twice"), open_case(make, category, "Refund missing")
    cases.claim_case(agent, first)
    cases.change_case(agent, second, cases.CaseChange(priority="high"))
    cases.change_case(agent, first, cases.CaseChange(status="pending_customer"))
    for _step in range(10):  # five hours of outage: half 500s, half connection refused
        run_jobs()
        if _step == 5:
            receiver.stop()
        clock_at.advance(minutes=30)
    attempted = {(r.json["type"], r.json["data"]["case"]["id"]) for r in receiver.received}
    assert attempted == {("case.created", first.id), ("case.created", second.id)}  # later events waited their turn
    receiver.status = 200
    receiver.start()
    for _step in range(4):
        clock_at.advance(minutes=30)
        run_jobs()
    delivered = receiver.unique()
    assert [k for k in kinds(delivered) if k[1] == first.id] == [
        ("case.created", first.id, ""), ("case.updated", first.id, "assignee"), ("case.updated", first.id, "status"),
        ("case.updated", first.id, "status"),
    ]
    assert [k for k in kinds(delivered) if k[1] == second.id] == [
        ("case.created", second.id, ""), ("case.updated", second.id, "priority"),
    ]
    statuses = db.session.scalars(select(WebhookDelivery.status).where(WebhookDelivery.connector_id.is_not(None)))
    assert set(statuses) == {"delivered"}


# --- inbound ----------------------------------------------------------------------------------------


def post_event(client, data: dict, *, event_id: str = "evt-1", secret: str = SECRET, stamp: str | None = None,
               event_type: str = "case.updated"):
    body = json.dumps({"id": event_id, "type": event_type, "created_at": "2026-11-20T09:00:00Z",
                       "data": data}).encode()
    stamp = stamp or str(int(clock.now().timestamp()))
    headers = {"Horseshoe-Event-Id": event_id, "Horseshoe-Timestamp": stamp,
               "Horseshoe-Signature": delivery.sign(secret, stamp, body)}
    return client.post(EVENTS, data=body, headers=headers, content_type="application/json")


@pytest.fixture
def linked_case(make, category) -> Case:
    case = open_case(make, category)
    case.external_ref = "HD-9"
    db.session.commit()
    return case


def customer_notes(case: Case) -> list[str]:
    return list(db.session.scalars(select(Notification.message).where(
        Notification.user_id == case.customer_id, Notification.kind == "case_update").order_by(Notification.id)))


def test_a_signed_status_event_moves_the_case_and_the_thread_shows_it(client, linked_case):
    response = post_event(client, {"external_ref": "HD-9", "status": "pending_customer",
                                   "note": "Which card did you pay with?"})
    assert response.status_code == 204 and response.data == b""
    db.session.refresh(linked_case)
    assert linked_case.status == "pending_customer"
    page = client.get(f"/t/{linked_case.thread_id}", follow_redirects=True).get_data(as_text=True)
    assert "Waiting on the asker" in page
    assert customer_notes(linked_case)[-1] == f"Your support case #{linked_case.id} is waiting on you."
    [event] = [e for e in cases.public_timeline(linked_case) if e.kind == "pending_customer"]
    assert event.detail == "Updated in the helpdesk: Which card did you pay with?"


def test_first_contact_by_case_id_remembers_the_ticket(client, make, category):
    case = open_case(make, category)
    assert post_event(client, {"case_id": case.id, "external_ref": "HD-100", "status": "open"}).status_code == 204
    db.session.refresh(case)
    assert (case.status, case.external_ref) == ("open", "HD-100")
    assert post_event(client, {"external_ref": "HD-100", "status": "pending_customer"},
                      event_id="evt-2").status_code == 204


def test_a_resolution_from_the_helpdesk_resolves_and_asks_the_customer(client, linked_case):
    response = post_event(client, {"external_ref": "HD-9", "resolution": "Refunded."}, event_type="case.resolved")
    assert response.status_code == 204
    db.session.refresh(linked_case)
    assert (linked_case.status, linked_case.resolution) == ("resolved", "Refunded.")
    thread = db.session.get(Thread, linked_case.thread_id)
    assert thread.feedback_requested_at is not None and thread.status != "escalated"


def test_inbound_changes_are_not_echoed_back_to_the_helpdesk(client, linked_case, run_jobs, receiver):
    run_jobs()
    before = len(receiver.received)
    assert post_event(client, {"external_ref": "HD-9", "status": "open"}).status_code == 204
    run_jobs()
    assert len(receiver.received) == before


def _unchanged(case: Case) -> None:
    db.session.refresh(case)
    assert case.status == "new"
    assert db.session.scalars(select(InboundEvent)).all() == []


def test_a_bad_signature_is_refused_and_changes_nothing(client, linked_case):
    response = post_event(client, {"external_ref": "HD-9", "status": "closed"}, secret="not-the-helpdesk-secret")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "The signature does not match any active helpdesk connector."
    _unchanged(linked_case)


def test_a_missing_signature_is_refused(client, linked_case):
    response = client.post(EVENTS, json={"id": "x", "type": "case.updated", "data": {"external_ref": "HD-9"}})
    assert response.status_code == 401
    _unchanged(linked_case)


@pytest.mark.parametrize("offset", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_a_stale_or_future_timestamp_is_refused(client, linked_case, clock_at, offset):
    stamp = str(int((clock_at.now + offset).timestamp()))
    response = post_event(client, {"external_ref": "HD-9", "status": "closed"}, stamp=stamp)
    assert response.status_code == 401
    assert response.get_json()["detail"] == "The timestamp is more than 5 minutes away from now: refused as stale."
    _unchanged(linked_case)


def test_a_replayed_event_id_is_refused_and_not_applied_again(client, linked_case):
    assert post_event(client, {"external_ref": "HD-9", "status": "open"}).status_code == 204
    replay = post_event(client, {"external_ref": "HD-9", "status": "closed"})
    assert replay.status_code == 401
    assert replay.get_json()["detail"] == "This event id was already applied: replays are refused."
    db.session.refresh(linked_case)
    assert linked_case.status == "open"


def test_an_unknown_case_is_a_404_and_leaves_the_event_id_unused(client, linked_case, make):
    assert post_event(client, {"external_ref": "HD-404", "status": "open"}).status_code == 404
    other = open_case(make, make.make_category("Elsewhere"))
    assert post_event(client, {"case_id": other.id, "status": "open"}).status_code == 404  # not this helpdesk's
    assert post_event(client, {"external_ref": "HD-9", "status": "open"}).status_code == 204


def test_a_malformed_event_names_each_bad_field(client, linked_case):
    response = post_event(client, {"external_ref": "HD-9", "status": "done", "note": 5})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "status": ["Use one of: open, pending_customer, resolved, closed."],
        "note": ["Use text of at most 2,000 characters."],
    }
    _unchanged(linked_case)
