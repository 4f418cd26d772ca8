"""Review of the knowledge base (issue 25) for data correctness: each test here failed before its fix.

- Archiving one of two published articles born from the same thread left the thread showing no article.
- Merging a tag dropped it from every article carrying it (the source tag's delete cascaded to article_tag),
  and renaming or merging a tag left the article search documents naming the old tag.
- Two staff publishing the same article at once (PostgreSQL) both published it: two audit entries, two
  article.published events (webhooks), two notifications.
- GET /api/v1/search had no cursor/next_cursor (api.md v1.1: "paged by cursor/next_cursor").
- Erasing an author rewrote their published articles' search documents but left the old copies (naming them)
  in the Whoosh segment files, where threads are purged.
- Deflection on SQLite: a question posted exactly at the end of the window (outside [opened, opened + window))
  counted as inside it for some opening moments (julianday() differences are floats).
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text

from forum import recognition
from forum.core.errors import Conflict
from forum.core.extensions import db
from forum.knowledge import articles, deflection, lifecycle
from forum.models import ArticleStatus, AuditEntry, SuggestionOpen, Tag, Thread, User
from forum.tagging import merging
from forum.tagging import service as tagging
from moderation.services.anonymize import anonymize_user
from search import service
from search.backends.whoosh import article_index
from tests import factories
from tests.search.conftest import search_backend, search_index  # noqa: F401 - the index searches read
from tests.search.helpers import WHOOSH_ONLY

# --------------------------------------------------------------- Thread.article_id


def test_archiving_one_of_two_articles_from_a_thread_keeps_the_thread_showing_the_other(
        make_article, staff, solved_thread):
    first = make_article(status=ArticleStatus.PUBLISHED, title="Channel 11 stops evening drops",
                         source_thread_id=solved_thread.id)
    second = make_article(status=ArticleStatus.PUBLISHED, title="Evening drops: the channel fix",
                          source_thread_id=solved_thread.id)
    assert db.session.get(Thread, solved_thread.id).article_id == first.id  # the first published shows
    lifecycle.archive(staff, first)
    assert db.session.get(Thread, solved_thread.id).article_id == second.id
    lifecycle.archive(staff, second, withdrawn=True)
    assert db.session.get(Thread, solved_thread.id).article_id is None
    lifecycle.publish(staff, first)
    assert db.session.get(Thread, solved_thread.id).article_id == first.id


def _wait_for_a_blocked_writer() -> None:
    """Until another connection waits for a row lock (at most ten seconds)."""
    for _ in range(200):
        with db.engine.connect() as connection:
            if connection.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")):
                return
        time.sleep(0.05)


def test_two_staff_publishing_at_once_publish_once(app, committed, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises the two writers")
    first_staff, second_staff = factories.make_user("moderator"), factories.make_user("moderator")
    author = factories.make_user(reputation=1000)
    article = articles.create_article(author, articles.ArticleDraft(
        title="Recover a router after a failed update", body="Hold the recovery button.",
        category_id=factories.make_category().id))
    lifecycle.submit_for_review(author, article)
    article_id, staff_ids = article.id, {"first": first_staff.id, "second": second_staff.id}
    db.session.remove()
    first_paid, outcome = threading.Event(), {}
    pay = recognition.on_article_published

    def first_holds_its_transaction(*args):
        row = pay(*args)
        if threading.current_thread().name == "first":
            first_paid.set()
            _wait_for_a_blocked_writer()  # the second publisher now waits for the first one's rows
        return row

    monkeypatch.setattr(recognition, "on_article_published", first_holds_its_transaction)

    def publisher(name: str) -> None:
        with app.app_context():
            if name == "second":
                first_paid.wait(10)
            try:
                staff = db.session.get(User, staff_ids[name])
                lifecycle.publish(staff, articles.visible_article(staff, article_id))
                outcome[name] = "published"
            except Conflict:
                outcome[name] = "conflict"
            finally:
                db.session.remove()

    workers = [threading.Thread(target=publisher, args=(name,), name=name) for name in ("first", "second")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert outcome == {"first": "published", "second": "conflict"}
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "article.publish")) == 1


# --------------------------------------------------------------- tags renamed or merged under articles


def tag_named(name: str) -> Tag:
    return db.session.scalar(select(Tag).where(Tag.name == name))


def article_ids(raw: str) -> list[int]:
    return [item.article.id for item in service.search(None, raw, kind="article").items]


def test_merging_a_tag_moves_it_on_articles_and_their_search_documents(make, make_article, search_index):  # noqa: F811
    admin = make.make_user(role="admin")
    make.make_thread(title="Wireless channel advice", tags=["wireless"])
    published = make_article(status=ArticleStatus.PUBLISHED, title="Zeppelin hangar wifi", tags=["wifi"])
    draft = make_article(title="Zeppelin hangar wifi draft", tags=["wifi", "wireless"])
    search_index()
    assert article_ids("tag:wifi") == [published.id]
    merging.merge(admin, tag_named("wifi"), tag_named("wireless"))
    db.session.expire_all()
    assert [tag.name for tag in published.tags] == ["wireless"]
    assert [tag.name for tag in draft.tags] == ["wireless"]  # one link, not two
    search_index()
    assert article_ids("tag:wireless") == [published.id]
    assert article_ids("tag:wifi") == [published.id]  # the old name is now a synonym of the target


def test_renaming_a_tag_refreshes_the_articles_search_documents(make, make_article, search_index):  # noqa: F811
    admin = make.make_user(role="admin")
    published = make_article(status=ArticleStatus.PUBLISHED, title="Zeppelin hangar wifi", tags=["wifi"])
    search_index()
    tagging.rename(admin, tag_named("wifi"), "wlan")
    search_index()
    assert article_ids("tag:wlan") == [published.id]


# --------------------------------------------------------------- search paging by cursor


def test_search_pages_by_cursor_as_api_md_says_for_every_kind(make, make_article, search_index,  # noqa: F811
                                                              client):
    for n in range(3):
        make_article(status=ArticleStatus.PUBLISHED, title=f"Zeppelin mooring guide {n}",
                     body="Zeppelin mooring, step by step.")
        thread = make.make_thread(title=f"Zeppelin mooring question {n}", body="How do I moor a zeppelin?")
        assert thread.id
    search_index()
    for kind, expected in (("article", 3), ("all", 6)):
        seen, cursor, pages = [], None, 0
        while True:
            params = {"q": "zeppelin mooring", "kind": kind, "limit": "2", **({"cursor": cursor} if cursor else {})}
            answer = client.get("/api/v1/search", query_string=params)
            assert answer.status_code == 200, answer.get_json()
            body = answer.get_json()
            seen += [(item["kind"], (item.get("article") or item.get("thread"))["id"]) for item in body["items"]]
            pages += 1
            assert (body["next_cursor"] is None) == (body["next_page"] is None)
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == expected, kind
        assert pages == (expected + 1) // 2
    assert client.get("/api/v1/search", query_string={"q": "zeppelin", "cursor": "bm90IGEgY3Vyc29y"}).status_code == 422


# --------------------------------------------------------------- deflection: the end of the window


@pytest.fixture
def asker(make):
    return make.make_user(username="newbie")


@pytest.fixture
def offered(make):
    return make.make_thread(title="Router firmware update fails")


@pytest.mark.parametrize("fraction_us", [0, 250_000, 333_333, 500_000])
@pytest.mark.parametrize(("after_us", "deflected"), [(-1, False), (0, True)])
def test_the_window_ends_exactly_where_it_should(make, asker, offered, clock_at, fraction_us, after_us, deflected):
    """[opened, opened + window): a question a microsecond before the end cancels it, one at the end does not."""
    clock_at.advance(microseconds=fraction_us)
    deflection.record_open(asker, "edge", "thread", offered.id)
    clock_at.advance(minutes=30, microseconds=after_us)
    make.make_thread(author=asker, title="Asked at the very end of the window")
    clock_at.advance(minutes=1)
    assert deflection.settle_due() == 1
    [row] = db.session.scalars(select(SuggestionOpen).execution_options(populate_existing=True))
    assert row.deflected is deflected


# --------------------------------------------------------------- erasure and the article index


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_erasing_an_author_leaves_no_copy_of_their_name_in_the_article_index(
        make, make_article, proposer, search_backend, search_index, run_jobs):  # noqa: F811
    for n in range(8):
        make_article(status=ArticleStatus.PUBLISHED, title=f"Staff article {n}")
    make_article(author=proposer, status=ArticleStatus.PUBLISHED, title="Proposed by a member")
    search_index()
    search_backend.rebuild()  # one segment holding all nine documents
    anonymize_user(make.make_user(role="admin"), proposer)
    run_jobs()
    with article_index.open_index().reader() as reader:
        authors = {term.decode() for term in reader.lexicon("author")}
    assert "pat" not in authors and len(authors) == 2  # the staff author and the anonymous name
