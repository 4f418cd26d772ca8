"""Security review of the knowledge base (issue 25): what the first build let through, each pinned by a test.

- An article staff archive without ever publishing it (a proposal turned down) was public by link: its page,
  the API and its files answered anyone, because archived counted as public whatever came before.
- Erasing a member kept such an article (it was not a draft any more).
- "Turn into article" on a case whose question was hidden or deleted still copied the question's title.
- PATCH /articles/{id} with the status the article already has answered 200 to anyone signed in.
- The article page linked its version history (and showed how many versions) to readers who get a 404 there.
- PATCH {fields, "status": "draft"} on an article not in review saved the fields, then answered 409.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum import cases
from forum.core.extensions import db
from forum.knowledge import articles, lifecycle, sources
from forum.models import Article, ArticleStatus, User
from forum.services import moderation_state, reading
from moderation.services.anonymize import anonymize_user
from tests import factories
from tests.uploads.conftest import image_bytes, upload_via_api

PHONE_TITLE = "Call me back on +44 20 7946 0958 about the router"


def _browser(app, user: User | None):
    """A client of its own: signed in as user, or signed out."""
    browser = app.test_client()
    if user is not None:
        with browser.session_transaction() as session:
            session["_user_id"] = factories.session_key_for(user)
            session["_fresh"] = True
    return browser


def _turned_down(api_client, make, proposer: User, staff: User) -> tuple[Article, str]:
    """A member's proposal with an image, sent for review, then archived by staff without being published."""
    uploaded = upload_via_api(api_client(proposer), image_bytes(), "router.png", "image/png")
    assert uploaded.status_code == 201, uploaded.get_json()
    url = uploaded.get_json()["url"]
    article = articles.create_article(proposer, articles.ArticleDraft(
        title="PROPOSAL-TURNED-DOWN router fix", body=f"Call Nora on her home line.\n\n![Settings]({url})",
        category_id=make.make_category().id))
    lifecycle.submit_for_review(proposer, article)
    lifecycle.archive(staff, article, reason="Not something we want to publish")
    return article, url


def test_an_article_archived_without_ever_being_published_stays_private(app, api_client, make, proposer, staff):
    article, upload_url = _turned_down(api_client, make, proposer, staff)
    stranger = make.make_user(reputation=5000)
    addresses = (article.path, f"/kb/{article.id}/versions", upload_url)
    for reader in (None, stranger):
        for address in addresses:
            assert _browser(app, reader).get(address).status_code == 404, (reader, address)
        assert api_client(reader).get(f"/api/v1/articles/{article.id}").status_code == 404
    for reader in (proposer, staff):
        for address in addresses:
            assert _browser(app, reader).get(address).status_code == 200, (reader, address)
        assert api_client(reader).get(f"/api/v1/articles/{article.id}").status_code == 200


def test_an_article_archived_after_publication_stays_readable_by_link(app, api_client, make_article, proposer):
    article = make_article(author=proposer, status=ArticleStatus.ARCHIVED)
    response = _browser(app, None).get(article.path)
    assert response.status_code == 200 and b"This article is archived" in response.data
    assert api_client(None).get(f"/api/v1/articles/{article.id}").status_code == 200


def test_erasing_a_member_deletes_the_proposal_staff_archived_unpublished(api_client, make, proposer, staff,
                                                                          make_article):
    turned_down, _url = _turned_down(api_client, make, proposer, staff)
    kept = make_article(author=proposer, status=ArticleStatus.ARCHIVED, title="Published once, then archived")
    turned_down_id, kept_id = turned_down.id, kept.id
    anonymize_user(make.make_user(role="admin"), proposer, "asked by email")
    remaining = set(db.session.scalars(select(Article.id).where(Article.id.in_([turned_down_id, kept_id]))))
    assert remaining == {kept_id}


@pytest.fixture
def agent(make) -> User:
    return make.make_user(role="agent", username="agnes")


def test_a_case_whose_question_was_hidden_gives_the_draft_no_title(make, agent):
    customer = make.make_user()
    thread = make.make_thread(author=customer, title=PHONE_TITLE, body="Since the update last night nothing loads.")
    case, _ = cases.escalate_thread(customer, thread, "Nothing works")
    cases.resolve_case(agent, case, "Clear the router's DNS cache under Advanced, then restart it.")
    moderation_state.hide_post(reading.question_post(thread), make.make_user(role="moderator"), "Personal data")
    db.session.commit()
    prefill = sources.from_case(agent, case.id)
    assert prefill.title == ""
    assert "7946" not in prefill.body and prefill.findings == []
    assert "DNS cache" in prefill.body  # the resolution is still offered


def test_a_patch_that_changes_nothing_is_refused_to_those_who_may_not_change_the_article(
        api_client, make, make_article, proposer, staff):
    published = make_article(author=proposer, status=ArticleStatus.PUBLISHED)
    url = f"/api/v1/articles/{published.id}"
    for outsider in (make.make_user(reputation=5000), proposer):  # a stranger; the author, once it is published
        assert api_client(outsider).patch(url, json={"status": "published"}).status_code == 403
    assert api_client(None).patch(url, json={"status": "published"}).status_code == 401
    assert api_client(staff).patch(url, json={"status": "published"}).status_code == 200
    draft = make_article(author=proposer)
    same = api_client(proposer).patch(f"/api/v1/articles/{draft.id}", json={"status": "draft"})
    assert same.status_code == 200 and same.get_json()["status"] == "draft"


def test_the_article_page_links_its_history_only_for_those_who_may_read_it(app, make, make_article, proposer, staff):
    article = make_article(author=proposer, status=ArticleStatus.PUBLISHED)
    history = f"/kb/{article.id}/versions"
    for reader, shown in ((None, False), (make.make_user(), False), (proposer, True), (staff, True)):
        page = _browser(app, reader).get(article.path).get_data(as_text=True)
        assert (history in page) is shown, reader
        assert _browser(app, reader).get(history).status_code == (200 if shown else 404)


def test_a_move_back_to_draft_that_cannot_happen_saves_no_edit_either(api_client, make_article, staff):
    published = make_article(status=ArticleStatus.PUBLISHED)
    answer = api_client(staff).patch(f"/api/v1/articles/{published.id}",
                                     json={"body": "HALF-APPLIED change", "status": "draft"})
    assert answer.status_code == 409
    db.session.expire_all()
    article = db.session.get(Article, published.id)
    assert (article.status, article.version_count) == ("published", 1) and "HALF-APPLIED" not in article.body
