"""Articles in their author's data export and anonymisation: the member takes their articles, the versions
they saved and their own feedback (never anyone else's comments); erasing them keeps their published
knowledge under the anonymous name, deletes what only they and staff could see, blanks their comments
(their answers stay counted) and forgets the suggestions they opened while asking that are not settled yet."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from forum import uploads
from forum.accounts import deletion
from forum.core import clock
from forum.core.extensions import db
from forum.knowledge import articles, deflection, feedback, lifecycle
from forum.models import (
    Article,
    ArticleFeedback,
    ArticleStatus,
    ArticleVersion,
    LedgerReason,
    ReputationEvent,
    SuggestionOpen,
    User,
)
from moderation.services.anonymize import anonymize_user
from tests import factories
from tests.search.conftest import search_backend, search_index  # noqa: F401  (every search backend)
from tests.support.exports import archive_of, read_json
from tests.uploads.conftest import image_bytes


@pytest.fixture
def ada(make) -> User:
    """A member holding the article privilege."""
    return make.make_user(username="ada", reputation=1000)


@pytest.fixture
def library(make, make_article, ada, staff, proposer):
    """Ada's articles in every status, pat's published one, and feedback both ways (her unpublished ones by id:
    erasing her deletes them)."""
    published = make_article(ada, ArticleStatus.IN_REVIEW, title="ADA-PUBLISHED title", body="ADA-PUBLISHED body")
    articles.edit_article(ada, published, articles.ArticleChange(body="ADA-PUBLISHED body, version 2"))
    lifecycle.publish(staff, published)
    articles.edit_article(staff, published, articles.ArticleChange(body="STAFF-EDIT of ada's article"))
    draft = make_article(ada, ArticleStatus.DRAFT, title="ADA-DRAFT title", body="ADA-DRAFT body")
    waiting = make_article(ada, ArticleStatus.IN_REVIEW, title="ADA-REVIEW title", body="ADA-REVIEW body")
    pats = make_article(proposer, ArticleStatus.PUBLISHED, title="PAT-ARTICLE title", body="PAT-ARTICLE body")
    feedback.give(ada, pats, True, "ADA-COMMENT on pat's article")
    feedback.give(proposer, published, False, "PAT-COMMENT on ada's article")
    deflection.record_open(ada, "ada-visit", "article", pats.id)
    earlier = deflection.record_open(ada, "ada-earlier", "article", pats.id)
    earlier.settled_at, earlier.deflected = clock.now(), True  # an outcome measured before she left
    db.session.commit()
    deflection.record_open(proposer, "pat-visit", "article", published.id)
    return {"published": published, "draft": draft.id, "waiting": waiting.id, "pats": pats}


def test_the_export_holds_the_members_articles_their_versions_and_their_own_feedback(ada, library, run_jobs):
    archive = archive_of(ada, run_jobs)
    readme = archive.read("README.txt").decode()
    assert "articles.json" in readme and "article_versions.json" in readme and "article_feedback.json" in readme
    written = {row["title"]: row for row in read_json(archive, "articles.json")}
    assert {title: row["status"] for title, row in written.items()} == {
        "ADA-PUBLISHED title": "published", "ADA-DRAFT title": "draft", "ADA-REVIEW title": "in_review"}
    published = written["ADA-PUBLISHED title"]
    assert published["id"] == library["published"].id and published["body"] == "STAFF-EDIT of ada's article"
    assert published["created_at"] and published["updated_at"] and published["published_at"]
    versions = [(row["article_id"], row["number"], row["body"]) for row in read_json(archive, "article_versions.json")]
    assert (library["published"].id, 1, "ADA-PUBLISHED body") in versions
    assert (library["published"].id, 2, "ADA-PUBLISHED body, version 2") in versions
    assert len(versions) == 4  # staff's version 3 is staff's own
    answers = read_json(archive, "article_feedback.json")
    assert [(row["article_id"], row["helpful"], row["comment"]) for row in answers] == [
        (library["pats"].id, True, "ADA-COMMENT on pat's article")]
    everything = b"".join(archive.read(name) for name in archive.namelist())
    for others in (b"PAT-COMMENT", b"PAT-ARTICLE body"):
        assert others not in everything, others


def test_the_export_holds_the_files_the_member_put_in_their_articles(make, ada, make_article, run_jobs):
    upload = uploads.store_stream(ada, io.BytesIO(image_bytes()), "router.png", "image/png")
    make_article(ada, ArticleStatus.DRAFT, body=f"The settings page:\n\n{uploads.markdown_reference(upload)}")
    listed = read_json(archive_of(ada, run_jobs), "uploads.json")
    assert [(entry["id"], entry["from"]) for entry in listed] == [(upload.id, "you")] and listed[0]["file"]


def test_a_member_without_articles_gets_empty_article_files(make, run_jobs):
    archive = archive_of(make.make_user(), run_jobs)
    names = ("articles.json", "article_versions.json", "article_feedback.json")
    assert [read_json(archive, name) for name in names] == [[], [], []]


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _assert_erased(ada: User, library: dict, proposer: User) -> None:
    db.session.expire_all()
    published, pats = library["published"], library["pats"]
    kept = db.session.get(Article, published.id)
    assert kept.status == ArticleStatus.PUBLISHED.value and kept.author_id == ada.id
    assert kept.author.name == "Former member" and kept.author.username.startswith("deleted-user-")
    assert kept.owner_id is None  # nobody is reminded on an erased account's behalf
    assert _count(ArticleVersion, ArticleVersion.article_id == published.id) == 3  # the history stays
    for gone in (library["draft"], library["waiting"]):
        assert db.session.get(Article, gone) is None
        assert _count(ArticleVersion, ArticleVersion.article_id == gone) == 0
    mine = db.session.scalar(select(ArticleFeedback).where(ArticleFeedback.user_id == ada.id))
    assert mine.helpful is True and mine.comment == ""
    assert db.session.get(Article, pats.id).helpful_count == 1  # the answer still counts
    theirs = db.session.scalar(select(ArticleFeedback).where(ArticleFeedback.user_id == proposer.id))
    assert theirs.comment == "PAT-COMMENT on ada's article" and kept.not_helpful_count == 1
    assert _count(SuggestionOpen, SuggestionOpen.user_id == ada.id, SuggestionOpen.settled_at.is_(None)) == 0
    assert _count(SuggestionOpen, SuggestionOpen.user_id == ada.id, SuggestionOpen.deflected.is_(True)) == 1
    assert _count(SuggestionOpen, SuggestionOpen.user_id == proposer.id) == 1
    assert _count(ReputationEvent, ReputationEvent.user_id == ada.id,
                  ReputationEvent.reason == LedgerReason.ARTICLE_PUBLISHED.value) == 1  # the ledger stays


def test_anonymising_a_member_keeps_their_published_articles_and_deletes_their_unpublished_ones(
        make, ada, library, proposer):
    anonymize_user(make.make_user(role="admin"), ada, "asked by email")
    _assert_erased(ada, library, proposer)


def test_a_members_own_deletion_does_the_same_when_it_falls_due(ada, library, proposer, clock_at, run_jobs):
    deletion.start(ada, factories.PASSWORD, remove_unanswered=False)
    db.session.commit()
    clock_at.advance(days=8)
    run_jobs()
    _assert_erased(ada, library, proposer)


def test_the_erased_members_article_stays_in_the_feed_under_the_anonymous_name(client, make, ada, library):
    anonymize_user(make.make_user(role="admin"), ada, "asked by email")
    feed = client.get("/feeds/articles.atom").get_data(as_text=True)
    assert "ADA-PUBLISHED title" in feed and "<name>Former member</name>" in feed
    assert "<name>ada</name>" not in feed



def test_article_search_no_longer_finds_the_erased_member_by_their_old_name(make, ada, library,
                                                                           search_index):  # noqa: F811
    def found(backend, author: str) -> list[int]:
        return [hit.article_id for hit in backend.search_articles(f"author:{author}").hits]

    published = library["published"].id
    assert found(search_index(), "ada") == [published]
    anonymize_user(make.make_user(role="admin"), ada, "asked by email")
    backend = search_index()
    assert found(backend, "ada") == []
    assert found(backend, ada.username) == [published]
