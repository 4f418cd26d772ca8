"""An article's life cycle per role: submitting, publishing, sending back, archiving, owners, and what the
author, the source thread, the audit log and webhooks hear of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.core import clock, events
from forum.core.errors import Conflict, Forbidden, Invalid, NotAuthenticated
from forum.core.extensions import db
from forum.knowledge import articles, lifecycle
from forum.models import ArticleStatus, AuditEntry, Notification, NotificationKind, OutboundEmail
from forum.services import notifications

REFUSED = (Forbidden, NotAuthenticated)


@pytest.fixture
def published_events(monkeypatch) -> list[dict]:
    """The article.published events, as a webhook listener would receive them."""
    seen: list[dict] = []
    monkeypatch.setitem(events._listeners, "test.articles",
                        lambda name, data: seen.append(data) if name == "article.published" else None)
    return seen


def _audit(article) -> list[tuple[str, str]]:
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == "article",
                                                       AuditEntry.target_id == article.id).order_by(AuditEntry.id))
    return [(row.action, row.reason) for row in rows]


def _article_notifications(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == NotificationKind.ARTICLE.value)))


def test_the_author_submits_a_draft_for_review_and_others_may_not(make, make_article, proposer):
    article = make_article(author=proposer)
    for stranger in (None, make.make_user(reputation=5000)):
        with pytest.raises(REFUSED):
            lifecycle.submit_for_review(stranger, article)
    assert lifecycle.submit_for_review(proposer, article).status == ArticleStatus.IN_REVIEW.value
    with pytest.raises(Forbidden):  # already in review
        lifecycle.submit_for_review(proposer, article)


def test_staff_may_submit_anyones_draft(make_article, proposer, staff):
    article = make_article(author=proposer)
    assert lifecycle.submit_for_review(staff, article).status == ArticleStatus.IN_REVIEW.value


def test_a_suspended_author_may_not_submit_their_draft(make_article, proposer):
    article = make_article(author=proposer)
    proposer.suspended_until = clock.now() + timedelta(days=3)
    db.session.commit()
    with pytest.raises(Forbidden):
        lifecycle.submit_for_review(proposer, article)
    assert article.status == ArticleStatus.DRAFT.value


def test_only_staff_publish_and_publishing_counts_as_a_review(make, make_article, proposer, staff, clock_at,
                                                               published_events):
    article = make_article(author=proposer, status=ArticleStatus.IN_REVIEW)
    for refused in (None, proposer, make.make_user(reputation=5000)):
        with pytest.raises(REFUSED):
            lifecycle.publish(refused, article)
    assert article.status == ArticleStatus.IN_REVIEW.value and published_events == []
    clock_at.advance(hours=2)
    lifecycle.publish(staff, article)
    assert article.status == ArticleStatus.PUBLISHED.value
    assert article.published_at == article.reviewed_at == clock.now()
    assert article.archived_at is None and article.review_reminded_at is None
    assert published_events == [{"article_id": article.id}]
    assert _audit(article) == [("article.publish", "")]
    with pytest.raises(Forbidden):  # already published
        lifecycle.publish(staff, article)


def test_staff_may_publish_a_draft_straight_away(make_article, proposer, staff):
    article = make_article(author=proposer)
    assert lifecycle.publish(staff, article).status == ArticleStatus.PUBLISHED.value


def test_republishing_keeps_the_first_publication_date_and_reviews_again(make_article, staff, clock_at,
                                                                          published_events):
    article = make_article(status=ArticleStatus.PUBLISHED)
    first = article.published_at
    clock_at.advance(days=10)
    lifecycle.archive(staff, article, reason="Outdated firmware")
    assert article.status == ArticleStatus.ARCHIVED.value and article.archived_at == clock.now()
    clock_at.advance(days=5)
    lifecycle.publish(staff, article)
    assert article.published_at == first and article.reviewed_at == clock.now() and article.archived_at is None
    assert len(published_events) == 2
    assert [action for action, _reason in _audit(article)] == ["article.publish", "article.archive", "article.publish"]
    assert ("article.archive", "Outdated firmware") in _audit(article)


def test_the_source_thread_shows_the_published_article_until_it_is_archived(make_article, proposer, staff,
                                                                            solved_thread):
    article = make_article(author=proposer, source_thread_id=solved_thread.id)
    assert solved_thread.article_id is None
    lifecycle.publish(staff, article)
    assert solved_thread.article_id == article.id
    lifecycle.archive(staff, article)
    assert solved_thread.article_id is None


def test_a_second_article_from_the_same_thread_leaves_the_first_on_the_thread(make_article, staff, solved_thread):
    first = make_article(source_thread_id=solved_thread.id, status=ArticleStatus.PUBLISHED)
    second = make_article(source_thread_id=solved_thread.id, title="Channel 11 for evening drops",
                          status=ArticleStatus.PUBLISHED)
    assert solved_thread.article_id == first.id
    lifecycle.archive(staff, second)
    assert solved_thread.article_id == first.id  # archiving the other one leaves the link alone
    lifecycle.archive(staff, first)
    lifecycle.publish(staff, second)
    assert solved_thread.article_id == second.id


def test_only_staff_archive(make, make_article, proposer):
    article = make_article(author=proposer, status=ArticleStatus.PUBLISHED)
    for refused in (None, proposer, make.make_user(reputation=5000)):
        with pytest.raises(REFUSED):
            lifecycle.archive(refused, article)
    assert article.status == ArticleStatus.PUBLISHED.value


def test_the_author_hears_their_article_is_published_with_a_link_to_it(make_article, proposer, staff, run_jobs):
    article = make_article(author=proposer, status=ArticleStatus.IN_REVIEW)
    lifecycle.publish(staff, article)
    [told] = _article_notifications(proposer)
    assert told.article_id == article.id
    assert told.message == "Your article “Fix evening connection drops” is published."
    assert notifications.path_for(told) == articles.article_path(article)
    assert notifications.describe(told) == "About your article “Fix evening connection drops”"
    run_jobs()
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == proposer.email)).all()
    assert any(articles.article_path(article) in email.text_body and "is published" in email.text_body
               for email in mail)


def test_a_staff_author_who_publishes_is_not_told_of_it(make_article, staff):
    make_article(status=ArticleStatus.PUBLISHED)
    assert _article_notifications(staff) == []


def test_the_notification_links_to_the_article_on_the_page_and_in_the_api(make_article, proposer, staff, login_as,
                                                                          api_client):
    article = make_article(author=proposer, status=ArticleStatus.PUBLISHED)
    page = login_as(proposer).get("/notifications").get_data(as_text=True)
    assert f'href="{articles.article_path(article)}"' in page and "is published" in page
    listed = api_client(proposer).get("/api/v1/notifications").get_json()
    [item] = [n for n in listed["items"] if n["kind"] == "article"]
    assert item["summary"] == "About your article “Fix evening connection drops”"


def test_staff_send_an_article_in_review_back_to_draft_with_a_note(make, make_article, proposer, staff):
    article = make_article(author=proposer, status=ArticleStatus.IN_REVIEW)
    for refused in (None, proposer, make.make_user(reputation=5000)):
        with pytest.raises(REFUSED):
            lifecycle.return_to_draft(refused, article, "No")
    lifecycle.return_to_draft(staff, article, "Add the firmware version, please.")
    assert article.status == ArticleStatus.DRAFT.value
    [told] = _article_notifications(proposer)
    assert "went back to draft" in told.message and "Add the firmware version, please." in told.message
    assert _audit(article) == [("article.return_to_draft", "Add the firmware version, please.")]
    with pytest.raises(Conflict):  # a draft is not in review
        lifecycle.return_to_draft(staff, article)


def test_the_api_status_change_dispatches_each_transition(make_article, proposer, staff):
    article = make_article(author=proposer)
    assert lifecycle.change_status(proposer, article, "draft") is article  # the same status: nothing to do
    assert lifecycle.change_status(proposer, article, "in_review").status == "in_review"
    with pytest.raises(Forbidden):
        lifecycle.change_status(proposer, article, "draft")
    assert lifecycle.change_status(staff, article, "draft").status == "draft"
    with pytest.raises(Invalid) as refused:
        lifecycle.change_status(staff, article, "published")
    assert refused.value.errors == {"status": ["Publish through POST /articles/{id}/publish."]}
    with pytest.raises(Invalid) as unknown:
        lifecycle.change_status(staff, article, "deleted")
    assert "draft, in_review, published, archived" in unknown.value.errors["status"][0]
    with pytest.raises(Forbidden):
        lifecycle.change_status(proposer, article, "archived")
    assert lifecycle.change_status(staff, article, "archived").status == "archived"
    assert article.status == ArticleStatus.ARCHIVED.value


def test_staff_name_an_active_member_as_owner(make, make_article, proposer, staff):
    article = make_article(status=ArticleStatus.PUBLISHED)
    with pytest.raises(Forbidden):
        lifecycle.set_owner(proposer, article, proposer.id)
    suspended = make.make_user(suspended_until=clock.now() + timedelta(days=1))
    for bad in (suspended.id, 999_999, "1"):
        with pytest.raises(Invalid):
            lifecycle.set_owner(staff, article, bad)
    lifecycle.set_owner(staff, article, proposer.id)
    assert article.owner_id == proposer.id
    assert "keep the article" in _article_notifications(proposer)[0].message
    assert _audit(article)[-1] == ("article.owner", "")


def test_the_audit_log_page_lists_article_actions_with_their_reason(make, make_article, staff, login_as):
    article = make_article(status=ArticleStatus.PUBLISHED)
    lifecycle.archive(staff, article, withdrawn=True, reason="Copied from a vendor manual")
    admin = make.make_user(role="admin")
    page = login_as(admin).get("/moderation/audit")
    assert page.status_code == 200
    assert "Copied from a vendor manual" in page.get_data(as_text=True)
