"""GET /metrics (issue 28, item 3): Prometheus' text format for a metrics-scope token, or for this host's
loopback when no proxy relayed the request; request latencies by endpoint, and the machinery's figures read at
scrape time. (Several gunicorn workers summed: tests/deployed/test_monitoring_deployed.py.)"""

from __future__ import annotations

import dataclasses

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from forum import create_app
from forum.accounts import tokens
from forum.core import outbox
from forum.core.extensions import db as _db
from forum.models import JobStatus

OUTSIDE = {"REMOTE_ADDR": "203.0.113.5"}
LATENCY = "horseshoe_http_request_duration_seconds"


def samples(response) -> dict[tuple[str, frozenset], float]:
    """(sample name, its labels) → value, from a scrape's text."""
    assert response.status_code == 200, response.get_data(as_text=True)
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def requests_counted(scrape, endpoint: str, method: str = "GET", status: str = "2xx") -> float:
    labels = frozenset({"endpoint": endpoint, "method": method, "status": status}.items())
    return scrape.get((f"{LATENCY}_count", labels), 0.0)


def service_token(admin, scope: str) -> str:
    data = tokens.ServiceTokenInput(name="Prometheus", scope=scope, new_username=f"{scope}-scraper", role="member")
    return tokens.create_service_token(admin, data).raw


@pytest.fixture
def admin(make):
    return make.make_user("admin")


