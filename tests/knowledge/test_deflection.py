"""Deflection (issue 25): a suggestion opened from the ask page after which the asker posts no question within
knowledge.deflection_minutes, at most once per asker and visit; recorded by POST /ask/opened, settled by the job."""

from __future__ import annotations

import re
import threading
import time

import pytest
from sqlalchemy import func, select, text

from forum.core.errors import Invalid, NotAuthenticated, NotFound
from forum.core.extensions import db
from forum.knowledge import articles, deflection, lifecycle
from forum.models import Article, ArticleStatus, SuggestionOpen
from forum.services import community_settings, posting, qa, reading
from tests import factories
from tests.search.conftest import search_backend, search_index  # noqa: F401 - the index the ask page reads
from tests.web.helpers import text as page_text

VISIT = "visit-token-1"


@pytest.fixture
def asker(make):
    return make.make_user(username="newbie")


@pytest.fixture
def thread(make):
    """A solved thread someone might be offered while asking."""
    found = make.make_thread(title="Router firmware update fails", body="The update stops halfway.")
    qa.accept_solution(found.author, found, make.make_reply(found, body="Use the recovery button."))
    return found


@pytest.fixture
def article(make_article):
    return make_article(status=ArticleStatus.PUBLISHED, title="Recover a router after a failed firmware update")


def opened(client, kind: str, item_id: object, visit: str = VISIT, **extra: str):
    return client.post("/ask/opened", data={"visit": visit, "kind": kind, "id": str(item_id), **extra})


def rows(user) -> list[SuggestionOpen]:
    return list(db.session.scalars(select(SuggestionOpen).where(SuggestionOpen.user_id == user.id)
                                   .order_by(SuggestionOpen.id).execution_options(populate_existing=True)))


def deflections(user) -> int:
    return sum(1 for row in rows(user) if row.deflected)


# Recording: POST /ask/opened


def test_opening_a_thread_records_it_and_redirects_to_the_thread(login_as, asker, thread, clock_at):
    response = opened(login_as(asker), "thread", thread.id)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/t/{thread.id}/{thread.slug}"
    [row] = rows(asker)
    assert (row.visit, row.kind, row.thread_id, row.article_id) == (VISIT, "thread", thread.id, None)
    assert row.opened_at == clock_at.now and row.settled_at is None and row.deflected is None


def test_opening_an_article_redirects_to_the_article(login_as, asker, article):
    response = opened(login_as(asker), "article", article.id)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/kb/{article.id}/{article.slug}"
    assert [(row.kind, row.article_id) for row in rows(asker)] == [("article", article.id)]


def test_the_scripts_beacon_gets_an_empty_answer_and_is_recorded_the_same(login_as, asker, article):
    response = opened(login_as(asker), "article", article.id, beacon="1")
    assert response.status_code == 204 and response.get_data() == b""
    assert [row.article_id for row in rows(asker)] == [article.id]


def test_signed_out_visitors_are_sent_to_sign_in_and_nothing_is_recorded(client, thread):
    response = opened(client, "thread", thread.id)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalar(select(func.count(SuggestionOpen.id))) == 0
    with pytest.raises(NotAuthenticated):
        deflection.record_open(None, VISIT, "thread", thread.id)


def test_a_missing_csrf_token_is_refused(login_as, asker, thread):
    response = login_as(asker).post("/ask/opened", data={"visit": VISIT, "kind": "thread", "id": str(thread.id)},
                                    csrf=False)
    assert response.status_code == 400
    assert rows(asker) == []


@pytest.mark.parametrize(("visit", "kind", "item_id"), [
    ("", "thread", "1"), ("x" * 33, "thread", "1"), ("no spaces", "thread", "1"), ("<script>", "thread", "1"),
    (VISIT, "question", "1"), (VISIT, "", "1"), (VISIT, "thread", "abc"), (VISIT, "thread", ""),
    (VISIT, "thread", "-3"), (VISIT, "thread", "99999999999999999999"),
], ids=["empty-visit", "long-visit", "space", "markup", "bad-kind", "no-kind", "word-id", "no-id", "negative",
        "huge"])
def test_bad_input_is_a_422_and_records_nothing(login_as, asker, thread, visit, kind, item_id):
    response = opened(login_as(asker), kind, item_id, visit=visit)
    assert response.status_code == 422
    assert rows(asker) == []


def test_the_service_names_each_bad_field(asker):
    with pytest.raises(Invalid) as refused:
        deflection.record_open(asker, "", "idea", "7")
    assert set(refused.value.errors) == {"visit", "kind", "id"}


def test_items_the_asker_may_not_see_are_not_found(login_as, asker, make, make_article, staff, thread):
    draft = make_article()
    in_review = make_article(status=ArticleStatus.IN_REVIEW, title="Waiting for review")
    archived = make_article(status=ArticleStatus.ARCHIVED, title="An archived article")
    gone = make.make_thread(title="Deleted question about routers")
    posting.delete_post(gone.author, reading.question_post(gone))
    client = login_as(asker)
    for kind, item_id in [("article", draft.id), ("article", in_review.id), ("article", archived.id),
                          ("article", 987654), ("thread", gone.id), ("thread", 987654)]:
        assert opened(client, kind, item_id).status_code == 404, (kind, item_id)
    with pytest.raises(NotFound):
        deflection.record_open(asker, VISIT, "article", draft.id)
    assert rows(asker) == []


