"""Admin integration pages: webhooks, the delivery log with redelivery, and per-category helpdesk connectors."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.core.extensions import db
from forum.integrations import webhooks
from forum.models import CaseConnector, WebhookDelivery, WebhookSubscription
from tests.web.helpers import BACK, FORBIDDEN, SIGN_IN, expect, text

PUBLIC_URL = "https://93.184.215.14/hooks"  # an IP literal: no DNS needed, never contacted (no jobs run)
SECRET = "web-form-secret-1234"
PAGES = ["/admin/webhooks", "/admin/webhooks/deliveries", "/admin/helpdesk", "/admin/helpdesk/{category.id}"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("caller", "outcome"), [("anonymous", SIGN_IN), ("author", FORBIDDEN),
                                                 ("moderator", FORBIDDEN), ("admin", 200)])
def test_only_admins_see_the_integration_pages(act_as, community, page, caller, outcome):
    expect(act_as(caller).get(page.format(category=community.category)), outcome)


@pytest.mark.parametrize("caller", ["author", "moderator"])
def test_non_admins_cannot_change_anything(act_as, community, caller):
    client = act_as(caller)
    form = {"url": PUBLIC_URL, "events": ["thread.created"], "secret": SECRET}
    assert client.post("/admin/webhooks", data=form).status_code == 403
    assert client.post(f"/admin/helpdesk/{community.category.id}", data=form).status_code == 403
    assert db.session.scalars(select(WebhookSubscription)).all() == []
    assert db.session.scalars(select(CaseConnector)).all() == []


def test_the_form_offers_a_generated_secret_and_every_event_type(act_as):
    page = text(act_as("admin").get("/admin/webhooks"))
    secret = re.search(r'name="secret"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="secret"',
                                                                               page)
    assert secret and len(secret.group(1)) >= 40
    for event_type in webhooks.EVENT_TYPES:
        assert f'value="{event_type}"' in page
    assert "On-premises host" in page


def test_an_admin_subscribes_a_webhook(act_as):
    client = act_as("admin")
    form = {"url": PUBLIC_URL, "events": ["thread.created", "post.created"], "secret": SECRET}
    expect(client.post("/admin/webhooks", data=form), BACK)
    [subscription] = db.session.scalars(select(WebhookSubscription)).all()
    assert (subscription.url, subscription.secret) == (PUBLIC_URL, SECRET)
    assert webhooks.events_of(subscription) == ["thread.created", "post.created"]
    page = text(client.get("/admin/webhooks"))
    assert PUBLIC_URL in page and "thread.created, post.created" in page and SECRET not in page


@pytest.mark.parametrize(("url", "message"), [
    ("http://127.0.0.1:9000/hook", "127.0.0.1 is a loopback address (this server itself)."),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address (such as the cloud "
                                                 "metadata service); it is never allowed."),
    ("http://[::1]/hook", "::1 is a loopback address"),
    ("http://localhost/hook", "localhost resolves to "),
    ("gopher://93.184.215.14/", "Use an http:// or https:// URL."),
])
def test_internal_urls_get_a_clear_form_error(act_as, url, message):
    response = act_as("admin").post("/admin/webhooks", data={"url": url, "events": ["thread.created"],
                                                              "secret": SECRET})
    assert response.status_code == 422
    assert message in text(response).replace("&#39;", "'")
    assert db.session.scalars(select(WebhookSubscription)).all() == []


def test_ticking_on_premises_allows_a_loopback_receiver(act_as):
    form = {"url": "http://127.0.0.1:9000/hook", "events": ["thread.created"], "secret": SECRET, "allow_private": "y"}
    expect(act_as("admin").post("/admin/webhooks", data=form), BACK)
    assert db.session.scalars(select(WebhookSubscription.allow_private)).one() is True


def test_no_events_chosen_is_a_form_error(act_as):
    response = act_as("admin").post("/admin/webhooks", data={"url": PUBLIC_URL, "secret": SECRET})
    assert response.status_code == 422 and "Choose at least one event type." in text(response)


def test_the_delivery_log_shows_codes_and_redelivers(act_as, community, make):
    client = act_as("admin")
    subscription = webhooks.create_subscription(community.admin, webhooks.SubscriptionInput(
        PUBLIC_URL, ["post.created"], SECRET))
    make.make_reply(community.thread, body="Another idea")
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    delivery.status, delivery.attempts, delivery.last_status_code = "dead", 31, 503
    delivery.last_error = "HTTP 503 Service Unavailable"
    db.session.commit()
    page = text(client.get(f"/admin/webhooks/deliveries?subscription={subscription.id}"))
    assert "post.created" in page and "HTTP 503" in page and "dead" in page and delivery.event_id in page
    response = client.post(f"/admin/webhooks/deliveries/{delivery.id}/redeliver",
                           data={"back": f"/admin/webhooks/deliveries?subscription={subscription.id}"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/webhooks/deliveries?subscription={subscription.id}"
    db.session.refresh(delivery)
    assert delivery.status == "pending"


def test_redeliver_never_redirects_off_site(act_as, community, make):
    webhooks.create_subscription(community.admin, webhooks.SubscriptionInput(PUBLIC_URL, ["post.created"], SECRET))
    make.make_reply(community.thread)
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    response = act_as("admin").post(f"/admin/webhooks/deliveries/{delivery.id}/redeliver",
                                    data={"back": "https://evil.example/phish"})
    assert response.headers["Location"] == "/admin/webhooks/deliveries"


def test_a_disabled_webhook_can_be_re_enabled_and_deleted(act_as, community):
    subscription = webhooks.create_subscription(community.admin, webhooks.SubscriptionInput(
        PUBLIC_URL, ["thread.created"], SECRET))
    subscription.active = False
    db.session.commit()
    client = act_as("admin")
    assert "disabled" in text(client.get("/admin/webhooks"))
    expect(client.post(f"/admin/webhooks/{subscription.id}/enable"), BACK)
    db.session.refresh(subscription)
    assert subscription.active is True
    expect(client.post(f"/admin/webhooks/{subscription.id}/delete"), BACK)
    assert db.session.scalars(select(WebhookSubscription)).all() == []


def test_an_admin_connects_a_category_to_a_helpdesk_and_back(act_as, community):
    client = act_as("admin")
    page = f"/admin/helpdesk/{community.category.id}"
    assert text(client.get("/admin/helpdesk")).count("Built-in desk") == 1
    form = {"url": PUBLIC_URL, "secret": SECRET, "active": "y"}
    expect(client.post(page, data=form), BACK)
    connector = db.session.scalars(select(CaseConnector)).one()
    assert (connector.category_id, connector.url, connector.secret, connector.active) == (
        community.category.id, PUBLIC_URL, SECRET, True)
    assert f"Helpdesk at <code class=\"webhook-url\">{PUBLIC_URL}</code>" in text(client.get("/admin/helpdesk"))
    expect(client.post(page, data={"url": PUBLIC_URL, "secret": "", "active": "y"}), BACK)
    db.session.refresh(connector)
    assert connector.secret == SECRET  # left empty: kept
    expect(client.post(f"{page}/delete"), BACK)
    assert db.session.scalars(select(CaseConnector)).all() == []


def test_a_connector_to_a_private_address_needs_the_on_premises_tick(act_as, community):
    response = act_as("admin").post(f"/admin/helpdesk/{community.category.id}",
                                    data={"url": "http://10.0.0.8/desk", "secret": SECRET, "active": "y"})
    assert response.status_code == 422 and "10.0.0.8 is a private network address" in text(response)
    assert db.session.scalars(select(CaseConnector)).all() == []
