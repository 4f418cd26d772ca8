"""Monitoring as deployed (issue 28, item 3): gunicorn with two workers, started as `make run` starts it (so it
reads gunicorn.conf.py), counts the requests of both workers in one /metrics scrape; request ids reach the JSON
log line and, through the job a request queued, the worker's log."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.deployed.site import Site
from tests.support.crash import wait_for

TIMEOUT_S = 10


def healthz_count(site: Site) -> float:
    """The summed count of answered GET /healthz in one scrape (from loopback, no proxy: allowed)."""
    scrape = requests.get(f"{site.base_url}/metrics", timeout=TIMEOUT_S)
    assert scrape.status_code == 200, scrape.text
    for family in text_string_to_metric_families(scrape.text):
        for sample in family.samples:
            if sample.name == "horseshoe_http_request_duration_seconds_count" and sample.labels == {
                    "endpoint": "monitoring.healthz", "method": "GET", "status": "2xx"}:
                return sample.value
    return 0.0


def workers_with_counts(site: Site) -> set[str]:
    """The gunicorn workers that wrote request latencies (prometheus_client's multiprocess files: one per pid)."""
    return {path.stem.rsplit("_", 1)[-1] for path in (site.data_dir / "prometheus").glob("histogram_*.db")}


def ask_healthz(site: Site, times: int) -> None:
    """Side by side, each on a new connection, so both workers answer some."""
    def ask(_number: int) -> int:
        return requests.get(f"{site.base_url}/healthz", timeout=TIMEOUT_S).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert set(pool.map(ask, range(times))) == {200}


def test_one_scrape_sums_the_requests_of_both_workers(site: Site):
    before = healthz_count(site)
    asked = 0
    while len(workers_with_counts(site)) < 2 and asked < 400:
        ask_healthz(site, 20)
        asked += 20
    assert len(workers_with_counts(site)) == 2, f"one worker answered all {asked} requests"
    assert healthz_count(site) == before + asked  # whichever worker answers the scrape
    assert healthz_count(site) == before + asked


def test_metrics_relayed_by_a_proxy_on_this_host_are_refused(site: Site):
    relayed = requests.get(f"{site.base_url}/metrics", headers={"X-Forwarded-For": "198.51.100.7"},
                           timeout=TIMEOUT_S)
    assert relayed.status_code == 401 and relayed.headers["Content-Type"] == "application/problem+json"


def test_a_request_id_reaches_the_log_line_and_the_workers_log_of_its_job(site: Site, agent_api, category_id):
    answer = agent_api.call("POST", "/threads", headers={"X-Request-ID": "deployed-ask-1"}, json={
        "category_id": category_id, "title": "Where is the monitoring page?", "body": "Asking for the on-call team.",
        "tags": [], "kind": "question"})
    assert answer.status_code == 201 and answer.headers["X-Request-ID"] == "deployed-ask-1"
    logged = wait_for(lambda: _json_line(site, "deployed-ask-1"), 10, "the request's JSON log line")
    assert logged["endpoint"] == "api.start_thread" and logged["status"] == 201 and logged["user_id"]
    wait_for(lambda: "runs for request deployed-ask-1" in (site.workdir / "worker.log").read_text(), 30,
             "the worker's log line for the job the request queued")


def _json_line(site: Site, request_id: str) -> dict | None:
    for line in (site.workdir / "gunicorn.log").read_text().splitlines():
        if line.startswith("{") and f'"request_id": "{request_id}"' in line:
            return json.loads(line)
    return None