# Settling: the job knowledge.settle_deflections


def test_no_question_within_thirty_minutes_is_one_deflection(login_as, asker, thread, clock_at):
    opened(login_as(asker), "thread", thread.id)
    clock_at.advance(minutes=29)
    assert deflection.settle_due() == 0  # the window is still open
    clock_at.advance(minutes=1)
    assert deflection.settle_due() == 1
    [row] = rows(asker)
    assert row.deflected is True and row.settled_at == clock_at.now


def test_a_question_within_the_window_is_no_deflection(login_as, make, asker, thread, clock_at):
    opened(login_as(asker), "thread", thread.id)
    clock_at.advance(minutes=20)
    make.make_thread(author=asker, title="My router still fails to update", kind="discussion")
    clock_at.advance(minutes=15)
    assert deflection.settle_due() == 1
    assert [row.deflected for row in rows(asker)] == [False]


def test_a_question_after_the_window_or_by_someone_else_does_not_undo_it(login_as, make, asker, thread, clock_at):
    opened(login_as(asker), "thread", thread.id)
    clock_at.advance(minutes=5)
    make.make_thread(title="Another member asks about routers")
    clock_at.advance(minutes=26)
    make.make_thread(author=asker, title="A later question of my own")
    assert deflection.settle_due() == 1
    assert deflections(asker) == 1


def test_a_deleted_question_does_not_prevent_the_deflection(login_as, make, asker, thread, clock_at):
    opened(login_as(asker), "thread", thread.id)
    clock_at.advance(minutes=10)
    mine = make.make_thread(author=asker, title="Posted by mistake, deleted at once")
    posting.delete_post(asker, reading.question_post(mine))
    clock_at.advance(minutes=30)
    deflection.settle_due()
    assert deflections(asker) == 1


def test_two_opens_in_one_visit_count_at_most_once_for_the_last_one(login_as, asker, thread, article, clock_at):
    client = login_as(asker)
    opened(client, "thread", thread.id)
    clock_at.advance(minutes=10)
    opened(client, "article", article.id)
    [row] = rows(asker)
    assert (row.kind, row.thread_id, row.article_id, row.opened_at) == ("article", None, article.id, clock_at.now)
    clock_at.advance(minutes=25)  # 35 minutes after the first open, 25 after the second: still open
    assert deflection.settle_due() == 0
    clock_at.advance(minutes=5)
    assert deflection.settle_due() == 1
    assert deflections(asker) == 1
    db.session.refresh(article)
    assert article.deflection_count == 1


def test_an_open_after_the_visit_was_settled_changes_nothing(login_as, asker, thread, article, clock_at):
    client = login_as(asker)
    opened(client, "thread", thread.id)
    clock_at.advance(minutes=40)
    deflection.settle_due()
    response = opened(client, "article", article.id)
    assert response.headers["Location"] == f"/kb/{article.id}/{article.slug}"  # it still opens
    [row] = rows(asker)
    assert (row.kind, row.thread_id, row.deflected) == ("thread", thread.id, True)
    clock_at.advance(minutes=40)
    assert deflection.settle_due() == 0


def test_two_visits_count_twice(login_as, asker, thread, article, clock_at):
    client = login_as(asker)
    opened(client, "thread", thread.id, visit="first-visit")
    opened(client, "article", article.id, visit="second-visit")
    clock_at.advance(minutes=30)
    assert deflection.settle_due() == 2
    assert deflections(asker) == 2


def test_an_article_deflection_increments_its_counter_once(login_as, make, asker, article, clock_at):
    reader = make.make_user(username="reader")
    opened(login_as(asker), "article", article.id, visit="a1")
    opened(login_as(reader), "article", article.id, visit="b1")
    clock_at.advance(minutes=31)
    assert deflection.settle_due() == 2
    assert deflection.settle_due() == 0  # a second run (or a second worker) finds nothing left
    db.session.refresh(article)
    assert article.deflection_count == 2


def test_a_thread_deflection_leaves_articles_alone(login_as, asker, thread, article, clock_at):
    opened(login_as(asker), "thread", thread.id)
    clock_at.advance(minutes=31)
    deflection.settle_due()
    db.session.refresh(article)
    assert deflections(asker) == 1 and article.deflection_count == 0


def test_a_question_that_followed_an_article_adds_nothing_to_it(login_as, make, asker, article, clock_at):
    opened(login_as(asker), "article", article.id)
    clock_at.advance(minutes=3)
    make.make_thread(author=asker, title="The article did not help with my router")
    clock_at.advance(minutes=30)
    deflection.settle_due()
    db.session.refresh(article)
    assert deflections(asker) == 0 and article.deflection_count == 0


def test_the_window_follows_the_setting(login_as, make, asker, thread, clock_at):
    community_settings.update_settings(make.make_user("admin"), {"knowledge.deflection_minutes": 5})
    opened(login_as(asker), "thread", thread.id)
    clock_at.advance(minutes=6)
    make.make_thread(author=asker, title="Asked after five minutes")
    assert deflection.settle_due() == 1
    assert deflections(asker) == 1


