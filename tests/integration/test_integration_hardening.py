"""Hardening found in review: inbound helpdesk events, webhook admin pages, SSRF guard, OIDC account linking.

Each test states the expected behaviour; a failure is the defect it probes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from forum import accounts, cases
from forum.accounts import oidc_tokens
from forum.core import clock
from forum.core.extensions import db as _db
from forum.integrations import delivery, helpdesk, url_guard
from forum.integrations.helpdesk import ConnectorInput
from forum.models import Case, Category, User
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

SECRET = "helpdesk-shared-secret"
OTHER_SECRET = "another-helpdesk-secret"
EVENTS = "/api/v1/integrations/cases/events"


# --- fixtures (copied/adapted from tests/integration) ------------------------------------------------


@pytest.fixture
def admin(make) -> User:
    return make.make_user("admin")


@pytest.fixture
def category(make, admin) -> Category:
    """A category whose cases go to a helpdesk; nothing needs to listen (inbound tests only)."""
    category = make.make_category("Billing")
    helpdesk.save_connector(admin, category, ConnectorInput("http://127.0.0.1:9/hook", SECRET, True, True))
    return category


def open_case(make, category: Category, title: str = "Charged twice this month") -> Case:
    thread = make.make_thread(category=category, title=title)
    return cases.escalate_thread(thread.author, thread, "Nobody could help")[0]


@pytest.fixture
def linked_case(make, category) -> Case:
    case = open_case(make, category)
    case.external_ref = "HD-9"
    _db.session.commit()
    return case


def signed(body: bytes, *, secret: str = SECRET, stamp: str | None = None, event_id: str | None = "evt-1") -> dict:
    stamp = stamp or str(int(clock.now().timestamp()))
    headers = {"Horseshoe-Timestamp": stamp, "Horseshoe-Signature": delivery.sign(secret, stamp, body)}
    if event_id is not None:
        headers["Horseshoe-Event-Id"] = event_id
    return headers


def event_body(data: dict, *, event_id: str | None = "evt-1", event_type: str = "case.updated") -> bytes:
    document = {"type": event_type, "created_at": "2026-11-20T09:00:00Z", "data": data}
    if event_id is not None:
        document["id"] = event_id
    return json.dumps(document).encode()


# --- inbound: replay protection -----------------------------------------------------------------------


def test_replay_with_a_fresh_unsigned_event_id_header_is_refused(client, linked_case):
    """The Horseshoe-Event-Id header is not covered by the signature, so the id must come from the signed body:
    a body without "id" is refused, and a replay cannot dress itself up with a new header id."""
    anonymous = event_body({"external_ref": "HD-9", "note": "Please check your inbox."}, event_id=None)
    refused = client.post(EVENTS, data=anonymous, headers=signed(anonymous, event_id="evt-a"),
                          content_type="application/json")
    assert refused.status_code == 422 and "id" in refused.get_json()["errors"]
    body = event_body({"external_ref": "HD-9", "note": "Please check your inbox."}, event_id="evt-a")
    first = signed(body, event_id="evt-a")
    assert client.post(EVENTS, data=body, headers=first, content_type="application/json").status_code == 204
    replay = {**first, "Horseshoe-Event-Id": "evt-b"}  # same body, same timestamp, same signature
    response = client.post(EVENTS, data=body, headers=replay, content_type="application/json")
    assert response.status_code in (401, 422), "a captured event was applied a second time"
    assert client.post(EVENTS, data=body, headers=first, content_type="application/json").status_code == 401


def test_event_ids_of_two_helpdesks_do_not_collide(client, make, admin, linked_case):
    """InboundEvent.event_id is unique across all connectors: a second helpdesk that happens to use the same
    id scheme ("1", "2", ... or its own ticket-event numbers) sees its fresh events refused as replays."""
    hardware = make.make_category("Hardware")
    helpdesk.save_connector(admin, hardware, ConnectorInput("http://127.0.0.1:9/other", OTHER_SECRET, True, True))
    other_case = open_case(make, hardware, "Router keeps rebooting")
    other_case.external_ref = "ZD-1"
    _db.session.commit()
    body = event_body({"external_ref": "HD-9", "status": "open"}, event_id="1")
    assert client.post(EVENTS, data=body, headers=signed(body, event_id="1"),
                       content_type="application/json").status_code == 204
    body = event_body({"external_ref": "ZD-1", "status": "open"}, event_id="1")
    response = client.post(EVENTS, data=body, headers=signed(body, secret=OTHER_SECRET, event_id="1"),
                           content_type="application/json")
    assert response.status_code == 204, response.get_json()


# --- inbound: malformed input -------------------------------------------------------------------------


def test_a_superscript_digit_timestamp_is_refused_not_a_500(client, linked_case):
    """"²".isdigit() is True but int("²") raises ValueError: a 500 (api.md: never a 500 for bad input)."""
    body = event_body({"external_ref": "HD-9", "status": "open"})
    response = client.post(EVENTS, data=body, headers=signed(body, stamp="\u00b2"), content_type="application/json")
    assert response.status_code == 401


def test_a_timestamp_longer_than_int_limit_is_refused_not_a_500(client, linked_case):
    """int() of more than 4300 digits raises ValueError (CPython's int max str digits): a 500."""
    body = event_body({"external_ref": "HD-9", "status": "open"})
    response = client.post(EVENTS, data=body, headers=signed(body, stamp="1" * 5000), content_type="application/json")
    assert response.status_code == 401


def test_signed_malformed_json_is_a_400(client, linked_case):
    """api.md: 400 malformed JSON (and the OpenAPI document lists 400); the inbound route answers 422."""
    body = b'{"id": "evt-1", "type": "case.updated", "data": {'
    response = client.post(EVENTS, data=body, headers=signed(body), content_type="application/json")
    assert response.status_code == 400


def test_deeply_nested_signed_json_is_not_a_500(client, linked_case):
    """json.loads raises RecursionError (not ValueError) on deep nesting: a 500."""
    body = b'{"id": "evt-1", "type": "case.updated", "data": {"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    response = client.post(EVENTS, data=body, headers=signed(body), content_type="application/json")
    assert response.status_code in (400, 413, 422)


# --- admin pages ----------------------------------------------------------------------------------------


def test_delivery_log_with_a_superscript_subscription_is_not_a_500(client, login_as, admin):
    """/admin/webhooks/deliveries?subscription=² : raw.isdigit() is True, int(raw) raises ValueError."""
    login_as(admin)
    response = client.get("/admin/webhooks/deliveries?subscription=%C2%B2")
    assert response.status_code in (200, 404)


# --- SSRF guard -------------------------------------------------------------------------------------------


def test_ipv6_site_local_addresses_are_private():
    """fec0::/10 (site-local, RFC 3879: deprecated but still routed inside some networks) passes as a public
    address on Python 3.11: is_private is False for it, so no "on-premises" opt-in is needed."""
    with pytest.raises(url_guard.UnsafeURL):
        url_guard.check("http://[fec0::1]/hook")


# --- OIDC account linking ---------------------------------------------------------------------------------


@pytest.fixture
def provider(app, monkeypatch) -> Iterator[Provider]:
    idp = Provider().start()
    oidc_tokens.clear_cache()
    settings = app.config["HORSESHOE"]
    configured = {"oidc_issuer": idp.issuer, "oidc_client_id": CLIENT_ID, "oidc_client_secret": CLIENT_SECRET,
                  "oidc_name": "Acme ID"}
    for name, value in configured.items():
        monkeypatch.setattr(settings, name, value)
    yield idp
    idp.stop()


def _sign_in(client, provider: Provider):
    from urllib.parse import urlsplit

    response = client.post("/auth/oidc/start")
    assert response.status_code == 303
    back = urlsplit(provider.authorize(response.headers["Location"]))
    return client.get(f"{back.path}?{back.query}")


def test_an_unverified_email_does_not_become_a_new_accounts_address(client, db, provider):
    """Pre-account takeover: an attacker whose IdP account carries the victim's address, unverified, gets a
    Horseshoe account holding that address. The victim can later "forgot password" into it (the reset link
    reaches their mailbox) while the attacker keeps signing in through the linked identity."""
    provider.person["email"] = "victim@example.com"
    provider.person["email_verified"] = False
    _sign_in(client, provider)
    claimed = db.session.scalar(select(User).where(User.email == "victim@example.com"))
    assert claimed is None, "an account now owns an address nobody proved to own"


def test_linking_by_verified_email_ends_the_pre_registered_password(client, make, db, provider):
    """Horseshoe never verifies emails at registration. Someone who registered victim@example.com first keeps
    the password after the real owner links it by a verified email and starts using the account."""
    squatter = make.make_user(username="squatter", email="victim@example.com", password="Squatter-pass-2026!")
    provider.person["email"] = "victim@example.com"
    assert _sign_in(client, provider).status_code == 302
    assert accounts.authenticate("victim@example.com", "Squatter-pass-2026!") is None, (
        f"the pre-registered password still opens account {squatter.username} after the owner linked it")


# --- generic webhooks: content that is not public -------------------------------------------------------


def _deliveries(event_type: str) -> list[dict]:
    from forum.models import WebhookDelivery

    rows = _db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.event_type == event_type))
    return [json.loads(row.payload_json) for row in rows]


def test_a_reply_inside_a_hidden_thread_is_not_sent_to_webhooks(make, admin):
    """reply_to_thread publishes post.created whatever the thread's visibility; the author (and moderators)
    may still reply in a thread moderators hid, so its title and the reply leave through every webhook."""
    from forum.integrations import webhooks
    from forum.services import moderation_state, reading

    webhooks.create_subscription(admin, webhooks.SubscriptionInput(
        "http://127.0.0.1:9/crm", ["post.created", "thread.escalated"], "", allow_private=True))
    moderator = make.make_user("moderator")
    thread = make.make_thread(title="Secret title the moderators removed")
    moderation_state.hide_post(reading.question_post(thread), moderator, "Doxxing")
    _db.session.commit()
    assert thread.visibility == "hidden"
    make.make_reply(thread, author=thread.author, body="Why was this removed? My address is 1 Main St.")
    cases.escalate_thread(thread.author, thread, "Please restore it")
    leaked = [d for d in _deliveries("post.created") + _deliveries("thread.escalated")
              if d["thread"]["title"] == "Secret title the moderators removed"]
    assert leaked == [], f"{len(leaked)} deliveries carry a hidden thread"
