"""Atom feeds parse in a real feed parser and show only what a signed-out reader may see."""

from __future__ import annotations

import feedparser
import pytest

from forum.services import moderation_state, qa, reading
from tests.web.helpers import text


def _parse(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, text(response)[:300]
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


@pytest.fixture
def threads(make, clock_at):
    billing, shipping = make.make_category("Billing", slug="billing"), make.make_category("Shipping", slug="shipping")
    asker, helper = make.make_user(), make.make_user(display_name="Helpful <Helen>")
    first = make.make_thread(asker, billing, title="Charged twice & refunded once", tags=["refund"],
                             body="I was charged **twice**. <script>alert(1)</script>")
    clock_at.advance(hours=1)
    second = make.make_thread(asker, shipping, title="Parcel lost", tags=["parcel"])
    clock_at.advance(hours=1)
    answer = make.make_reply(first, helper, "The second charge is a hold; it drops off in 3 days.")
    qa.accept_solution(asker, first, answer)
    clock_at.advance(hours=1)
    hidden = make.make_thread(asker, billing, title="Spam thread to hide")
    moderation_state.hide_post(reading.question_post(hidden), None, "spam")
    return first, second, hidden


def test_latest_feed_lists_visible_questions_newest_first(client, threads):
    feed = _parse(client, "/feeds/latest.atom")
    assert [entry.title for entry in feed.entries] == ["Parcel lost", "Charged twice & refunded once"]
    first = feed.entries[1]
    assert first.link == f"http://localhost/t/{threads[0].id}/{threads[0].slug}"
    assert "<strong>twice</strong>" in first.content[0].value and "<script>" not in first.content[0].value
    assert "drops off in 3 days" in first.content[0].value  # the accepted answer travels with it
    assert {tag.term for tag in first.tags} >= {"billing", "refund"}


def test_solved_category_and_tag_feeds(client, threads):
    assert [e.title for e in _parse(client, "/feeds/solved.atom").entries] == ["Charged twice & refunded once"]
    assert [e.title for e in _parse(client, "/c/shipping/feed.atom").entries] == ["Parcel lost"]
    assert [e.title for e in _parse(client, "/tags/refund/feed.atom").entries] == ["Charged twice & refunded once"]
    assert client.get("/c/nope/feed.atom").status_code == 404
    assert client.get("/tags/nope/feed.atom").status_code == 404


def test_a_moderator_fetching_a_feed_still_gets_the_public_view(client, login_as, make, threads):
    login_as(make.make_user("moderator"))
    assert "Spam thread to hide" not in [e.title for e in _parse(client, "/c/billing/feed.atom").entries]


def test_pages_announce_their_feeds_and_feeds_answer_conditional_requests(client, threads):
    assert 'type="application/atom+xml" title="Latest questions" href="/feeds/latest.atom"' in text(client.get("/"))
    assert 'href="/c/billing/feed.atom"' in text(client.get("/c/billing"))
    first = client.get("/feeds/latest.atom")
    again = client.get("/feeds/latest.atom", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_an_empty_community_has_a_valid_feed(client, db):
    feed = _parse(client, "/feeds/latest.atom")
    assert feed.entries == [] and feed.feed.title == "Latest questions · Horseshoe community"


def test_only_cookie_less_feed_responses_may_sit_in_shared_caches(client, login_as, make, threads):
    assert "public" in client.get("/feeds/latest.atom").headers["Cache-Control"]
    login_as(make.make_user())
    signed_in = client.get("/feeds/latest.atom")
    assert "private" in signed_in.headers["Cache-Control"] and "public" not in signed_in.headers["Cache-Control"]
