"""Did this help? One answer per member and article, counters that always match the answers, and views that
the article page's beacon counts (reading the page writes nothing)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.core import clock
from forum.core.errors import Forbidden, Invalid, NotAuthenticated
from forum.core.extensions import db
from forum.knowledge import articles, feedback, lifecycle
from forum.models import Article, ArticleFeedback, ArticleStatus, User
from tests import factories
from tests.concurrency import race
from tests.queries import count_statements


@pytest.fixture
def published(make_article) -> Article:
    return make_article(status=ArticleStatus.PUBLISHED, title="Fix evening connection drops")


@pytest.fixture
def reader(make) -> User:
    return make.make_user(username="rita")


def _answers(article: Article) -> int:
    return db.session.scalar(select(func.count()).select_from(ArticleFeedback)
                             .where(ArticleFeedback.article_id == article.id))


def test_a_members_answer_is_counted_once_and_can_be_changed(published, reader):
    row, created = feedback.give(reader, published, True)
    assert created and row.helpful and (published.helpful_count, published.not_helpful_count) == (1, 0)

    row, created = feedback.give(reader, published, False, "  Step 3 names the wrong menu.  ")
    assert not created and not row.helpful and row.comment == "Step 3 names the wrong menu."
    assert (published.helpful_count, published.not_helpful_count) == (0, 1)

    feedback.give(reader, published, False)
    assert (published.helpful_count, published.not_helpful_count) == (0, 1)
    assert _answers(published) == 1
    assert feedback.answer_of(reader, published).comment == ""  # a new answer replaces the old comment


def test_answers_from_different_members_add_up(make, published, reader):
    feedback.give(reader, published, True)
    feedback.give(make.make_user(), published, True)
    feedback.give(make.make_user(), published, False)
    assert (published.helpful_count, published.not_helpful_count) == (2, 1)


def test_nobody_signed_out_suspended_or_on_an_unpublished_article_may_answer(make, make_article, published, staff):
    suspended = make.make_user(suspended_until=clock.now() + timedelta(days=3))
    with pytest.raises(NotAuthenticated):
        feedback.give(None, published, True)
    with pytest.raises(Forbidden):
        feedback.give(suspended, published, True)
    draft = make_article(author=staff, title="Not finished yet")
    with pytest.raises(Forbidden):
        feedback.give(staff, draft, True)
    archived = make_article(status=ArticleStatus.ARCHIVED, title="Old router models")
    with pytest.raises(Forbidden):
        feedback.give(make.make_user(), archived, True)
    assert published.helpful_count == 0 and _answers(published) == 0


def test_a_comment_over_two_thousand_characters_or_an_answer_that_is_not_yes_or_no_is_refused(published, reader):
    with pytest.raises(Invalid) as refused:
        feedback.give(reader, published, True, "x" * 2001)
    assert "2,000 characters" in refused.value.errors["comment"][0]
    with pytest.raises(Invalid) as refused:
        feedback.give(reader, published, "maybe")
    assert "helpful" in refused.value.errors
    feedback.give(reader, published, True, "x" * 2000)
    assert published.helpful_count == 1


def test_answering_on_the_page_thanks_the_member_and_shows_their_answer(login_as, published, reader):
    client = login_as(reader)
    response = client.post(f"/kb/{published.id}/feedback", data={"helpful": "no", "comment": "Add the 5 GHz case."})
    assert response.status_code == 303 and response.location.endswith(f"{articles.article_path(published)}#feedback")

    page = client.get(response.location).text
    assert "Thanks: your answer helps us keep this article right" in page
    assert "0 of 1 found this helpful" in page and "You answered no" in page
    assert "Add the 5 GHz case." not in page  # comments are for staff
    assert feedback.answer_of(reader, published).comment == "Add the 5 GHz case."


def test_a_refused_comment_comes_back_with_its_text_and_nothing_is_counted(login_as, published, reader):
    response = login_as(reader).post(f"/kb/{published.id}/feedback", data={"helpful": "yes", "comment": "y" * 2001})
    assert response.status_code == 422
    assert "2,000 characters" in response.text and "y" * 2001 in response.text
    assert _answers(published) == 0


def test_signed_out_readers_are_offered_to_sign_in_instead_of_the_form(client, published):
    page = client.get(articles.article_path(published)).text
    assert "Sign in to tell us" in page
    assert f"/auth/login?next=/kb/{published.id}/" in page
    assert f'action="/kb/{published.id}/feedback"' not in page

    response = client.post(f"/kb/{published.id}/feedback", data={"helpful": "yes"})
    assert response.status_code == 302 and "/auth/login" in response.location
    assert _answers(published) == 0


def test_a_suspended_member_sees_the_counts_but_no_form(make, login_as, published):
    suspended = make.make_user(suspended_until=clock.now() + timedelta(days=3))
    client = login_as(suspended)
    page = client.get(articles.article_path(published)).text
    assert "Nobody has answered yet" in page and f'action="/kb/{published.id}/feedback"' not in page
    assert client.post(f"/kb/{published.id}/feedback", data={"helpful": "yes"}).status_code == 403
    assert _answers(published) == 0


def test_the_beacon_counts_a_view_of_a_published_article_without_a_csrf_token(client, published):
    response = client.post(f"/kb/{published.id}/viewed", csrf=False)
    assert response.status_code == 204
    db.session.refresh(published)
    assert published.view_count == 1


def test_the_beacon_counts_no_view_of_a_draft_or_an_archived_article(client, make_article, staff, login_as):
    draft = make_article(title="Draft about routers")
    archived = make_article(status=ArticleStatus.ARCHIVED, title="Archived about routers")
    assert client.post(f"/kb/{draft.id}/viewed").status_code == 404
    assert client.post(f"/kb/{archived.id}/viewed").status_code == 404
    assert login_as(staff).post(f"/kb/{draft.id}/viewed").status_code == 404  # even for those who may see it
    assert client.post("/kb/999999/viewed").status_code == 404
    for article in (draft, archived):
        db.session.refresh(article)
        assert article.view_count == 0


def test_a_suspended_reader_still_counts_as_a_view(make, login_as, published):
    suspended = make.make_user(suspended_until=clock.now() + timedelta(days=3))
    assert login_as(suspended).post(f"/kb/{published.id}/viewed").status_code == 204
    db.session.refresh(published)
    assert published.view_count == 1


def test_reading_the_article_writes_nothing_and_carries_the_beacon(client, published):
    with count_statements() as statements:
        page = client.get(articles.article_path(published)).text
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert f'data-kb-article="{published.id}"' in page and "kb_views.js" in page
    db.session.refresh(published)
    assert published.view_count == 0


@pytest.mark.usefixtures("limits_on")
def test_views_are_rate_limited_per_address_and_article(client, make_article, published):
    other = make_article(status=ArticleStatus.PUBLISHED, title="Reset the router")
    answers = [client.post(f"/kb/{published.id}/viewed").status_code for _ in range(6)]
    assert answers == [204] * 5 + [429]
    assert client.post(f"/kb/{other.id}/viewed").status_code == 204
    db.session.refresh(published)
    assert published.view_count == 5


@pytest.mark.parametrize("attempt", range(3))  # a race: several tries catch it reliably
@pytest.mark.usefixtures("committed")
def test_a_double_click_answering_twice_at_once_counts_one_answer(app, attempt):
    staff = factories.make_user(role="moderator")
    member = factories.make_user()
    article = articles.create_article(staff, articles.ArticleDraft(
        title="Restart the router safely", body="Hold the button for ten seconds.",
        category_id=factories.make_category().id))
    lifecycle.publish(staff, article)
    article_id, member_id = article.id, member.id

    def answer(helpful: bool):
        return lambda: feedback.give(db.session.get(User, member_id), db.session.get(Article, article_id), helpful)

    failures = race(app, [answer(True), answer(False)])

    assert failures == []
    article = db.session.get(Article, article_id)
    [row] = db.session.scalars(select(ArticleFeedback).where(ArticleFeedback.article_id == article_id)).all()
    assert (article.helpful_count, article.not_helpful_count) == ((1, 0) if row.helpful else (0, 1))
