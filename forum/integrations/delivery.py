"""Signed, at-least-once delivery of outbound events (webhook subscriptions and helpdesk connectors).

A WebhookDelivery row and its job are written in the transaction of the change (an outbox).
The job reads what to send, claims the row, commits, and only then makes the HTTP call, so no
database transaction is held over the network. 2xx is delivered; anything else retries with
exponential backoff and jitter (honouring Retry-After) for a day, then the delivery is dead.
A subscription failing for a whole day is disabled and the admins are told.

Connector deliveries carry their case: they go out one at a time per case, oldest first (a
delivery waits while an earlier one of its case is undelivered, and each finished delivery
wakes the next), so a helpdesk sees a case's events in order even after hours of downtime.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4

from sqlalchemy import or_, select, update

from forum.core import clock, i18n, outbox
from forum.core.extensions import db
from forum.core.i18n import _
from forum.integrations import url_guard
from forum.integrations.payloads import timestamp
from forum.models import (
    DeliveryStatus,
    NotificationKind,
    Role,
    User,
    WebhookDelivery,
    WebhookSubscription,
)
from forum.services import notifications

DELIVER_JOB = "webhooks.deliver"
TIMEOUT_S = 10
CLAIM_S = 120  # longer than any one send (TIMEOUT_S per socket operation)
FIRST_RETRY_S = 30
MAX_RETRY_S = 3600
RETRY_WINDOW = timedelta(hours=24)
CONNECTOR_RETRY_WINDOW = timedelta(days=3)  # a helpdesk's cases must outlive a long weekend outage
DISABLE_AFTER = timedelta(hours=24)
MAX_RESPONSE_BYTES = 64 * 1024
RETRYABLE = (DeliveryStatus.PENDING.value, DeliveryStatus.FAILED.value)
DeliveredListener = Callable[[WebhookDelivery, bytes], None]
_delivered_listeners: list[DeliveredListener] = []
USER_AGENT = "Horseshoe-Webhooks/1"


# --- signing ------------------------------------------------------------------------------------


def sign(secret: str, stamp: str, body: bytes) -> str:
    """`v1=<hex HMAC-SHA256 of "{timestamp}.{raw body}">`, exactly as api.md documents."""
    digest = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def signed_headers(secret: str, event_id: str, body: bytes, moment: datetime) -> dict[str, str]:
    stamp = str(int(moment.timestamp()))
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Horseshoe-Event-Id": event_id,
        "Horseshoe-Timestamp": stamp,
        "Horseshoe-Signature": sign(secret, stamp, body),
    }


def envelope(delivery: WebhookDelivery) -> bytes:
    """The body: `{id, type, created_at, data}`; the same bytes on every retry."""
    document = {"id": delivery.event_id, "type": delivery.event_type, "created_at": timestamp(delivery.created_at),
                "data": json.loads(delivery.payload_json)}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


# --- recording ----------------------------------------------------------------------------------


def record(event_type: str, data: dict, *, event_id: str | None = None, subscription: WebhookSubscription | None = None,
           connector_id: int | None = None, case_id: int | None = None) -> WebhookDelivery:
    """Add a delivery and its job to the caller's transaction (the outbox); the caller commits."""
    delivery = WebhookDelivery(
        event_id=event_id or str(uuid4()), subscription_id=subscription.id if subscription else None,
        connector_id=connector_id, case_id=case_id, event_type=event_type,
        payload_json=json.dumps(data, sort_keys=True), status=DeliveryStatus.PENDING.value, attempts=0,
        last_error="", next_attempt_at=clock.now(), created_at=clock.now(),
    )
    db.session.add(delivery)
    db.session.flush()
    outbox.enqueue(DELIVER_JOB, {"delivery_id": delivery.id})
    return delivery


