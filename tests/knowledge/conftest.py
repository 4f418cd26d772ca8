"""Fixtures the knowledge-base tests share: staff, a member who may propose articles, a solved thread, and a
builder for articles in any status (through the services, as a user would make them)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from forum.knowledge import articles
from forum.models import Article, ArticleStatus, Thread, User
from forum.services import qa


@pytest.fixture
def staff(make) -> User:
    return make.make_user(role="moderator", username="mona")


@pytest.fixture
def proposer(make) -> User:
    """A member holding the article privilege (reputation at knowledge.propose_reputation's default)."""
    return make.make_user(username="pat", reputation=1000)


@pytest.fixture
def solved_thread(make) -> Thread:
    """A question whose asker accepted a peer's reply."""
    asker = make.make_user(username="ana")
    thread = make.make_thread(author=asker, title="Router drops the connection every evening",
                              body="Every evening around 8 the connection drops for a minute.")
    answer = make.make_reply(thread, body="Switch the router to channel 11: the neighbours use 6.")
    qa.accept_solution(asker, thread, answer)
    return thread


@pytest.fixture
def make_article(make, staff) -> Callable[..., Article]:
    """make_article(author=None, status=ArticleStatus.DRAFT, **draft fields) — proposed by author (staff by
    default), then moved to status through the life cycle."""

    def build(author: User | None = None, status: ArticleStatus = ArticleStatus.DRAFT, **fields) -> Article:
        from forum.knowledge import lifecycle  # the life cycle is built beside these fixtures

        author = author or staff
        category_id = fields.pop("category_id", None) or make.make_category().id
        draft = articles.ArticleDraft(
            title=fields.pop("title", "Fix evening connection drops"),
            body=fields.pop("body", "## Cause\n\nNeighbouring networks on channel 6.\n\n## Fix\n\nUse channel 11."),
            category_id=category_id, **fields)
        article = articles.create_article(author, draft)
        if status is ArticleStatus.IN_REVIEW:
            lifecycle.submit_for_review(author, article)
        elif status is ArticleStatus.PUBLISHED:
            lifecycle.publish(staff, article)
        elif status is ArticleStatus.ARCHIVED:
            lifecycle.publish(staff, article)
            lifecycle.archive(staff, article)
        return article

    return build
