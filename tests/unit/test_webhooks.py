"""Webhook subscriptions and the events they receive: which deliveries a change writes, and what they carry."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlalchemy import select

from forum import cases
from forum.core.errors import Forbidden, Invalid
from forum.core.extensions import db
from forum.integrations import delivery as webhook_delivery
from forum.integrations import webhooks
from forum.integrations.webhooks import SubscriptionInput
from forum.models import Job, Post, User, WebhookDelivery, WebhookSubscription
from forum.services import moderation_state, qa
from tests.moderation_support import HOLD_WORD, holding  # noqa: F401 - a fixture

PUBLIC_URL = "https://93.184.215.14/hooks/horseshoe"  # an IP literal: no DNS needed, and never contacted here
SECRET = "s3cret-s3cret-s3cret"


@pytest.fixture
def admin(make) -> User:
    return make.make_user("admin")


def subscribe(admin: User, events: list[str], **kwargs) -> WebhookSubscription:
    return webhooks.create_subscription(admin, SubscriptionInput(PUBLIC_URL, events, SECRET, **kwargs))


def deliveries(event_type: str | None = None) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if event_type:
        query = query.where(WebhookDelivery.event_type == event_type)
    return list(db.session.scalars(query))


def data_of(delivery: WebhookDelivery) -> dict:
    return json.loads(delivery.payload_json)


# --- subscriptions ---------------------------------------------------------------------------------


def test_an_admin_subscribes_a_public_url_to_event_types(admin):
    subscription = subscribe(admin, ["post.created", "thread.created"])
    assert subscription.url == PUBLIC_URL and subscription.active is True
    assert webhooks.events_of(subscription) == ["thread.created", "post.created"]  # catalogue order
    assert webhooks.list_subscriptions(admin) == [subscription]


def test_an_empty_secret_gets_a_generated_one(admin):
    subscription = webhooks.create_subscription(admin, SubscriptionInput(PUBLIC_URL, ["thread.created"], ""))
    assert len(subscription.secret) >= 40


def test_every_problem_is_reported_at_once(admin):
    with pytest.raises(Invalid) as refused:
        webhooks.create_subscription(admin, SubscriptionInput("http://127.0.0.1:8080/x", ["thread.made"], "short"))
    errors = refused.value.errors
    assert errors["url"] == ["127.0.0.1 is a loopback address (this server itself). Tick “on-premises host” if "
                             "this is your own server inside your network."]
    assert errors["events"][0].startswith("Unknown event type 'thread.made': choose from thread.created, ")
    assert errors["secret"] == ["Use a secret of 16 to 200 characters, or leave it empty to have one generated."]


def test_no_events_is_refused(admin):
    with pytest.raises(Invalid) as refused:
        subscribe(admin, [])
    assert refused.value.errors == {"events": ["Choose at least one event type."]}


def test_a_loopback_url_is_accepted_when_the_admin_vouches_for_an_on_premises_host(admin):
    subscription = webhooks.create_subscription(
        admin, SubscriptionInput("http://127.0.0.1:8080/x", ["thread.created"], SECRET, allow_private=True))
    assert subscription.allow_private is True


@pytest.mark.parametrize("role", ["member", "moderator", "agent"])
def test_only_admins_manage_webhooks(make, role):
    with pytest.raises(Forbidden):
        webhooks.create_subscription(make.make_user(role), SubscriptionInput(PUBLIC_URL, ["thread.created"], SECRET))


# --- events becoming deliveries ----------------------------------------------------------------------


def test_a_new_thread_writes_one_delivery_and_its_job_in_the_same_transaction(admin, make):
    subscription = subscribe(admin, ["thread.created"])
    thread = make.make_thread(title="Router drops Wi-Fi at night")
    [delivery] = deliveries()
    assert (delivery.subscription_id, delivery.event_type, delivery.status) == (subscription.id, "thread.created",
                                                                                 "pending")
    assert data_of(delivery)["thread"]["title"] == "Router drops Wi-Fi at night"
    assert data_of(delivery)["thread"]["id"] == thread.id
    job = db.session.scalars(select(Job).where(Job.name == "webhooks.deliver")).one()
    assert json.loads(job.payload_json) == {"delivery_id": delivery.id}


def test_only_subscribed_event_types_are_delivered(admin, make):
    subscribe(admin, ["post.created"])
    thread = make.make_thread()
    make.make_reply(thread, body="Update the firmware first.")
    assert [d.event_type for d in deliveries()] == ["post.created"]
    assert data_of(deliveries()[0])["post"]["body"] == "Update the firmware first."


def test_two_subscriptions_get_the_same_event_id(admin, make):
    subscribe(admin, ["thread.created"])
    subscribe(admin, ["thread.created", "post.created"])
    make.make_thread()
    first, second = deliveries()
    assert first.event_id == second.event_id and first.subscription_id != second.subscription_id


def test_disabled_subscriptions_get_nothing(admin, make):
    subscription = subscribe(admin, ["thread.created"])
    subscription.active = False
    db.session.commit()
    make.make_thread()
    assert deliveries() == []


def test_solved_escalated_and_hidden_events(admin, make):
    subscribe(admin, ["thread.solved", "thread.escalated", "post.hidden"])
    thread = make.make_thread()
    reply = make.make_reply(thread)
    qa.accept_solution(thread.author, thread, reply)
    case, _ = cases.escalate_thread(thread.author, thread, "Still broken")
    moderation_state.hide_post(reply, admin, "spam")
    db.session.commit()
    assert [d.event_type for d in deliveries()] == ["thread.solved", "thread.escalated", "post.hidden"]
    solved, escalated, hidden = (data_of(d) for d in deliveries())
    assert solved["thread"]["solved_by"] == "community" and solved["thread"]["accepted_post_id"] == reply.id
    assert escalated["case"]["id"] == case.id and escalated["case"]["status"] == "new"
    assert hidden == {"post": {"id": reply.id, "thread_id": thread.id, "is_question": False}}


def test_case_updates_carry_no_internal_notes_and_no_private_message_bodies(admin, make):
    subscribe(admin, ["case.updated", "case.resolved"])
    agent = make.make_user("agent")
    thread = make.make_thread()
    case, _ = cases.escalate_thread(thread.author, thread, "Still broken")
    cases.post_message(agent, case, "Customer's account 12345 is flagged - internal", "internal")
    assert deliveries() == []
    cases.post_message(agent, case, "Please send your router model.", "customer")
    cases.resolve_case(agent, case, "Replaced the router.", publish_to_thread=False)
    kinds = [(d.event_type, data_of(d)["change"]) for d in deliveries()]
    assert kinds == [("case.updated", "message"), ("case.updated", "status"), ("case.resolved", "status")]
    everything = " ".join(d.payload_json for d in deliveries())
    assert "internal" not in everything.replace('"visibility": "customer"', "")
    assert "router model" not in everything
    assert data_of(deliveries()[-1])["case"]["resolution"] == "Replaced the router."


@pytest.mark.usefixtures("holding")
def test_a_held_post_is_announced_only_when_a_moderator_approves_it(admin, make):
    subscribe(admin, ["thread.created", "post.created"])
    thread = make.make_thread()
    reply = make.make_reply(thread, body=f"Call me, {HOLD_WORD}")
    held_thread = make.make_thread(body=f"Question {HOLD_WORD}")
    assert reply.visibility == "pending" and [d.event_type for d in deliveries()] == ["thread.created"]
    moderation_state.publish_post(reply, admin)
    moderation_state.publish_post(db.session.scalars(select(Post).where(Post.thread_id == held_thread.id)).one(), admin)
    db.session.commit()
    assert [d.event_type for d in deliveries()] == ["thread.created", "post.created", "thread.created"]
    assert data_of(deliveries()[1])["post"]["id"] == reply.id
    assert data_of(deliveries()[2])["thread"]["id"] == held_thread.id


# --- signing ---------------------------------------------------------------------------------------


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    body = b'{"id":"e1"}'
    expected = hmac.new(b"topsecret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert webhook_delivery.sign("topsecret", "1700000000", body) == f"v1={expected}"


def test_the_envelope_is_id_type_created_at_data(admin, make, clock_at):
    subscribe(admin, ["thread.created"])
    thread = make.make_thread()
    document = json.loads(webhook_delivery.envelope(deliveries()[0]))
    assert set(document) == {"id", "type", "created_at", "data"}
    assert document["type"] == "thread.created" and document["created_at"] == "2026-11-20T09:00:00Z"
    assert document["data"]["thread"]["id"] == thread.id


def test_retry_delays_double_up_to_an_hour_with_jitter():
    assert 24 <= webhook_delivery.retry_delay_s(1) <= 36
    assert 48 <= webhook_delivery.retry_delay_s(2) <= 72
    assert 2880 <= webhook_delivery.retry_delay_s(8) <= 4320
    assert 2880 <= webhook_delivery.retry_delay_s(30) <= 4320
    assert webhook_delivery.retry_delay_s(3, retry_after_s=120) == 120
    assert webhook_delivery.retry_delay_s(3, retry_after_s=99999) == 3600
