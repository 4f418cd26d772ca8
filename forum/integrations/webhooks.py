"""Outbound webhooks: admins subscribe URLs to event types; every matching event becomes a signed delivery.

The listener runs inside the transaction of the change (events.publish), so a delivery exists
exactly when its event happened. Delivery itself (signing, retries, disabling) is in
webhook_delivery; payloads in webhook_payloads.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from uuid import uuid4

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from forum.core import clock
from forum.core.errors import ErrorCollector, Invalid, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.integrations import delivery as webhook_delivery
from forum.integrations import payloads, url_guard
from forum.models import DeliveryStatus, User, WebhookDelivery, WebhookSubscription
from forum.services.permissions import Action, require

EVENT_TYPES = payloads.EVENT_TYPES
MIN_SECRET_CHARS = 16
MAX_SECRET_CHARS = 200
DELIVERIES_SHOWN = 100


@dataclass(frozen=True)
class SubscriptionInput:
    url: str
    events: list[str] = field(default_factory=list)
    secret: str = ""  # empty: one is generated
    allow_private: bool = False  # the admin vouches for an on-premises host


def events_of(subscription: WebhookSubscription) -> list[str]:
    return json.loads(subscription.events_json or "[]")


def _check_events(errors: ErrorCollector, events: object) -> list[str]:
    if not isinstance(events, list) or not events:
        errors.add("events", _("Choose at least one event type."))
        return []
    unknown = [e for e in events if not isinstance(e, str) or e not in EVENT_TYPES]
    if unknown:
        errors.add("events", _("Unknown event type %(event)s: choose from %(events)s.",
                               event=repr(str(unknown[0])[:40]), events=", ".join(EVENT_TYPES)))
    return [e for e in EVENT_TYPES if e in events]


def check_secret(errors: ErrorCollector, secret: object) -> str:
    """A given secret must be long enough to resist guessing; none given means a generated one."""
    if secret in (None, ""):
        return secrets.token_urlsafe(32)
    if not isinstance(secret, str) or not MIN_SECRET_CHARS <= len(secret) <= MAX_SECRET_CHARS:
        errors.add("secret", _("Use a secret of %(least)s to %(most)s characters, or leave it empty to have one "
                               "generated.", least=MIN_SECRET_CHARS, most=MAX_SECRET_CHARS))
    elif not secret.isprintable() or secret != secret.strip():
        errors.add("secret", _("Use printable characters only, without leading or trailing spaces."))
    return secret if isinstance(secret, str) else ""


def check_url(errors: ErrorCollector, url: object, allow_private: object) -> str:
    if not isinstance(allow_private, bool):
        errors.add("allow_private", _("Answer true or false."))
        allow_private = False
    try:
        return url_guard.validate(url, allow_private)
    except Invalid as exc:
        for message in exc.errors["url"]:
            errors.add("url", message)
    return ""


def create_subscription(actor: User, data: SubscriptionInput) -> WebhookSubscription:
    """Subscribe a URL (checked against SSRF) to event types; every failure is reported at once."""
    require(actor, Action.INTEGRATIONS_MANAGE)
    errors = ErrorCollector()
    url = check_url(errors, data.url, data.allow_private)
    events = _check_events(errors, data.events)
    secret = check_secret(errors, data.secret)
    errors.raise_if_any()
    subscription = WebhookSubscription(
        url=url, events_json=json.dumps(events), secret=secret, active=True, allow_private=data.allow_private,
        created_by_id=actor.id, created_at=clock.now(),
    )
    db.session.add(subscription)
    db.session.commit()
    return subscription


def list_subscriptions(actor: User) -> list[WebhookSubscription]:
    require(actor, Action.INTEGRATIONS_MANAGE)
    return list(db.session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)))


def get_subscription(actor: User, subscription_id: int) -> WebhookSubscription:
    require(actor, Action.INTEGRATIONS_MANAGE)
    subscription = db.session.get(WebhookSubscription, subscription_id)
    if subscription is None:
        raise NotFound(_("No webhook subscription has this id."))
    return subscription


def delete_subscription(actor: User, subscription: WebhookSubscription) -> None:
    """Remove the subscription and its delivery log; queued sends find nothing and stop."""
    require(actor, Action.INTEGRATIONS_MANAGE)
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id))
    db.session.delete(subscription)
    db.session.commit()


def enable_subscription(actor: User, subscription: WebhookSubscription) -> bool:
    """Switch a disabled subscription back on (after the receiver is fixed); the failing streak restarts.

    Returns False when it was already on (its failing streak, if any, keeps counting).
    """
    require(actor, Action.INTEGRATIONS_MANAGE)
    if subscription.active:
        return False
    subscription.active, subscription.disabled_at, subscription.failing_since = True, None, None
    db.session.commit()
    return True


def list_deliveries(actor: User, subscription: WebhookSubscription | None = None,
                    limit: int = DELIVERIES_SHOWN) -> list[WebhookDelivery]:
    """The delivery log, newest first: one subscription's, or every destination's (connectors too)."""
    require(actor, Action.INTEGRATIONS_MANAGE)
    query = (select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)
             .options(selectinload(WebhookDelivery.subscription), selectinload(WebhookDelivery.connector)))
    if subscription is not None:
        query = query.where(WebhookDelivery.subscription_id == subscription.id)
    return list(db.session.scalars(query))


def get_delivery(actor: User, delivery_id: int) -> WebhookDelivery:
    require(actor, Action.INTEGRATIONS_MANAGE)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound(_("No delivery has this id."))
    return delivery


def redeliver(actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now, with its original event id, whatever its state."""
    require(actor, Action.INTEGRATIONS_MANAGE)
    webhook_delivery.redeliver(delivery)
    db.session.commit()
    return delivery


def on_event(event_type: str, fields: dict) -> None:
    """The events listener: one delivery per active subscription that wants this event type.

    Every subscriber gets the same event id, so a receiver behind two subscriptions can still
    drop the duplicate.
    """
    if event_type not in EVENT_TYPES:
        return
    wanted = [s for s in db.session.scalars(select(WebhookSubscription).where(WebhookSubscription.active.is_(True)))
              if event_type in events_of(s)]
    if not wanted:
        return
    data = payloads.build(event_type, fields)
    if data is None:
        return
    event_id = str(uuid4())
    for subscription in wanted:
        webhook_delivery.record(event_type, data, event_id=event_id, subscription=subscription)


def delivery_counts(subscription: WebhookSubscription) -> dict[str, int]:
    """How many of its deliveries are in each state (for the admin list)."""
    rows = db.session.execute(
        select(WebhookDelivery.status, func.count(WebhookDelivery.id))
        .where(WebhookDelivery.subscription_id == subscription.id).group_by(WebhookDelivery.status)
    ).all()
    counts = {status.value: 0 for status in DeliveryStatus}
    counts.update({status: count for status, count in rows})
    return counts
