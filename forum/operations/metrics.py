"""Prometheus metrics (GET /metrics, forum.operations.pages): how requests are answered, and how the machinery is.

Two kinds of figure, collected differently:

- Request latency: a histogram observed by every request (after it is answered), labelled by the Flask endpoint
  (the view's name, never the path: paths carry ids, slugs and tokens without end), the method and the status
  class (2xx...). With several gunicorn workers each keeps its own counts, so prometheus_client's multiprocess
  mode is used whenever PROMETHEUS_MULTIPROC_DIR is set (gunicorn.conf.py sets it under the data directory and
  empties it on each start): each worker writes its counts to files there and a scrape, whichever worker answers
  it, sums them all. Without the variable (`flask run`, tests) the process's own counts are shown.
- The machinery: job queue depth and age by kind, dead jobs, the outbound mail backlog, search index lag, uploads'
  disk use and what runs. Read from the database when /metrics is asked (forum.operations.figures, the System
  page's source), never counted per request, so every worker reports the same figures.

Names follow Prometheus' conventions: the horseshoe_ prefix, base units (seconds, bytes), _total for counters.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder

from forum.core import job_registry
from forum.operations import figures

log = logging.getLogger(__name__)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Methods keep their name; anything else (a client may send any token as a method) is counted as "other", so a
# scanner cannot grow the number of series without end.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "none"  # the endpoint of a request no route matched (a 404 before any view)

# registry=None: never collected from a process-wide registry; exposition() picks the source (files or memory).
REQUEST_SECONDS = Histogram(
    "horseshoe_http_request_duration_seconds",
    "Time to answer a request, by Flask endpoint, method and status class.",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=None,
)


def observe_request(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(
        endpoint=endpoint or UNMATCHED,
        method=method if method in KNOWN_METHODS else "other",
        status=f"{status // 100}xx",
    ).observe(max(0.0, seconds))


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def exposition(accept: str | None) -> tuple[bytes, str]:
    """The text a scrape gets, and its Content-Type (OpenMetrics when the scraper asks for it)."""
    registry = CollectorRegistry()
    if multiprocess_mode():
        multiprocess.MultiProcessCollector(registry)  # every worker's files, summed
    else:
        registry.register(REQUEST_SECONDS)
    registry.register(FiguresCollector())
    encode, content_type = choose_encoder(accept or "")
    return encode(registry), content_type


class FiguresCollector:
    """The machinery's figures, read from the database at scrape time (one system_figures() per scrape)."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("horseshoe_system_figures_up",
                               "1 when the figures below could be read from the database, else 0.")
        try:
            found = figures.system_figures()
        except Exception as exc:  # a scrape still answers (latencies, and this 0) when the database does not
            log.warning("metrics: the system figures could not be read: %s: %s", type(exc).__name__, exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from queue_families(found)
        yield from backlog_families(found)


def queue_families(found: figures.SystemFigures) -> Iterator[Metric]:
    """Per job kind (every registered one, 0 when none is waiting, so a series never vanishes)."""
    queued = GaugeMetricFamily("horseshoe_jobs_queued",
                               "Jobs still to run (due, waiting for a retry or a later start, or running), by kind.",
                               labels=["kind"])
    oldest = GaugeMetricFamily("horseshoe_jobs_oldest_due_age_seconds",
                               "How long the kind's longest-waiting due job has waited to be picked up (0: none).",
                               labels=["kind"])
    by_kind = {figure.kind: figure for figure in found.jobs}
    for kind in sorted(set(by_kind) | job_registry.names()):
        figure = by_kind.get(kind)
        queued.add_metric([kind], figure.queued if figure else 0)
        oldest.add_metric([kind], (figure.oldest_age_s or 0.0) if figure else 0.0)
    yield queued
    yield oldest
    yield _gauge("horseshoe_jobs_dead", "Jobs that failed every attempt, waiting for an admin to resend or discard.",
                 found.dead_jobs)


def backlog_families(found: figures.SystemFigures) -> Iterator[Metric]:
    yield _gauge("horseshoe_mail_backlog_emails", "Emails stored but not delivered (waiting, being sent, or dead).",
                 found.mail_backlog)
    yield _gauge("horseshoe_search_index_lag_seconds",
                 "Age of the oldest change search has not taken in yet (0: the index is up to date).",
                 found.search_index_lag_s or 0.0)
    yield _gauge("horseshoe_uploads_bytes", "Bytes of the files live uploads and their renditions name.",
                 found.uploads_bytes)
    info = GaugeMetricFamily("horseshoe_build_info", "What runs: versions and the database's migration revision.",
                             labels=[*sorted(found.versions), "migration_head"])
    info.add_metric([found.versions[name] for name in sorted(found.versions)] + [found.migration_head], 1)
    yield info


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
