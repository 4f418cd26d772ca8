"""Deflections in the outcome metrics: /api/v1/metrics/summary gains article_deflections (api.md v1.1) beside the
total for threads and articles, and the staff dashboard shows them as a card and a weekly chart."""

from __future__ import annotations

import csv
import io
import re

import pytest

from forum.analytics import metrics
from forum.knowledge import deflection
from forum.models import ArticleStatus
from forum.services import qa
from tests.web.helpers import text
from tests.web.test_analytics_dashboard import tiles

DAY = {"from": "2026-11-20", "to": "2026-11-20"}  # the test clock's day (TEST_NOW is 20 Nov 2026, 09:00)


@pytest.fixture
def opened(make, make_article, clock_at):
    """On the 20th: an article (Billing) and a thread (Shipping) each deflect one asker; a third asker opens
    the article but asks anyway. On the 19th, another article deflection (outside the day)."""
    billing, shipping = make.make_category("Billing", slug="billing"), make.make_category("Shipping", slug="ship")
    article = make_article(status=ArticleStatus.PUBLISHED, category_id=billing.id, title="Read your invoice")
    thread = make.make_thread(category=shipping, title="Parcel arrived damaged")
    qa.accept_solution(thread.author, thread, make.make_reply(thread))
    day_before = clock_at.now
    clock_at.advance(days=-1)
    deflection.record_open(make.make_user(), "earlier", "article", article.id)
    clock_at.set(day_before)
    deflection.record_open(make.make_user(), "visit-a", "article", article.id)
    deflection.record_open(make.make_user(), "visit-b", "thread", thread.id)
    asks_anyway = make.make_user()
    deflection.record_open(asks_anyway, "visit-c", "article", article.id)
    clock_at.advance(minutes=10)
    make.make_thread(author=asks_anyway, category=billing, title="My invoice is still wrong")
    clock_at.advance(minutes=25)
    deflection.settle_due()
    return {"billing": billing, "shipping": shipping, "article": article}


def test_the_summary_counts_deflections_of_suggestions_opened_in_the_period(opened):
    summary = metrics.summary(metrics.parse_period(DAY["from"], DAY["to"]))
    assert (summary.deflections, summary.article_deflections) == (2, 1)
    two_days = metrics.summary(metrics.parse_period("2026-11-19", DAY["to"]))
    assert (two_days.deflections, two_days.article_deflections) == (3, 2)


def test_a_thread_deflection_counts_in_the_total_but_not_for_articles(opened):
    shipping = metrics.summary(metrics.parse_period(DAY["from"], DAY["to"], "ship"))
    assert (shipping.deflections, shipping.article_deflections) == (1, 0)
    billing = metrics.summary(metrics.parse_period(DAY["from"], DAY["to"], "billing"))
    assert (billing.deflections, billing.article_deflections) == (1, 1)


def test_an_open_window_is_counted_once_it_has_been_settled(opened, make, clock_at):
    deflection.record_open(make.make_user(), "visit-d", "article", opened["article"].id)
    assert metrics.summary(metrics.parse_period(DAY["from"], DAY["to"])).article_deflections == 1
    clock_at.advance(minutes=30)
    deflection.settle_due()
    assert metrics.summary(metrics.parse_period(DAY["from"], DAY["to"])).article_deflections == 2


def test_the_summary_api_answers_article_deflections(opened, api_client, make):
    response = api_client(make.make_user("agent")).get("/api/v1/metrics/summary", query_string=DAY)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["article_deflections"], body["deflections"]) == (1, 2)
    shipping = api_client(make.make_user("admin")).get("/api/v1/metrics/summary",
                                                       query_string={**DAY, "category": "ship"}).get_json()
    assert (shipping["article_deflections"], shipping["deflections"]) == (0, 1)


def test_the_openapi_document_describes_article_deflections(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schema = spec["paths"]["/metrics/summary"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"article_deflections", "deflections"} <= set(schema["required"])
    field = schema["properties"]["article_deflections"]
    assert field["type"] == "integer" and "ask page" in field["description"]


def test_the_dashboard_shows_deflections_as_a_card_and_a_weekly_chart(opened, login_as, make):
    page = text(login_as(make.make_user("agent")).get("/staff/analytics", query_string=DAY))
    card = tiles(page)["Deflections"]
    assert card.startswith("2 1 by articles, 1 by solved threads")
    assert "Previous period: 1. +1 (better)" in card  # the 19th's article deflection
    chart = re.search(r'<figure class="chart" aria-labelledby="chart-deflections-heading">.*?</figure>', page, re.S)
    assert chart and "Deflections by articles and solved threads" in chart.group(0)
    # The last of eight weeks runs from 14 Nov: the 19th's article deflection is in it too.
    assert '<tr><th scope="row">14 Nov</th><td>2</td><td>1</td></tr>' in chart.group(0)
    assert '<tr><th scope="row">7 Nov</th><td>0</td><td>0</td></tr>' in chart.group(0)
    assert "In all 3 deflections, 2 by articles" in chart.group(0)


def test_the_metrics_csv_carries_both_counts(opened, login_as, make):
    response = login_as(make.make_user("agent")).get("/staff/analytics/metrics.csv", query_string=DAY)
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(text(response)))}
    assert rows["article_deflections"] == ["1", "1", "0"] and rows["deflections"] == ["2", "1", "1"]