def test_settling_works_through_many_batches(login_as, asker, article, clock_at, monkeypatch):
    monkeypatch.setattr(deflection, "BATCH", 2)
    client = login_as(asker)
    for n in range(5):
        opened(client, "article", article.id, visit=f"visit-{n}")
    clock_at.advance(minutes=30)
    assert deflection.settle_due() == 5
    db.session.refresh(article)
    assert article.deflection_count == 5


# The ask page renders suggestions as forms posting to /ask/opened (without JavaScript)


def ask(client, category_id: int, title: str, **extra: str):
    form = {"category_id": str(category_id), "kind": "question", "title": title,
            "body": "It stops at 40% every time.", "tags": "", **extra}
    return client.post("/ask", data=form)


def visit_of(page: str) -> str:
    [token] = set(re.findall(r'<input type="hidden" name="visit" value="([^"]+)">', page))
    return token


def test_each_ask_page_visit_gets_its_own_token_and_writes_nothing(login_as, asker):
    client = login_as(asker)
    first, second = page_text(client.get("/ask")), page_text(client.get("/ask"))
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", visit_of(first))
    assert visit_of(first) != visit_of(second)
    assert 'data-opened-url="/ask/opened"' in first
    assert rows(asker) == []


def test_the_confirm_step_offers_threads_and_articles_as_forms_in_a_new_tab(login_as, asker, make, make_article,
                                                                           search_index):  # noqa: F811
    category = make.make_category(name="Connectivity", slug="connectivity")
    thread = make.make_thread(category=category, title="Router firmware update fails",
                              body="The update stops halfway and the lights blink orange.")
    qa.accept_solution(thread.author, thread, make.make_reply(thread, body="Use the recovery button."))
    article = make_article(status=ArticleStatus.PUBLISHED, category_id=category.id,
                           title="Router firmware update fails: recover it", body="Hold the recovery button.")
    search_index()
    client = login_as(asker)
    page = page_text(ask(client, category.id, "Firmware update on my router fails", visit="kept-visit"))
    assert "these articles and solved questions may answer yours" in page
    assert visit_of(page) == "kept-visit"  # the visit survives the no-JavaScript resubmit
    forms = re.findall(r'<form method="post" action="/ask/opened" target="_blank".*?</form>', page, re.S)
    by_kind = {re.search(r'name="kind" value="(\w+)"', form).group(1): form for form in forms}
    assert set(by_kind) == {"thread", "article"}
    assert f'name="id" value="{article.id}"' in by_kind["article"]
    assert f'name="id" value="{thread.id}"' in by_kind["thread"]
    assert all('name="visit" value="kept-visit"' in form and 'name="csrf_token"' in form for form in forms)
    assert re.search(r'<button type="submit" class="link-button"><span class="badge">Article</span> '
                     r'Router firmware update fails: recover it<span class="visually-hidden"> \(opens in a new tab\)',
                     by_kind["article"])
    assert "Article</span>" not in by_kind["thread"] and "(opens in a new tab)" in by_kind["thread"]
    assert "Connectivity · Solved · 1 repl" in page  # category and detail
    assert opened(client, "article", article.id, visit="kept-visit").status_code == 303
    assert [row.article_id for row in rows(asker)] == [article.id]


# Two workers settling at the same moment (PostgreSQL: SQLite runs one writer at a time)


def _wait_for_a_blocked_writer() -> None:
    """Until another connection waits for a row lock this transaction holds (at most ten seconds)."""
    for _ in range(200):
        with db.engine.connect() as connection:
            if connection.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")):
                return
        time.sleep(0.05)


def test_two_workers_settling_at_once_count_each_deflection_once(app, committed, clock_at, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises the two writers")
    staff, asker = factories.make_user("moderator"), factories.make_user()
    article = articles.create_article(staff, articles.ArticleDraft(
        title="Recover a router after a failed update", body="Hold the recovery button.",
        category_id=factories.make_category().id))
    lifecycle.publish(staff, article)
    for n in range(3):
        deflection.record_open(asker, f"visit-{n}", "article", article.id)
    article_id = article.id
    db.session.remove()
    clock_at.advance(minutes=31)
    first_settled, settled = threading.Event(), {}
    count_on_articles = deflection._count_on_articles

    def first_holds_its_transaction(batch):
        count_on_articles(batch)
        if threading.current_thread().name == "first":
            first_settled.set()
            _wait_for_a_blocked_writer()  # the second worker now waits for these rows

    monkeypatch.setattr(deflection, "_count_on_articles", first_holds_its_transaction)

    def worker(name: str) -> None:
        with app.app_context():
            if name == "second":
                first_settled.wait(10)
            try:
                settled[name] = deflection.settle_due()
            finally:
                db.session.remove()

    workers = [threading.Thread(target=worker, args=(name,), name=name) for name in ("first", "second")]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(30)
    assert settled == {"first": 3, "second": 0}
    assert db.session.get(Article, article_id).deflection_count == 3
