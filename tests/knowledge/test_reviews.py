"""Keeping articles current: an owner is reminded once per review interval after it passes, marking the
article reviewed starts the interval again, and articles without an owner are only listed for staff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.core import clock
from forum.core.errors import Conflict, Forbidden, NotAuthenticated
from forum.core.extensions import db
from forum.knowledge import lifecycle, reviews
from forum.models import Article, ArticleStatus, Notification, NotificationKind, User
from forum.services import community_settings

INTERVAL = 180  # knowledge.review_interval_days' default


@pytest.fixture
def owner(proposer) -> User:
    return proposer


@pytest.fixture
def article(make_article, owner) -> Article:
    return make_article(author=owner, status=ArticleStatus.PUBLISHED, title="Fix evening connection drops")


def _reminders(user: User) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == NotificationKind.ARTICLE.value,
        Notification.message.contains("last reviewed"))))


def test_the_owner_is_reminded_once_per_interval_after_it_passes(article, owner, clock_at):
    clock_at.advance(days=INTERVAL - 1)
    assert reviews.remind_reviews({}) == 0 and _reminders(owner) == []

    clock_at.advance(days=2)
    assert reviews.remind_reviews({}) == 1
    [reminder] = _reminders(owner)
    assert reminder.article_id == article.id and "181 days ago" in reminder.message

    clock_at.advance(days=1)
    assert reviews.remind_reviews({}) == 0 and len(_reminders(owner)) == 1

    clock_at.advance(days=INTERVAL)
    assert reviews.remind_reviews({}) == 1 and len(_reminders(owner)) == 2


def test_marking_reviewed_starts_the_interval_again(article, owner, clock_at):
    clock_at.advance(days=INTERVAL + 1)
    reviews.remind_reviews({})
    reviews.mark_reviewed(owner, article)
    assert article.reviewed_at == clock.now() and article.review_reminded_at is None
    assert reviews.due_for_review() == []

    clock_at.advance(days=INTERVAL - 1)
    assert reviews.remind_reviews({}) == 0
    clock_at.advance(days=2)
    assert reviews.remind_reviews({}) == 1 and len(_reminders(owner)) == 2


def test_an_article_without_an_owner_is_listed_for_staff_but_nobody_is_reminded(article, owner, clock_at):
    article.owner_id = None  # as when the owner's account is gone (the column is SET NULL)
    db.session.commit()
    clock_at.advance(days=INTERVAL + 1)

    assert reviews.remind_reviews({}) == 0 and _reminders(owner) == []
    assert reviews.due_for_review() == [article]


def test_the_longest_unreviewed_articles_are_listed_first(make_article, owner, clock_at):
    older = make_article(author=owner, status=ArticleStatus.PUBLISHED, title="Older article")
    clock_at.advance(days=10)
    newer = make_article(author=owner, status=ArticleStatus.PUBLISHED, title="Newer article")
    clock_at.advance(days=INTERVAL + 1)
    assert reviews.due_for_review() == [older, newer]


def test_a_shorter_interval_setting_makes_articles_due_sooner(article, owner, clock_at, make):
    community_settings.update_settings(make.make_user(role="admin"), {"knowledge.review_interval_days": 30})
    clock_at.advance(days=31)
    assert reviews.due_for_review() == [article]


def test_only_the_owner_or_staff_mark_a_published_article_reviewed(make, make_article, article, owner, staff):
    with pytest.raises(NotAuthenticated):
        reviews.mark_reviewed(None, article)
    with pytest.raises(Forbidden):
        reviews.mark_reviewed(make.make_user(), article)
    owner.suspended_until = clock.now() + timedelta(days=2)
    db.session.commit()
    with pytest.raises(Forbidden):
        reviews.mark_reviewed(owner, article)
    reviews.mark_reviewed(staff, article)

    lifecycle.archive(staff, article)
    with pytest.raises(Conflict):
        reviews.mark_reviewed(staff, article)


def test_the_button_marks_reviewed_and_goes_back_where_it_was(login_as, article, owner, staff, clock_at):
    clock_at.advance(days=INTERVAL + 5)
    response = login_as(owner).post(f"/kb/{article.id}/reviewed")
    assert response.status_code == 303 and response.location == f"/kb/{article.id}/{article.slug}"
    db.session.refresh(article)
    assert article.reviewed_at == clock.now()

    clock_at.advance(days=INTERVAL + 5)
    response = login_as(staff).post(f"/kb/{article.id}/reviewed", data={"back": "staff"})
    assert response.status_code == 303 and response.location.startswith("/admin/articles")
    page = login_as(staff).get(response.location).text
    assert "Marked reviewed" in page and "Every published article was reviewed" in page


def test_members_and_signed_out_visitors_cannot_use_the_button(client, make, login_as, article):
    assert client.post(f"/kb/{article.id}/reviewed").status_code == 302
    assert login_as(make.make_user()).post(f"/kb/{article.id}/reviewed").status_code == 403
    db.session.refresh(article)
    assert article.reviewed_at == article.published_at
