"""Webhook delivery against a real HTTP receiver: signatures, outages, backoff, disabling, a killed worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from forum.core import clock
from forum.core.extensions import db
from forum.integrations import webhooks
from forum.integrations.webhooks import SubscriptionInput
from forum.models import Job, Notification, User, WebhookDelivery, WebhookSubscription
from tests import factories
from tests.support.receiver import Receiver, running_receiver

SECRET = "receiver-shared-secret"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from running_receiver()


@pytest.fixture
def admin(make) -> User:
    return make.make_user("admin")


def subscribe(admin: User, url: str, events: tuple[str, ...] = ("thread.created",)) -> WebhookSubscription:
    """A subscription to the local receiver: loopback, so the admin ticks "on-premises host"."""
    return webhooks.create_subscription(admin, SubscriptionInput(url, list(events), SECRET, allow_private=True))


def all_deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_deliveries_are_signed_as_documented(admin, make, receiver: Receiver, run_jobs, clock_at):
    subscribe(admin, receiver.url)
    thread = make.make_thread(title="Printer offline after update")
    run_jobs()
    [request] = receiver.received
    assert request.verify(SECRET)
    assert not request.verify("another-secret-entirely")
    assert request.headers["Horseshoe-Timestamp"] == str(int(clock_at.now.timestamp()))
    assert request.headers["Content-Type"] == "application/json"
    body = request.json
    assert body["id"] == request.event_id and body["type"] == "thread.created"
    assert body["created_at"] == "2026-11-20T09:00:00Z"
    assert body["data"]["thread"]["id"] == thread.id
    assert body["data"]["thread"]["title"] == "Printer offline after update"
    [delivery] = all_deliveries()
    assert (delivery.status, delivery.last_status_code, delivery.attempts) == ("delivered", 200, 1)


def test_a_receiver_down_for_a_while_gets_every_event_once_back_up(admin, make, receiver, run_jobs, clock_at):
    subscribe(admin, receiver.url)
    receiver.status = 500
    threads = [make.make_thread() for _ in range(3)]
    run_jobs()
    assert [r.answered for r in receiver.received] == [500, 500, 500]
    for delivery in all_deliveries():
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, 500)
        assert timedelta(seconds=24) <= delivery.next_attempt_at - clock_at.now <= timedelta(seconds=36)
    assert run_jobs() == 0  # backing off: nothing is due yet
    receiver.stop()  # now connections are refused
    clock_at.advance(seconds=40)
    run_jobs()
    for delivery in all_deliveries():
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 2, None)
        assert "Connection refused" in delivery.last_error
        assert timedelta(seconds=48) <= delivery.next_attempt_at - clock_at.now <= timedelta(seconds=72)
    receiver.status = 200
    receiver.start()
    clock_at.advance(minutes=2)
    run_jobs()
    assert [d.status for d in all_deliveries()] == ["delivered"] * 3
    arrived = {r.json["data"]["thread"]["id"] for r in receiver.unique()}
    assert arrived == {thread.id for thread in threads}
    by_event: dict[str, set[bytes]] = {}
    for request in receiver.received:  # every retry of an event: the same id and the same body
        by_event.setdefault(request.event_id, set()).add(request.body)
    assert len(by_event) == 3 and all(len(bodies) == 1 for bodies in by_event.values())


def test_retry_after_from_the_receiver_is_honoured(admin, make, receiver, run_jobs, clock_at):
    subscribe(admin, receiver.url)
    receiver.status, receiver.extra_headers = 503, {"Retry-After": "120"}
    make.make_thread()
    run_jobs()
    [delivery] = all_deliveries()
    assert delivery.next_attempt_at == clock_at.now + timedelta(seconds=120)
    assert delivery.last_error == "HTTP 503 Service Unavailable: {}"
    clock_at.advance(seconds=119)
    assert run_jobs() == 0
    clock_at.advance(seconds=1)
    receiver.status = 200
    run_jobs()
    assert [d.status for d in all_deliveries()] == ["delivered"]


def test_a_day_of_failures_disables_the_subscription_and_tells_the_admins(admin, make, receiver, run_jobs, clock_at):
    other_admin = make.make_user("admin")
    subscription = subscribe(admin, receiver.url)
    receiver.status = 500
    make.make_thread()
    for _hour in range(25):
        run_jobs()
        clock_at.advance(hours=1)
    run_jobs()
    db.session.expire_all()
    assert subscription.active is False and subscription.disabled_at is not None
    [delivery] = all_deliveries()
    assert delivery.status == "dead" and delivery.next_attempt_at is None
    assert len(receiver.received) == delivery.attempts  # every attempt reached the (failing) receiver
    for person in (admin, other_admin):
        [note] = db.session.scalars(select(Notification).where(Notification.user_id == person.id)).all()
        assert note.message.startswith(f"The webhook to {receiver.url} was disabled after a day of failed deliveries.")
    make.make_thread()
    assert len(all_deliveries()) == 1  # a disabled subscription gets nothing new


def test_one_success_ends_the_failing_streak(admin, make, receiver, run_jobs, clock_at):
    subscription = subscribe(admin, receiver.url)
    receiver.status = 500
    make.make_thread()
    run_jobs()
    assert subscription.failing_since == clock_at.now
    receiver.status = 200
    clock_at.advance(minutes=5)
    run_jobs()
    db.session.expire_all()
    assert subscription.failing_since is None and subscription.active is True


def test_redirects_are_not_followed(admin, make, receiver, run_jobs):
    subscribe(admin, receiver.url)
    receiver.status = 302
    make.make_thread()
    run_jobs()
    [delivery] = all_deliveries()
    assert (delivery.status, delivery.last_status_code) == ("failed", 302)
    assert delivery.last_error == "HTTP 302: redirects are not followed."
    assert len(receiver.received) == 1


def test_the_address_is_checked_again_at_delivery_time(admin, make, receiver, run_jobs):
    subscription = webhooks.create_subscription(
        admin, SubscriptionInput("https://93.184.215.14/hook", ["thread.created"], SECRET))
    subscription.url = receiver.url  # as if its DNS now pointed at this server (rebinding), without the opt-in
    db.session.commit()
    make.make_thread()
    run_jobs()
    [delivery] = all_deliveries()
    assert delivery.status == "failed" and delivery.last_status_code is None
    assert delivery.last_error.startswith("Refused: 127.0.0.1 is a loopback address")
    assert receiver.received == []


def test_redeliver_sends_the_same_event_again(admin, make, receiver, run_jobs):
    subscribe(admin, receiver.url)
    make.make_thread()
    run_jobs()
    [delivery] = all_deliveries()
    webhooks.redeliver(admin, delivery)
    run_jobs()
    assert [r.event_id for r in receiver.received] == [delivery.event_id, delivery.event_id]
    assert len(receiver.unique()) == 1


# --- a worker killed mid-delivery ----------------------------------------------------------------------


def _worker_env(app: Flask) -> dict[str, str]:
    settings = app.config["HORSESHOE"]
    env = {**os.environ, "HORSESHOE_DATA_DIR": settings.data_dir,
           "HORSESHOE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "HORSESHOE_SECRET_KEY": "test-secret-key", "HORSESHOE_TESTING": "1",
           "HORSESHOE_MAIL_PORT": str(settings.mail_port)}
    if settings.redis_url:
        env["HORSESHOE_REDIS_URL"] = settings.redis_url
    return env


def _flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def test_killing_the_worker_mid_delivery_loses_nothing(app, committed, receiver):
    """A real worker process is SIGKILLed while the receiver holds its request; after the lease a fresh
    worker delivers the event again, with the same id (the receiver drops the duplicate)."""
    admin = factories.make_user("admin")
    subscribe(admin, receiver.url)
    thread = factories.make_thread()
    receiver.stall.set()
    worker = subprocess.Popen(_flask("worker", "--poll", "0.2"), cwd=ROOT, env=_worker_env(app),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert receiver.arrived.wait(timeout=60), "the worker never sent the delivery"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    receiver.stall.clear()
    receiver.release.set()  # the stalled request completes at the receiver, but nobody hears the answer
    db.session.expire_all()
    [delivery] = all_deliveries()
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.claimed_until is not None
    # Instead of waiting out the 5-minute lease, move both leases into the past: the same as time passing.
    past = clock.now() - timedelta(seconds=1)
    db.session.execute(update(Job).where(Job.name == "webhooks.deliver").values(locked_until=past))
    db.session.execute(update(WebhookDelivery).values(claimed_until=past))
    db.session.commit()
    finished = subprocess.run(_flask("worker", "--until-empty"), cwd=ROOT, env=_worker_env(app),
                              capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr[-2000:]
    [delivery] = all_deliveries()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert [r.json["data"]["thread"]["id"] for r in receiver.unique()] == [thread.id]
    assert {r.event_id for r in receiver.received} == {delivery.event_id}
    assert json.loads(receiver.received[-1].body)["id"] == delivery.event_id
