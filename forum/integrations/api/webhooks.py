"""Outbound webhook subscriptions over the API (admins): subscribe, list, remove, see deliveries, redeliver."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.blueprints import BlueprintSetupState

from forum.core.errors import NotFound
from forum.core.i18n import _
from forum.http import openapi, serializers
from forum.http.api import bp
from forum.http.api_requests import json_body, optional_json_body, signed_in_user
from forum.integrations import webhooks
from forum.models import DeliveryStatus, User, WebhookDelivery, WebhookSubscription
from forum.services.permissions import Action, require


def subscription_json(subscription: WebhookSubscription, *, with_secret: bool = False) -> dict[str, Any]:
    """The secret is shown once, when the subscription is created."""
    data = {
        "id": subscription.id, "url": subscription.url, "events": webhooks.events_of(subscription),
        "active": subscription.active, "allow_private": subscription.allow_private,
        "failing_since": serializers.timestamp(subscription.failing_since),
        "disabled_at": serializers.timestamp(subscription.disabled_at),
        "created_at": serializers.timestamp(subscription.created_at),
    }
    if with_secret:
        data["secret"] = subscription.secret
    return data


def delivery_json(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id, "event_id": delivery.event_id, "event_type": delivery.event_type,
        "status": delivery.status, "attempts": delivery.attempts, "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error, "next_attempt_at": serializers.timestamp(delivery.next_attempt_at),
        "delivered_at": serializers.timestamp(delivery.delivered_at),
        "created_at": serializers.timestamp(delivery.created_at),
    }


def _admin() -> User:
    user = signed_in_user()
    require(user, Action.INTEGRATIONS_MANAGE)
    return user


@bp.get("/webhooks")
def list_webhooks():
    user = _admin()
    return {"items": [subscription_json(s) for s in webhooks.list_subscriptions(user)], "next_cursor": None}


@bp.post("/webhooks")
def create_webhook():
    user = _admin()
    data = json_body()
    subscription = webhooks.create_subscription(user, webhooks.SubscriptionInput(
        url=data.get("url"), events=data.get("events"), secret=data.get("secret") or "",
        allow_private=data.get("allow_private", False),
    ))
    return subscription_json(subscription, with_secret=True), 201


@bp.delete("/webhooks/<id:subscription_id>")
def delete_webhook(subscription_id: int):
    user = _admin()
    webhooks.delete_subscription(user, webhooks.get_subscription(user, subscription_id))
    return Response(status=204)


@bp.get("/webhooks/<id:subscription_id>/deliveries")
def list_webhook_deliveries(subscription_id: int):
    user = _admin()
    subscription = webhooks.get_subscription(user, subscription_id)
    return {"items": [delivery_json(d) for d in webhooks.list_deliveries(user, subscription)], "next_cursor": None}


@bp.post("/webhooks/<id:subscription_id>/deliveries/<id:delivery_id>/redelivery")
def redeliver_webhook(subscription_id: int, delivery_id: int):
    user = _admin()
    optional_json_body()  # nothing to set; a body, if sent, must still be JSON
    delivery = webhooks.get_delivery(user, delivery_id)
    if delivery.subscription_id != subscription_id:
        raise NotFound(_("This subscription has no delivery with this id."))
    return delivery_json(webhooks.redeliver(user, delivery)), 202


def _openapi_paths() -> dict[str, Any]:
    o = openapi
    subscription = o.obj(
        {"id": o.INTEGER, "url": o.STRING, "events": {"type": "array", "items": {"enum": list(webhooks.EVENT_TYPES)}},
         "active": {**o.BOOLEAN, "description": "False once disabled after a day of failed deliveries."},
         "allow_private": {**o.BOOLEAN, "description": "The admin allowed an on-premises (private) host."},
         "failing_since": o.NULLABLE_TIME, "disabled_at": o.NULLABLE_TIME, "created_at": o.TIME,
         "secret": {**o.STRING, "description": "Only in the answer to POST: keep it to verify signatures."}},
        ["id", "url", "events", "active", "allow_private", "created_at"],
    )
    delivery = o.obj(
        {"id": o.INTEGER, "event_id": o.STRING, "event_type": {"enum": [*webhooks.EVENT_TYPES, "case.created"]},
         "status": {"enum": [s.value for s in DeliveryStatus]}, "attempts": o.INTEGER,
         "last_status_code": {"type": ["integer", "null"]}, "last_error": o.STRING,
         "next_attempt_at": o.NULLABLE_TIME, "delivered_at": o.NULLABLE_TIME, "created_at": o.TIME},
        ["id", "event_id", "event_type", "status", "attempts", "created_at"],
    )
    new = o.obj(
        {"url": {**o.STRING, "description": "http(s); loopback, private and link-local hosts are refused (422) "
                                            "unless allow_private (never link-local, multicast or reserved)."},
         "events": {"type": "array", "items": {"enum": list(webhooks.EVENT_TYPES)}, "minItems": 1},
         "secret": {"type": "string", "minLength": 16, "maxLength": 200,
                    "description": "Leave out to have one generated."},
         "allow_private": {**o.BOOLEAN, "default": False}},
        ["url", "events"],
    )
    envelope = {"items": {"type": "array", "items": subscription}, "next_cursor": {"type": "null"}}
    log = {"items": {"type": "array", "items": delivery}, "next_cursor": {"type": "null"}}
    sub_id, delivery_id = o.path_id("subscription_id", "subscription"), o.path_id("delivery_id", "delivery")
    signed = ("Deliveries are POSTs of {id, type, created_at, data} with headers Horseshoe-Event-Id, "
              "Horseshoe-Timestamp (Unix seconds) and Horseshoe-Signature: v1=<hex HMAC-SHA256 of "
              "\"{timestamp}.{raw body}\" with the secret>; retried with backoff for 24 h.")
    return {
        "/webhooks": {
            "get": o.operation("Outbound webhook subscriptions (admin)", (200, "Every subscription",
                                                                          o.obj(envelope, ["items"])), (401, 403)),
            "post": o.operation("Subscribe a URL to event types (admin). " + signed,
                                (201, "The subscription, with its secret", subscription), o.WRITE_ERRORS, body=new,
                                example={"url": "https://93.184.215.14/hooks", "events": ["thread.created"]}),
        },
        "/webhooks/{subscription_id}": {
            "delete": o.operation("Remove a subscription and its delivery log (admin)", (204, "Removed", None),
                                  (400, 401, 403, 404), params=[sub_id]),
        },
        "/webhooks/{subscription_id}/deliveries": {
            "get": o.operation("The subscription's latest 100 deliveries, newest first (admin)",
                               (200, "Deliveries", o.obj(log, ["items"])), (401, 403, 404), params=[sub_id]),
        },
        "/webhooks/{subscription_id}/deliveries/{delivery_id}/redelivery": {
            "post": o.operation("Send a delivery again now, with its original event id (admin)",
                                (202, "The delivery, queued", delivery), (*o.WRITE_ERRORS, 404),
                                body=o.obj({}), body_required=False, params=[sub_id, delivery_id]),
        },
    }


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add these routes to the served OpenAPI document (as recognition.py does for its own)."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
