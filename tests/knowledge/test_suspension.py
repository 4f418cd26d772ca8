"""Suspended and unverified members read the knowledge base but write nothing in it: no proposal, edit,
submission, feedback or publication, through the services, the pages or the API. A suspended staff member
acts as a member: others' drafts look absent and staff powers are gone until the suspension ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.core import clock
from forum.core.errors import Forbidden, NotFound
from forum.core.extensions import db
from forum.knowledge import articles, feedback, lifecycle
from forum.models import Article, ArticleFeedback, ArticleStatus, User
from forum.services import community_settings
from moderation.services import suspensions
from tests import factories

RESTRICTIONS = ["suspended", "unverified"]
VERIFICATION_RULE = "accounts.require_verified_email"


def _suspend(make, user: User) -> None:
    """An admin suspends them for a week (only admins suspend staff)."""
    suspensions.suspend_user(make.make_user(role="admin"), user, suspensions.SuspensionInput(
        until=clock.now() + timedelta(days=7), reason="Cooling off"))


@pytest.fixture(params=RESTRICTIONS)
def restricted(request, make, make_article, staff):
    """A member holding the article privilege, with their own draft, after which they are suspended, or the
    community starts requiring a confirmed address they never confirmed; plus a published article."""
    community_settings.update_settings_from_console({VERIFICATION_RULE: False})
    member = make.make_user(username="rex", reputation=5000, verified=request.param == "suspended")
    draft = make_article(member, ArticleStatus.DRAFT, title="Rex's draft about routers")
    published = make_article(staff, ArticleStatus.PUBLISHED, title="A published article anyone may read")
    community_settings.update_settings_from_console({VERIFICATION_RULE: True})
    if request.param == "suspended":
        _suspend(make, member)
    return {"member": member, "draft": draft, "published": published}


@pytest.fixture
def suspended_staff(make, make_article, staff, proposer):
    """A moderator with an article of their own in review, and a member's draft, then suspended."""
    own = make_article(staff, ArticleStatus.IN_REVIEW, title="The moderator's own article")
    members = make_article(proposer, ArticleStatus.IN_REVIEW, title="A member's article in review")
    published = make_article(staff, ArticleStatus.PUBLISHED, title="A published article anyone may read")
    _suspend(make, staff)
    return {"own": own, "members": members, "published": published}


def _draft(category_id: int) -> articles.ArticleDraft:
    return articles.ArticleDraft(title="A new article nobody should store", body="Text.", category_id=category_id)


def _article_count() -> int:
    return db.session.scalar(select(func.count(Article.id)))


# --- the services ---------------------------------------------------------------------------------------------


def test_a_restricted_member_can_neither_propose_edit_submit_nor_give_feedback(make, restricted):
    member, draft, published = restricted["member"], restricted["draft"], restricted["published"]
    with pytest.raises(Forbidden):
        articles.create_article(member, _draft(make.make_category().id))
    with pytest.raises(Forbidden):
        articles.edit_article(member, draft, articles.ArticleChange(body="Changed while restricted"))
    with pytest.raises(Forbidden):
        lifecycle.submit_for_review(member, draft)
    with pytest.raises(Forbidden):
        feedback.give(member, published, True, "Helpful!")
    db.session.expire_all()
    assert draft.status == ArticleStatus.DRAFT.value and draft.version_count == 1
    assert db.session.scalar(select(func.count(ArticleFeedback.id))) == 0 and published.helpful_count == 0


def test_a_restricted_member_still_reads_published_articles_and_their_own_draft(restricted):
    member = restricted["member"]
    assert articles.visible_article(member, restricted["published"].id) is restricted["published"]
    assert articles.visible_article(member, restricted["draft"].id) is restricted["draft"]


def test_a_suspended_staff_member_acts_as_a_member(make, suspended_staff, staff):
    own, members = suspended_staff["own"], suspended_staff["members"]
    with pytest.raises(NotFound):
        articles.visible_article(staff, members.id)  # others' articles in review look absent again
    for step in (lifecycle.publish, lifecycle.archive, lifecycle.return_to_draft):
        with pytest.raises(Forbidden):
            step(staff, own)
    with pytest.raises(Forbidden):
        articles.edit_article(staff, own, articles.ArticleChange(body="Edited while suspended"))
    with pytest.raises(Forbidden):
        articles.create_article(staff, _draft(make.make_category().id))
    with pytest.raises(Forbidden):
        feedback.give(staff, suspended_staff["published"], False)
    db.session.expire_all()
    assert own.status == members.status == ArticleStatus.IN_REVIEW.value


