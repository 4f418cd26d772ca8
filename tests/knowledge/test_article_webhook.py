"""The article.published webhook: a subscriber's real HTTP receiver gets one signed delivery per publication,
carrying the API article object; drafts and articles in review never leave the site."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from forum.integrations import webhooks
from forum.knowledge import api as knowledge_api  # noqa: F401  (its routes join the API blueprint on import)
from forum.knowledge import lifecycle
from forum.models import ArticleStatus, User
from tests.support.receiver import Receiver, running_receiver

SECRET = "article-receiver-secret"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from running_receiver()


@pytest.fixture
def admin(make) -> User:
    return make.make_user("admin")


def subscribe(admin: User, receiver: Receiver, events: list[str]) -> None:
    """A subscription to the local receiver (loopback: the admin ticks "on-premises host")."""
    webhooks.create_subscription(admin, webhooks.SubscriptionInput(receiver.url, events, SECRET, allow_private=True))


def test_publishing_through_the_api_sends_a_signed_delivery_with_the_article(
        api_client, admin, staff, proposer, make_article, receiver, run_jobs):
    subscribe(admin, receiver, ["article.published"])
    draft = make_article(author=proposer, status=ArticleStatus.IN_REVIEW, tags=["wifi"])
    assert api_client(staff).post(f"/api/v1/articles/{draft.id}/publish").status_code == 200
    run_jobs()
    [delivery] = receiver.received
    assert delivery.verify(SECRET)
    body = delivery.json
    assert (body["type"], body["id"], body["created_at"]) == (
        "article.published", delivery.event_id, "2026-11-20T09:00:00Z")
    article = body["data"]["article"]
    assert (article["id"], article["title"], article["status"], article["tags"]) == (
        draft.id, "Fix evening connection drops", "published", ["wifi"])
    assert article["url"] == f"/kb/{draft.id}/{draft.slug}" and article["author"]["username"] == "pat"
    assert article["body"].startswith("## Cause") and article["published_at"] == "2026-11-20T09:00:00Z"


def test_drafts_and_articles_in_review_never_emit_it(admin, staff, proposer, make_article, receiver, run_jobs):
    subscribe(admin, receiver, ["article.published", "thread.created"])
    article = make_article(author=proposer)
    lifecycle.submit_for_review(proposer, article)
    lifecycle.return_to_draft(staff, article, "Needs a screenshot.")
    run_jobs()
    assert receiver.received == []
    lifecycle.publish(staff, article)
    run_jobs()
    assert [r.json["type"] for r in receiver.received] == ["article.published"]


def test_publishing_again_after_archiving_is_a_new_event(admin, staff, make_article, receiver, run_jobs):
    subscribe(admin, receiver, ["article.published"])
    article = make_article(status=ArticleStatus.ARCHIVED)  # published once, then archived
    lifecycle.publish(staff, article)
    run_jobs()
    assert len(receiver.unique()) == 2 and all(r.verify(SECRET) for r in receiver.received)
    assert [r.json["data"]["article"]["status"] for r in receiver.received] == ["published", "published"]


def test_subscribers_to_other_events_get_nothing(admin, make_article, receiver, run_jobs):
    subscribe(admin, receiver, ["thread.solved"])
    make_article(status=ArticleStatus.PUBLISHED)
    run_jobs()
    assert receiver.received == []


def test_admins_are_offered_the_event_on_the_page_and_over_the_api(admin, login_as, api_client, receiver):
    assert 'value="article.published"' in login_as(admin).get("/admin/webhooks").get_data(as_text=True)
    created = api_client(admin).post("/api/v1/webhooks", json={"url": receiver.url, "events": ["article.published"],
                                                                "secret": SECRET, "allow_private": True})
    assert created.status_code == 201 and created.get_json()["events"] == ["article.published"]
