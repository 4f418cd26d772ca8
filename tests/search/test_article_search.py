"""Knowledge-base articles in search: only published ones, found with kind=article or kind=all (never without
kind), kept fresh by the index_article job and kept by a rebuild — on every search backend."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from forum.knowledge import articles, lifecycle
from forum.models import ArticleStatus, Job, JobStatus
from forum.services import qa
from search import backends, jobs, service
from search.backends.whoosh import article_index
from tests.knowledge.conftest import make_article, staff  # noqa: F401  (the knowledge fixtures)
from tests.search.helpers import WHOOSH_ONLY
from tests.web.helpers import text

BODY = "## Cause\n\nA neighbouring network on channel 6 jams the **modem**.\n\n## Fix\n\nPick channel 11 instead."


def article_ids(backend, raw: str) -> list[int]:
    """Article ids the backend ranks for a query (before the service's re-check)."""
    return [hit.article_id for hit in backend.search_articles(raw).hits]


def found(viewer, raw: str, kind: str | None = "thread") -> list[tuple[str, int]]:
    page = service.search(viewer, raw, kind=kind)
    return [(item.kind, item.article.id if item.kind == "article" else item.thread.id) for item in page.items]


@pytest.fixture
def community(make, make_article, search_index):  # noqa: F811
    """A published article, a solved thread on the same subject, and articles in every other status."""
    category = make.make_category(name="Connectivity", slug="connectivity")
    published = make_article(status=ArticleStatus.PUBLISHED, title="Evening dropouts on wireless",
                              body=BODY, tags=["wifi"], category_id=category.id)
    thread = make.make_thread(category=category, title="Modem loses wireless every evening",
                              body="The wireless light goes out at 8 every evening.")
    qa.accept_solution(thread.author, thread, make.make_reply(thread, body="Change the wireless channel."))
    others = {status: make_article(status=status, title=f"Zeppelin channel notes {status.value}",
                                   body="Zeppelin antennas on channel 6.") for status in
              (ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW, ArticleStatus.ARCHIVED)}
    backend = search_index()
    return {"article": published, "thread": thread, "others": others, "backend": backend, "category": category}


def test_a_published_article_is_found_by_its_title_and_body_with_kind_article_or_all(community):
    article = community["article"]
    for words in ("dropouts", "neighbouring modem"):
        assert found(None, words, "article") == [("article", article.id)], words
        assert ("article", article.id) in found(None, words, "all"), words


def test_without_kind_search_answers_threads_only(community):
    assert found(None, "wireless") == [("thread", community["thread"].id)]
    assert found(None, "wireless", None) == found(None, "wireless")
    assert found(None, "dropouts") == []


def test_drafts_articles_in_review_and_archived_articles_are_never_found(community, staff):  # noqa: F811
    assert article_ids(community["backend"], "zeppelin") == []
    for viewer in (None, staff):
        assert found(viewer, "zeppelin", "article") == [] and found(viewer, "zeppelin", "all") == []


def test_archiving_removes_an_article_from_results_once_its_job_ran(community, search_index, staff):  # noqa: F811
    article = community["article"]
    assert article_ids(community["backend"], "dropouts") == [article.id]
    lifecycle.archive(staff, article)
    assert found(None, "dropouts", "article") == []  # the service re-checks before the index catches up
    backend = search_index()
    assert article_ids(backend, "dropouts") == []


def test_an_edit_is_searchable_once_its_job_ran(community, search_index, staff):  # noqa: F811
    article = community["article"]
    articles.edit_article(staff, article, articles.ArticleChange(body="Restart the gateway after the storm."))
    backend = search_index()
    assert article_ids(backend, "gateway storm") == [article.id]
    assert article_ids(backend, "neighbouring") == []


def test_publishing_later_makes_an_article_searchable(community, search_index, staff):  # noqa: F811
    draft = community["others"][ArticleStatus.IN_REVIEW]
    lifecycle.publish(staff, draft)
    search_index()
    assert found(None, "zeppelin", "article") == [("article", draft.id)]


def test_a_rebuild_keeps_the_articles(community, search_backend):
    search_backend.rebuild()
    assert article_ids(search_backend, "dropouts") == [community["article"].id]


def test_kind_all_ranks_both_kinds_by_a_normalised_score(community):
    page = service.search(None, "wireless evening", kind="all")
    kinds = {item.kind: item.score for item in page.items}
    assert kinds == {"article": 1.0, "thread": 1.0}  # the best of each kind scores 1
    assert page.items[0].kind == "article" and page.total == 2  # equal scores: the curated answer first


def test_article_filters_and_thread_only_filters(community, make):
    article = community["article"]
    assert found(None, "channel category:connectivity tag:wifi", "article") == [("article", article.id)]
    assert found(None, "channel category:elsewhere", "article") == []
    assert found(None, "wireless is:solved", "all") == [("thread", community["thread"].id)]


def test_api_search_carries_kind_and_the_article_object(api_client, community):
    article = community["article"]
    body = api_client().get("/api/v1/search", query_string={"q": "dropouts", "kind": "article"}).get_json()
    [item] = body["items"]
    assert item["kind"] == "article" and "thread" not in item
    assert item["article"]["id"] == article.id and item["article"]["url"] == f"/kb/{article.id}/{article.slug}"
    assert item["article"]["status"] == "published" and item["article"]["tags"] == ["wifi"]
    assert "<mark>" in item["highlight"]
    threads_only = api_client().get("/api/v1/search", query_string={"q": "wireless"}).get_json()
    assert [(i["kind"], i["thread"]["id"]) for i in threads_only["items"]] == [("thread", community["thread"].id)]


@pytest.mark.parametrize("kind", ["articles", "ideas", "THREAD", "1"])
def test_an_unknown_kind_is_a_422(api_client, client, community, kind):
    response = api_client().get("/api/v1/search", query_string={"q": "wireless", "kind": kind})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert "kind" in response.get_json()["errors"]
    assert client.get("/search", query_string={"q": "wireless", "kind": kind}).status_code == 422


def test_similar_lists_an_article_with_its_kind(api_client, community):
    body = api_client().get("/api/v1/search/similar", query_string={"title": "Wireless dropouts every evening"})
    items = body.get_json()["items"]
    assert {(item["kind"], item["id"]) for item in items} == {
        ("article", community["article"].id), ("thread", community["thread"].id)}
    article = next(item for item in items if item["kind"] == "article")
    assert article["url"] == f"/kb/{community['article'].id}/{community['article'].slug}"


def test_similar_takes_a_limit(api_client, community):
    def similar(**params):
        return api_client().get("/api/v1/search/similar", query_string={"title": "Wireless dropouts", **params})

    assert len(similar().get_json()["items"]) == 2
    assert len(similar(limit="1").get_json()["items"]) == 1
    for bad in ("0", "11", "x", "-1"):
        response = similar(limit=bad)
        assert response.status_code == 422 and response.mimetype == "application/problem+json", bad


def test_the_search_page_switches_kind_without_javascript(client, community):
    article = community["article"]
    page = text(client.get("/search", query_string={"q": "wireless"}))
    assert 'href="/search?q=wireless&amp;kind=article"' in page and 'href="/search?q=wireless&amp;kind=all"' in page
    assert f"/kb/{article.id}/" not in page
    page = text(client.get("/search", query_string={"q": "dropouts", "kind": "article"}))
    assert f'href="/kb/{article.id}/{article.slug}"' in page
    assert '<span class="badge badge-article">Article</span>' in page
    assert 'aria-current="page">Articles</a>' in page and '<input type="hidden" name="kind" value="article">' in page
    page = text(client.get("/search", query_string={"q": "wireless", "kind": "all"}))
    assert f'href="/kb/{article.id}/{article.slug}"' in page and f'href="/t/{community["thread"].id}' in page


def test_editing_a_draft_queues_no_index_update(community, staff, db):  # noqa: F811
    draft = community["others"][ArticleStatus.DRAFT]
    articles.edit_article(staff, draft, articles.ArticleChange(body="Zeppelin antennas, revised."))
    queued = db.session.scalars(select(Job.payload_json).where(Job.name == jobs.INDEX_ARTICLE_JOB,
                                                               Job.status == JobStatus.QUEUED.value)).all()
    assert queued == []


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_the_ensure_job_rebuilds_a_missing_article_index(community, search_backend):
    shutil.rmtree(article_index.root())
    article_index.forget()
    with pytest.raises(backends.Unavailable):
        search_backend.search_articles("dropouts")
    jobs.ensure_index({})
    assert article_ids(search_backend, "dropouts") == [community["article"].id]


@pytest.mark.parametrize("q", ['"open quote', "x" * 10_000, "title:secret", "is:nonsense", "(", "*", "-", "or"])
def test_malformed_queries_never_break_article_search(client, api_client, community, q):
    for kind in ("article", "all"):
        assert client.get("/search", query_string={"q": q, "kind": kind}).status_code == 200
        assert api_client().get("/api/v1/search", query_string={"q": q, "kind": kind}).status_code == 200
