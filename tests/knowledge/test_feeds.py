"""The knowledge base in Atom feeds: published articles only, newest publication first, each linking to its
permalink and carrying its sanitized HTML, cached like the other feeds (the anonymous view)."""

from __future__ import annotations

import feedparser
import pytest

from forum.knowledge import articles, lifecycle
from forum.models import ArticleStatus
from tests.web.helpers import text


def _parse(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, text(response)[:300]
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


@pytest.fixture
def knowledge(make, make_article, staff, proposer, clock_at):
    """Published articles in two categories (the older one published later), and one in each other status."""
    billing, shipping = make.make_category("Billing", slug="billing"), make.make_category("Shipping", slug="shipping")
    refunds = make_article(proposer, ArticleStatus.IN_REVIEW, title="Refunds take three days", category_id=billing.id,
                           tags=["refund"], body="Refunds **take** three days. <script>alert(1)</script>")
    clock_at.advance(hours=1)
    parcels = make_article(staff, ArticleStatus.PUBLISHED, title="Track a lost parcel", category_id=shipping.id)
    clock_at.advance(hours=1)
    lifecycle.publish(staff, refunds)
    clock_at.advance(hours=1)
    make_article(proposer, ArticleStatus.DRAFT, title="A draft nobody may read yet", category_id=billing.id)
    make_article(proposer, ArticleStatus.IN_REVIEW, title="An article waiting for review", category_id=billing.id)
    make_article(staff, ArticleStatus.ARCHIVED, title="An archived article", category_id=billing.id)
    return {"refunds": refunds, "parcels": parcels}


def test_the_articles_feed_lists_published_articles_newest_publication_first(client, knowledge):
    feed = _parse(client, "/feeds/articles.atom")
    assert [entry.title for entry in feed.entries] == ["Refunds take three days", "Track a lost parcel"]
    refunds = feed.entries[0]
    assert refunds.link == f"http://localhost{articles.article_path(knowledge['refunds'])}"
    assert refunds.author == "pat"
    content = refunds.content[0].value
    assert "<strong>take</strong>" in content and "<script>" not in content
    assert {tag.term for tag in refunds.tags} >= {"billing", "refund"}
    assert feed.feed.title == "Knowledge base · Horseshoe community"
    assert feed.feed.link == "http://localhost/kb"


def test_an_article_leaves_the_feed_when_archived(client, knowledge, staff):
    lifecycle.archive(staff, knowledge["refunds"])
    assert [entry.title for entry in _parse(client, "/feeds/articles.atom").entries] == ["Track a lost parcel"]


def test_a_categorys_articles_feed_holds_that_categorys_published_articles(client, knowledge):
    assert [e.title for e in _parse(client, "/c/billing/articles.atom").entries] == ["Refunds take three days"]
    assert [e.title for e in _parse(client, "/c/shipping/articles.atom").entries] == ["Track a lost parcel"]
    assert client.get("/c/nope/articles.atom").status_code == 404


def test_staff_fetching_the_feed_still_get_the_public_view(client, login_as, knowledge, staff):
    login_as(staff)
    titles = [entry.title for entry in _parse(client, "/feeds/articles.atom").entries]
    assert "A draft nobody may read yet" not in titles and "An article waiting for review" not in titles


def test_the_knowledge_base_and_category_pages_announce_their_article_feeds(client, knowledge):
    alternate = 'type="application/atom+xml" title="Knowledge base articles" href="/feeds/articles.atom"'
    assert alternate in text(client.get("/kb"))
    assert 'title="Articles in this category" href="/c/billing/articles.atom"' in text(client.get("/c/billing"))


def test_only_cookie_less_article_feeds_may_sit_in_shared_caches(client, login_as, make, knowledge):
    first = client.get("/feeds/articles.atom")
    assert "public" in first.headers["Cache-Control"]
    assert client.get("/feeds/articles.atom", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    login_as(make.make_user())
    signed_in = client.get("/feeds/articles.atom")
    assert "private" in signed_in.headers["Cache-Control"] and "public" not in signed_in.headers["Cache-Control"]


def test_a_knowledge_base_without_articles_has_a_valid_feed(client, db):
    feed = _parse(client, "/feeds/articles.atom")
    assert feed.entries == [] and feed.feed.title == "Knowledge base · Horseshoe community"