def redeliver(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send once more now, with the same event id (receivers drop it if they already have it)."""
    delivery.status = DeliveryStatus.PENDING.value
    delivery.next_attempt_at = clock.now()
    outbox.enqueue(DELIVER_JOB, {"delivery_id": delivery.id})
    return delivery


# --- the job ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """Everything one send needs, read before the transaction ends (no lazy loads over the network)."""

    delivery_id: int
    token: int  # the attempts count this worker claimed: a later claim by another worker supersedes it
    url: str
    allow_private: bool
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str = ""
    retry_after_s: float | None = None
    body: bytes = b""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def deliver(job: dict) -> None:
    """The DELIVER_JOB handler: claim, send outside any transaction, record the outcome."""
    attempt = _prepare(int(job["delivery_id"]))
    db.session.commit()
    if attempt is None:
        return
    outcome = send(attempt.url, attempt.allow_private, attempt.headers, attempt.body)
    _record_outcome(attempt, outcome)
    db.session.commit()


def _target(delivery: WebhookDelivery) -> tuple[str, str, bool] | None:
    """(url, secret, allow_private) of an active destination, else None."""
    owner = delivery.subscription or delivery.connector
    if owner is None or not owner.active:
        return None
    return owner.url, owner.secret, owner.allow_private


def _prepare(delivery_id: int) -> Attempt | None:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status not in RETRYABLE:
        return None
    target = _target(delivery)
    if target is None:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.DEAD.value, None
        delivery.last_error = "The destination is disabled or removed."
        _wake_next(delivery)
        return None
    if delivery.case_id is not None and _earlier_undelivered(delivery):
        return None  # the earlier one wakes this one when it is done
    token = _claim(delivery)
    if token is None:
        return None
    url, secret, allow_private = target
    body = envelope(delivery)
    return Attempt(delivery.id, token, url, allow_private, signed_headers(secret, delivery.event_id, body,
                                                                          clock.now()), body)


def _earlier_undelivered(delivery: WebhookDelivery) -> bool:
    return db.session.scalar(
        select(WebhookDelivery.id).where(
            WebhookDelivery.case_id == delivery.case_id, WebhookDelivery.connector_id == delivery.connector_id,
            WebhookDelivery.status.in_(RETRYABLE), WebhookDelivery.id < delivery.id,
        ).limit(1)
    ) is not None


def _claim(delivery: WebhookDelivery) -> int | None:
    """Take the row for one send (conditional UPDATE: two workers never send it at the same time)."""
    moment = clock.now()
    claimed = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery.id, WebhookDelivery.status.in_(RETRYABLE),
               or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < moment))
        .values(claimed_until=moment + timedelta(seconds=CLAIM_S), attempts=WebhookDelivery.attempts + 1)
    ).rowcount
    if not claimed:
        return None
    db.session.refresh(delivery)
    return delivery.attempts


def _record_outcome(attempt: Attempt, outcome: Outcome) -> None:
    delivery = db.session.get(WebhookDelivery, attempt.delivery_id, with_for_update=True)
    if delivery is None or delivery.attempts != attempt.token or delivery.status not in RETRYABLE:
        return  # removed meanwhile, or our claim expired and another worker took over
    delivery.claimed_until = None
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error[:2000]
    if outcome.ok:
        _succeeded(delivery, outcome)
    else:
        _failed(delivery, outcome)


def _succeeded(delivery: WebhookDelivery, outcome: Outcome) -> None:
    delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED.value, clock.now(), None
    if delivery.subscription is not None:
        delivery.subscription.failing_since = None
    for listener in _delivered_listeners:
        listener(delivery, outcome.body)
    _wake_next(delivery)


def on_delivered(listener: DeliveredListener) -> None:
    """Run listener(delivery, the receiver's answer) in the transaction that marks a delivery delivered.

    The engine knows nothing of what was delivered; the helpdesk connector uses this to keep the
    ticket id its helpdesk answers with.
    """
    if listener not in _delivered_listeners:
        _delivered_listeners.append(listener)


def retry_delay_s(attempts: int, retry_after_s: float | None = None) -> float:
    """30 s, 1 min, 2 min … capped at an hour, with jitter; a receiver's Retry-After wins (up to an hour)."""
    if retry_after_s is not None:
        return min(float(MAX_RETRY_S), max(1.0, retry_after_s))
    base = min(MAX_RETRY_S, FIRST_RETRY_S * 2 ** max(0, attempts - 1))
    return base * random.uniform(0.8, 1.2)  # nosec B311  # retry jitter, not security


def _failed(delivery: WebhookDelivery, outcome: Outcome) -> None:
    moment = clock.now()
    window = CONNECTOR_RETRY_WINDOW if delivery.connector_id is not None else RETRY_WINDOW
    if moment - delivery.created_at >= window:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.DEAD.value, None
        _wake_next(delivery)
    else:
        delay = retry_delay_s(delivery.attempts, outcome.retry_after_s)
        delivery.status = DeliveryStatus.FAILED.value
        delivery.next_attempt_at = moment + timedelta(seconds=delay)
        outbox.enqueue(DELIVER_JOB, {"delivery_id": delivery.id}, delay_s=delay)
    if delivery.subscription is not None:
        _note_failure(delivery.subscription, moment)


def _note_failure(subscription: WebhookSubscription, moment: datetime) -> None:
    """Start (or continue) the failing streak; a day of it disables the subscription and tells the admins."""
    subscription.failing_since = subscription.failing_since or moment
    if subscription.active and moment - subscription.failing_since >= DISABLE_AFTER:
        subscription.active, subscription.disabled_at = False, moment
        by_language: dict[str | None, list[int]] = {}
        for admin_id, language in db.session.execute(select(User.id, User.language).where(
                User.role == Role.ADMIN.value)):
            by_language.setdefault(language, []).append(admin_id)
        for language, admins in by_language.items():  # the message is stored: one wording per language
            with i18n.reading_as(language):
                message = _("The webhook to %(url)s was disabled after a day of failed deliveries. Fix the receiver, "
                            "then re-enable it and redeliver from the delivery log.", url=subscription.url[:200])
            notifications.notify(admins, notifications.Event(NotificationKind.INTEGRATION, None, message=message))


def _wake_next(delivery: WebhookDelivery) -> None:
    """A connector delivery is done (delivered or dead): the next one of its case may go now."""
    if delivery.case_id is None:
        return
    following = db.session.scalar(
        select(WebhookDelivery.id).where(
            WebhookDelivery.case_id == delivery.case_id, WebhookDelivery.connector_id == delivery.connector_id,
            WebhookDelivery.status.in_(RETRYABLE), WebhookDelivery.id > delivery.id,
        ).order_by(WebhookDelivery.id).limit(1)
    )
    if following is not None:
        outbox.enqueue(DELIVER_JOB, {"delivery_id": following})


# --- HTTP ---------------------------------------------------------------------------------------


def send(url: str, allow_private: bool, headers: dict[str, str], body: bytes) -> Outcome:
    """POST body to url; the address is checked again now (DNS rebinding) and connected to as checked.

    Redirects are not followed: a 3xx is a failure, like any other non-2xx answer.
    """
    try:
        destination = url_guard.check(url, allow_private=allow_private)
    except url_guard.UnsafeURL as exc:
        return Outcome(None, f"Refused: {exc}")
    connection = _connection(destination)
    try:
        connection.request("POST", destination.path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(MAX_RESPONSE_BYTES)
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:500])
    finally:
        connection.close()
    return _outcome(response, answer)


def _connection(destination: url_guard.Destination) -> http.client.HTTPConnection:
    """A connection to the checked address, while Host (and TLS SNI) still name the host."""
    kind = http.client.HTTPSConnection if destination.scheme == "https" else http.client.HTTPConnection
    connection = kind(destination.host, destination.port, timeout=TIMEOUT_S)

    def pinned(address, timeout, source_address=None):
        return socket.create_connection((destination.address, address[1]), timeout, source_address)

    connection._create_connection = pinned
    return connection


def _outcome(response: http.client.HTTPResponse, answer: bytes) -> Outcome:
    code = response.status
    if 200 <= code < 300:
        return Outcome(code, body=answer)
    if 300 <= code < 400:
        return Outcome(code, f"HTTP {code}: redirects are not followed.")
    retry_after = response.getheader("Retry-After", "")
    seconds = float(retry_after) if retry_after.strip().isdigit() else None
    text = answer[:300].decode("utf-8", "replace").strip()
    return Outcome(code, f"HTTP {code} {response.reason}" + (f": {text}" if text else ""), seconds)