def test_loopback_reads_the_metrics_in_prometheus_text_format(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert response.headers["Cache-Control"] == "no-store"
    assert f"# TYPE {LATENCY} histogram" in response.get_data(as_text=True)


@pytest.mark.parametrize("header", ["X-Forwarded-For", "X-Real-IP", "Forwarded"])
def test_a_request_a_local_proxy_relayed_is_refused(client, header):
    """nginx on the same host connects from loopback: what it relays must not see the metrics."""
    value = "for=198.51.100.7" if header == "Forwarded" else "198.51.100.7"
    response = client.get("/metrics", headers={header: value})
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["request_id"] == response.headers["X-Request-ID"]


def test_another_address_is_refused_without_a_token(client):
    response = client.get("/metrics", environ_base=OUTSIDE)
    assert response.status_code == 401 and response.get_json()["type"].endswith("/not-authenticated")


def test_a_metrics_token_reads_them_from_anywhere(client, admin):
    raw = service_token(admin, "metrics")
    response = client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and LATENCY in response.get_data(as_text=True)


@pytest.mark.parametrize("scope", ["read", "write"])
def test_a_token_without_the_metrics_scope_is_refused_even_from_loopback(client, admin, scope):
    raw = service_token(admin, scope)
    for environ in (OUTSIDE, {}):
        response = client.get("/metrics", environ_base=environ, headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == 403 and response.mimetype == "application/problem+json"


def test_a_wrong_or_revoked_token_is_a_401_even_from_loopback(client, admin):
    minted = tokens.create_service_token(admin, tokens.ServiceTokenInput(
        name="Prometheus", scope="metrics", new_username="old-scraper", role="member"))
    tokens.revoke_service_token(admin, minted.token.id)
    _db.session.commit()
    for raw in ("not-a-token", minted.raw):
        response = client.get("/metrics", headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_a_metrics_token_reaches_nothing_of_the_api(client, admin):
    raw = service_token(admin, "metrics")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 403 and response.get_json()["detail"] == "This token may only read /metrics."
    assert client.get("/api/v1/categories", headers={"Authorization": f"Bearer {raw}"}).status_code == 403


def test_members_cannot_mint_a_metrics_token_for_themselves(client, login_as, make):
    login_as(make.make_user())
    response = client.post("/settings/tokens", data={"name": "Scraper", "scope": "metrics"})
    assert response.status_code == 422 and "Not a valid choice" in response.get_data(as_text=True)
    with pytest.raises(Exception, match="Validation failed|Choose read or write"):
        tokens.create_personal_token(make.make_user(), tokens.TokenInput(name="Scraper", scope="metrics"))


def test_an_admin_mints_a_metrics_token_on_the_service_tokens_page(client, login_as, admin):
    login_as(admin)
    assert 'value="metrics"' in client.get("/admin/service-tokens").get_data(as_text=True)
    form = {"account_id": "new", "new_username": "prometheus", "role": "member", "name": "Prometheus",
            "scope": "metrics"}
    page = client.post("/admin/service-tokens", data=form)
    assert page.status_code == 200
    (minted,) = tokens.list_service_tokens(admin)
    assert minted.scope == "metrics" and minted.user.username == "prometheus"


def test_the_histogram_counts_each_request_by_endpoint_method_and_status_class(client):
    before = samples(client.get("/metrics"))
    assert client.get("/healthz").status_code == 200
    assert client.get("/no-such-page").status_code == 404
    assert client.open("/healthz", method="BREW").status_code == 405
    after = samples(client.get("/metrics"))
    assert requests_counted(after, "monitoring.healthz") == requests_counted(before, "monitoring.healthz") + 1
    assert requests_counted(after, "none", status="4xx") == requests_counted(before, "none", status="4xx") + 1
    # any method a client makes up is counted as "other": a scanner cannot grow the series without end
    assert requests_counted(after, "none", "other", "4xx") == requests_counted(before, "none", "other", "4xx") + 1
    assert requests_counted(after, "monitoring.metrics") >= 1


def test_the_machinerys_figures_are_read_when_scraped(client, clock_at):
    outbox.enqueue("mail.send", {"id": 1})
    outbox.enqueue("mail.send", {"id": 2}, delay_s=3600)
    dead = outbox.enqueue("webhooks.deliver", {"delivery_id": 1})
    dead.status = JobStatus.DEAD.value
    _db.session.commit()
    clock_at.advance(minutes=10)
    scrape = samples(client.get("/metrics"))
    assert scrape[("horseshoe_system_figures_up", frozenset())] == 1
    assert scrape[("horseshoe_jobs_queued", frozenset({("kind", "mail.send")}))] == 2
    assert scrape[("horseshoe_jobs_oldest_due_age_seconds", frozenset({("kind", "mail.send")}))] == 600
    assert scrape[("horseshoe_jobs_queued", frozenset({("kind", "qa.sweep")}))] == 0  # every kind, always
    assert scrape[("horseshoe_jobs_dead", frozenset())] == 1
    assert scrape[("horseshoe_mail_backlog_emails", frozenset())] == 2
    assert ("horseshoe_search_index_lag_seconds", frozenset()) in scrape
    assert ("horseshoe_uploads_bytes", frozenset()) in scrape
    assert any(name == "horseshoe_build_info" for name, _labels in scrape)


def test_scrapes_and_probes_are_never_rate_limited(client, limits_on):
    for _ in range(40):
        for path in ("/metrics", "/healthz", "/readyz"):
            assert client.get(path).status_code != 429


@pytest.fixture
def behind(app: Flask, db, tmp_path):
    """An app behind `hops` trusted proxies (HORSESHOE_TRUSTED_PROXIES), on the test's database."""

    def build(hops: int) -> Flask:
        settings = dataclasses.replace(app.config["HORSESHOE"], data_dir=str(tmp_path / f"hops{hops}"),
                                       trusted_proxies=hops)
        return create_app(settings)

    return build


@pytest.mark.parametrize(("hops", "forwarded_for", "expected"), [
    (1, "203.0.113.9", 401),  # a visitor through the local proxy: the address judged is theirs
    (1, "127.0.0.1", 200),  # a scraper on this host going through the proxy, which vouches for it
    (1, "127.0.0.1, 127.0.0.1", 401),  # more entries than trusted proxies: someone wrote one in
    (2, "127.0.0.1", 401),  # fewer entries than proxies: the outer proxy was bypassed, the address is the inner's
])
def test_behind_trusted_proxies_the_clients_address_is_judged(behind, hops, forwarded_for, expected):
    client = behind(hops).test_client()
    response = client.get("/metrics", headers={"X-Forwarded-For": forwarded_for},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == expected


def test_an_ipv6_loopback_scraper_is_let_in(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