def test_once_the_suspension_ends_the_member_writes_again(make, clock_at, proposer, make_article):
    draft = make_article(proposer, ArticleStatus.DRAFT)
    _suspend(make, proposer)
    with pytest.raises(Forbidden):
        lifecycle.submit_for_review(proposer, draft)
    clock_at.advance(days=8)
    assert lifecycle.submit_for_review(proposer, draft).status == ArticleStatus.IN_REVIEW.value


# --- the pages -------------------------------------------------------------------------------------------------


def _browser(app, user: User):
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = factories.session_key_for(user)
        session["_fresh"] = True
    return browser


def test_the_pages_refuse_a_restricted_members_writing_and_still_show_the_article(app, make, restricted):
    member, draft, published = restricted["member"], restricted["draft"], restricted["published"]
    browser, before = _browser(app, member), _article_count()
    category = make.make_category()
    assert browser.get("/kb/new").status_code == 403
    form = {"title": "A new article nobody should store", "body": "Text.", "category_id": str(category.id)}
    assert browser.post("/kb/new", data=form).status_code == 403
    assert browser.post(f"/kb/{draft.id}/edit", data={**form, "note": ""}).status_code == 403
    assert browser.post(f"/kb/{draft.id}/submit").status_code == 403
    assert browser.post(f"/kb/{published.id}/feedback", data={"helpful": "yes"}).status_code == 403
    assert browser.get(articles.article_path(published)).status_code == 200
    db.session.expire_all()
    assert _article_count() == before and draft.status == ArticleStatus.DRAFT.value and draft.version_count == 1
    assert published.helpful_count == 0


def test_the_pages_refuse_a_suspended_moderators_publishing_and_hide_members_articles_in_review(
        app, suspended_staff, staff):
    browser = _browser(app, staff)
    for article in (suspended_staff["own"], suspended_staff["members"]):
        assert browser.post(f"/kb/{article.id}/publish").status_code == 403
    assert browser.get(articles.article_path(suspended_staff["members"])).status_code == 404
    assert browser.get(articles.article_path(suspended_staff["published"])).status_code == 200
    db.session.expire_all()
    assert suspended_staff["own"].status == ArticleStatus.IN_REVIEW.value


# --- the API ---------------------------------------------------------------------------------------------------


def test_the_api_refuses_a_restricted_members_writing_and_still_answers_reads(api_client, make, restricted):
    member, draft, published = restricted["member"], restricted["draft"], restricted["published"]
    client, before = api_client(member), _article_count()
    new = {"title": "A new article nobody should store", "body": "Text.", "category_id": make.make_category().id}
    assert client.post("/api/v1/articles", json=new).status_code == 403
    assert client.patch(f"/api/v1/articles/{draft.id}", json={"body": "Changed"}).status_code == 403
    assert client.patch(f"/api/v1/articles/{draft.id}", json={"status": "in_review"}).status_code == 403
    assert client.post(f"/api/v1/articles/{published.id}/feedback", json={"helpful": True}).status_code == 403
    assert client.get(f"/api/v1/articles/{published.id}").get_json()["title"] == published.title
    db.session.expire_all()
    assert _article_count() == before and draft.status == ArticleStatus.DRAFT.value and published.helpful_count == 0


def test_the_api_refuses_a_suspended_moderators_publishing_and_archiving(api_client, suspended_staff, staff):
    client = api_client(staff)
    own, members = suspended_staff["own"], suspended_staff["members"]
    for article in (own, members):
        assert client.post(f"/api/v1/articles/{article.id}/publish").status_code == 403
    assert client.get(f"/api/v1/articles/{members.id}").status_code == 404  # as for any member
    archived = client.patch(f"/api/v1/articles/{suspended_staff['published'].id}", json={"status": "archived"})
    assert archived.status_code == 403
    db.session.expire_all()
    assert own.status == ArticleStatus.IN_REVIEW.value
    assert suspended_staff["published"].status == ArticleStatus.PUBLISHED.value
