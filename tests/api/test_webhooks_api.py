"""GET/POST /webhooks, DELETE /webhooks/{id}, the delivery log and redelivery: admins only, SSRF-checked."""

from __future__ import annotations

import pytest

from forum.core.extensions import db
from forum.models import WebhookDelivery
from tests.api.support import assert_problem

PUBLIC_URL = "https://93.184.215.14/hooks"  # an IP literal: no DNS; never contacted (no jobs run here)
SECRET = "a-long-enough-secret"


def create(client, **overrides):
    body = {"url": PUBLIC_URL, "events": ["thread.created", "case.updated"], "secret": SECRET, **overrides}
    return client.post("/api/v1/webhooks", json=body)


def test_an_admin_subscribes_lists_and_removes_a_webhook(call_as):
    admin = call_as("admin")
    response = create(admin)
    assert response.status_code == 201
    created = response.get_json()
    assert created["url"] == PUBLIC_URL and created["events"] == ["thread.created", "case.updated"]
    assert created["secret"] == SECRET and created["active"] is True and created["allow_private"] is False
    listed = admin.get("/api/v1/webhooks").get_json()
    assert [item["id"] for item in listed["items"]] == [created["id"]] and listed["next_cursor"] is None
    assert "secret" not in listed["items"][0]  # shown once, at creation
    assert admin.delete(f"/api/v1/webhooks/{created['id']}").status_code == 204
    assert admin.get("/api/v1/webhooks").get_json()["items"] == []
    assert_problem(admin.delete(f"/api/v1/webhooks/{created['id']}"), 404)


def test_a_generated_secret_is_returned_once(call_as):
    created = create(call_as("admin"), secret=None).get_json()
    assert len(created["secret"]) >= 40


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("member", 403), ("moderator", 403),
                                             ("agent", 403)])
def test_only_admins_manage_webhooks(call_as, who, status):
    client = call_as(who)
    assert_problem(client.get("/api/v1/webhooks"), status)
    assert_problem(create(client), status)
    assert_problem(client.delete("/api/v1/webhooks/1"), status)
    assert_problem(client.get("/api/v1/webhooks/1/deliveries"), status)


@pytest.mark.parametrize(("url", "words"), [
    ("http://127.0.0.1:8080/hook", "127.0.0.1 is a loopback address"),
    ("http://[::1]/hook", "::1 is a loopback address"),
    ("http://10.0.0.5/hook", "10.0.0.5 is a private network address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("http://localhost/hook", "localhost resolves to "),
    ("ftp://93.184.215.14/x", "Use an http:// or https:// URL."),
])
def test_internal_destinations_are_a_422_naming_the_reason(call_as, url, words):
    problem = assert_problem(create(call_as("admin"), url=url), 422, "url")
    assert words in problem["errors"]["url"][0]


def test_an_on_premises_host_is_allowed_when_the_admin_says_so(call_as):
    response = create(call_as("admin"), url="http://127.0.0.1:8080/hook", allow_private=True)
    assert response.status_code == 201 and response.get_json()["allow_private"] is True


def test_metadata_stays_refused_even_for_on_premises(call_as):
    assert_problem(create(call_as("admin"), url="http://169.254.169.254/", allow_private=True), 422, "url")


@pytest.mark.parametrize(("body", "field"), [
    ({"events": []}, "events"),
    ({"events": ["thread.deleted"]}, "events"),
    ({"events": "thread.created"}, "events"),
    ({"secret": "short"}, "secret"),
    ({"secret": 12345678901234567890}, "secret"),
    ({"allow_private": "yes"}, "allow_private"),
    ({"url": None}, "url"),
    ({"url": ["http://x"]}, "url"),
])
def test_bad_fields_are_a_422_naming_the_field(call_as, body, field):
    assert_problem(create(call_as("admin"), **body), 422, field)


def test_malformed_json_is_a_400(call_as):
    response = call_as("admin").post("/api/v1/webhooks", data="{nope", content_type="application/json")
    assert_problem(response, 400)


def test_the_delivery_log_and_redelivery(call_as, make):
    admin = call_as("admin")
    subscription = create(admin).get_json()
    make.make_thread()
    log = admin.get(f"/api/v1/webhooks/{subscription['id']}/deliveries").get_json()["items"]
    assert [(d["event_type"], d["status"], d["attempts"]) for d in log] == [("thread.created", "pending", 0)]
    delivery = db.session.get(WebhookDelivery, log[0]["id"])
    delivery.status = "dead"
    db.session.commit()
    response = admin.post(f"/api/v1/webhooks/{subscription['id']}/deliveries/{log[0]['id']}/redelivery")
    assert response.status_code == 202
    assert response.get_json()["status"] == "pending" and response.get_json()["event_id"] == log[0]["event_id"]
    other = create(admin).get_json()
    assert_problem(admin.post(f"/api/v1/webhooks/{other['id']}/deliveries/{log[0]['id']}/redelivery"), 404)


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/webhooks"]) == {"get", "post"}
    assert set(paths["/webhooks/{subscription_id}"]) == {"delete"}
    inbound = paths["/integrations/cases/events"]["post"]
    assert {"204", "401", "404", "422"} <= set(inbound["responses"])
    assert {p["name"] for p in inbound["parameters"]} == {"Horseshoe-Event-Id", "Horseshoe-Timestamp",
                                                          "Horseshoe-Signature"}
