"""The anonymous page cache: signed-out visitors share one rendering until something they could see changes.

Every test runs against a real store (an SQLite file, and Redis when HORSESHOE_TEST_REDIS_URL is set).
Anonymous visits use a fresh client each time: a browser without cookies, as a search-engine visitor.
"""

from __future__ import annotations

import os
import sqlite3
import uuid

import pytest
from flask import Flask

from forum import incidents
from forum.core import outbox
from forum.http.page_cache import PageCache, SQLiteStore
from forum.http.page_cache_redis import RedisStore
from forum.http.security import CONTENT_SECURITY_POLICY
from forum.services import categories, posting, qa
from forum.services.categories import CategoryInput
from moderation.services import actions
from tests.conftest import free_port

REDIS_URL = os.environ.get("HORSESHOE_TEST_REDIS_URL")


def _store(kind: str, tmp_path):
    if kind == "sqlite":
        return SQLiteStore(tmp_path / "page_cache.sqlite3")
    if not REDIS_URL:
        pytest.skip("HORSESHOE_TEST_REDIS_URL is not set (make test sets it)")
    return RedisStore(REDIS_URL, prefix=f"test:page-cache:{uuid.uuid4().hex}:")  # private to this test


@pytest.fixture(params=["sqlite", "redis"])
def page_cache(request, app: Flask, db, tmp_path) -> PageCache:
    """The app's cache on a fresh store of each kind, with pages kept 60 s."""
    cache: PageCache = app.extensions["page_cache"]
    saved = (cache.store, cache.ttl_s)
    cache.store, cache.ttl_s = _store(request.param, tmp_path), 60
    yield cache
    cache.store, cache.ttl_s = saved


def visit(app: Flask, path: str, method: str = "GET"):
    """A signed-out visitor's first request: a client with no cookies."""
    return app.test_client().open(path, method=method)


def assert_cached(app: Flask, path: str) -> bytes:
    """Visit twice; the second visit is served from the cache with the same page. Returns the page."""
    first = visit(app, path)
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
    second = visit(app, path)
    assert second.status_code == 200 and second.headers["X-Cache"] == "hit"
    assert second.data == first.data
    return second.data


def fresh_page(app: Flask, path: str) -> bytes:
    """The next anonymous visit must be rendered anew (a miss), and is returned."""
    response = visit(app, path)
    assert response.status_code == 200 and response.headers["X-Cache"] == "miss"
    return response.data


def thread_path(community) -> str:
    return f"/t/{community.thread.id}/{community.thread.slug}"


def test_a_second_anonymous_visit_is_served_from_the_cache(app, page_cache, community):
    for path in ["/", f"/c/{community.category.slug}", thread_path(community)]:
        assert_cached(app, path)


def test_cached_pages_keep_security_headers_and_set_no_cookie(app, page_cache, community):
    assert_cached(app, thread_path(community))
    hit = visit(app, thread_path(community))
    assert hit.headers["X-Cache"] == "hit"
    assert hit.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert hit.headers["X-Frame-Options"] == "DENY" and hit.headers["X-Content-Type-Options"] == "nosniff"
    assert hit.headers["Content-Type"].startswith("text/html")
    assert "Cookie" in hit.headers["Vary"]
    assert "Set-Cookie" not in hit.headers
    assert b"csrf" not in hit.data  # the signed-out page needs no token, so sharing it shares no secret


def test_the_visitor_who_fills_the_cache_gets_no_cookie_either(app, page_cache, community):
    """Otherwise their next pages would bypass the cache (any cookie does) for no reason."""
    for path in ["/", f"/c/{community.category.slug}", thread_path(community)]:
        first = visit(app, path)
        assert first.headers["X-Cache"] == "miss" and "Set-Cookie" not in first.headers, path


def test_head_is_answered_from_the_get_entry(app, page_cache, community):
    assert_cached(app, "/")
    head = visit(app, "/", method="HEAD")
    assert head.status_code == 200 and head.headers["X-Cache"] == "hit" and head.data == b""


def test_a_signed_in_member_never_gets_the_cached_page_and_is_never_cached(app, page_cache, community, login_as):
    path = thread_path(community)
    anonymous_page = assert_cached(app, path)
    member = login_as(community.other)
    for _ in range(2):
        page = member.get(path)
        assert page.headers["X-Cache"] == "bypass"
        assert b"helper" in page.data and b"Sign out" in page.data
    assert b"Sign out" not in anonymous_page
    again = visit(app, path)
    assert again.headers["X-Cache"] == "hit" and b"Sign out" not in again.data


def test_a_member_visiting_first_does_not_fill_the_cache(app, page_cache, community, login_as):
    login_as(community.author).get("/")
    first = visit(app, "/")
    assert first.headers["X-Cache"] == "miss" and b"Sign out" not in first.data


def test_any_cookie_or_authorization_header_bypasses_the_cache(app, page_cache, community):
    assert_cached(app, "/")
    with_cookie = app.test_client()
    with_cookie.set_cookie("theme", "dark")
    assert with_cookie.get("/").headers["X-Cache"] == "bypass"
    bearer = app.test_client().get("/", headers={"Authorization": "Bearer not-a-token"})
    assert bearer.headers["X-Cache"] == "bypass"


def test_a_new_reply_shows_on_the_next_anonymous_visit(app, page_cache, community, login_as):
    path = thread_path(community)
    assert_cached(app, path)
    posted = login_as(community.author).post(f"/t/{community.thread.id}/reply",
                                             data={"body": "Thanks, the refund arrived today."})
    assert posted.status_code in (302, 303)
    assert b"the refund arrived today" in fresh_page(app, path)
    assert visit(app, path).headers["X-Cache"] == "hit"


def test_an_edit_shows_on_the_next_anonymous_visit(app, page_cache, community):
    path = thread_path(community)
    assert_cached(app, path)
    posting.edit_post(community.other, community.reply, "Open the invoices page: the second charge is a hold.")
    assert b"the second charge is a hold" in fresh_page(app, path)


def test_a_vote_shows_on_the_next_anonymous_visit(app, page_cache, community):
    path = thread_path(community)
    assert b"found this helpful" not in assert_cached(app, path)
    qa.vote_helpful(community.author, community.reply)
    assert b"1 found this helpful" in fresh_page(app, path)


def test_a_post_hidden_by_a_moderator_disappears_for_anonymous_visitors(app, page_cache, community):
    path = thread_path(community)
    assert b"the second one is a hold" in assert_cached(app, path)
    actions.hide_post(community.moderator, community.reply, "Off topic")
    assert b"the second one is a hold" not in fresh_page(app, path)


def test_a_category_rename_shows_on_every_cached_page(app, page_cache, community):
    paths = ["/", f"/c/{community.category.slug}", thread_path(community)]
    for path in paths:
        assert b"Billing" in assert_cached(app, path)
    categories.update_category(community.admin, community.category, CategoryInput(slug="billing", name="Payments"))
    for path in paths:
        assert b"Payments" in fresh_page(app, path)


def test_a_change_made_by_a_worker_job_shows_on_the_next_anonymous_visit(app, page_cache, community, make, run_jobs):
    agent = make.make_user(role="agent", username="agent")
    incident = incidents.open_incident(agent, "Double charges", [community.thread.id])
    incidents.post_update(agent, incident, "Refunds for double charges are on their way.")
    path = thread_path(community)
    before = assert_cached(app, path)
    assert run_jobs() >= 1  # the fan-out job posts the update on the thread as a reply, then commits
    after = fresh_page(app, path)
    assert after.count(b"Refunds for double charges") > before.count(b"Refunds for double charges")


def test_a_rolled_back_write_keeps_the_cache(app, page_cache, community, db):
    path = thread_path(community)
    assert_cached(app, path)
    generation = page_cache.store.generation()
    community.thread.title = "A title nobody will ever see"
    db.session.flush()
    db.session.rollback()
    assert page_cache.store.generation() == generation
    assert visit(app, path).headers["X-Cache"] == "hit"


def test_a_rolled_back_savepoint_inside_a_committed_change_still_invalidates(app, page_cache, community, db):
    path = thread_path(community)
    assert_cached(app, path)
    community.category.name = "Payments"
    db.session.flush()
    with db.session.begin_nested() as savepoint:
        community.thread.title = "Never committed"
        db.session.flush()
        savepoint.rollback()
    db.session.commit()
    assert b"Payments" in fresh_page(app, path)


def test_private_bookkeeping_writes_keep_the_cache(app, page_cache, community, db):
    assert_cached(app, "/")
    outbox.enqueue("mail.send", {"id": 0})  # the worker's queue shows on no page
    db.session.commit()
    assert visit(app, "/").headers["X-Cache"] == "hit"


def test_query_strings_are_separate_entries(app, page_cache, community):
    path = f"/c/{community.category.slug}"
    assert_cached(app, path)
    assert visit(app, f"{path}?sort=latest").headers["X-Cache"] == "miss"
    assert visit(app, f"{path}?sort=latest").headers["X-Cache"] == "hit"
    assert visit(app, f"{path}?sort=latest&x=1").headers["X-Cache"] == "miss"


def test_missing_pages_are_never_cached(app, page_cache, community):
    for _ in range(2):
        response = visit(app, "/t/987654")
        assert response.status_code == 404 and response.headers["X-Cache"] == "miss"


def test_pages_expire_after_the_configured_time(app, page_cache, community, clock_at):
    assert_cached(app, "/")
    clock_at.advance(seconds=59)
    assert visit(app, "/").headers["X-Cache"] == "hit"
    clock_at.advance(seconds=2)
    assert visit(app, "/").headers["X-Cache"] == "miss"


def test_zero_seconds_turns_the_cache_off(app, page_cache, community):
    page_cache.ttl_s = 0
    for _ in range(2):
        assert visit(app, "/").headers["X-Cache"] == "off"


@pytest.mark.parametrize("broken", ["redis", "sqlite"])
def test_a_broken_store_serves_pages_without_the_cache(app, page_cache, community, tmp_path, broken):
    if broken == "redis":
        page_cache.store = RedisStore(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    else:
        (tmp_path / "not-a-file").mkdir()
        page_cache.store = SQLiteStore(tmp_path / "not-a-file")  # a directory cannot be opened as a database
    for _ in range(2):
        response = visit(app, thread_path(community))
        assert response.status_code == 200 and b"Charged twice" in response.data
    community.category.name = "Payments"
    categories.update_category(community.admin, community.category, CategoryInput(slug="billing", name="Payments"))
    assert visit(app, "/").status_code == 200


def test_a_hide_whose_invalidation_failed_is_not_served_afterwards(app, community, tmp_path):
    """The store busy for a moment (another process holds the SQLite file's write lock) when the hide
    commits: the invalidation is owed, not lost, and the hidden post never comes back from the cache."""
    store_path = tmp_path / "page_cache.sqlite3"
    cache: PageCache = app.extensions["page_cache"]
    saved = (cache.store, cache.ttl_s)
    cache.store, cache.ttl_s = SQLiteStore(store_path), 60
    try:
        path = thread_path(community)
        assert b"the second one is a hold" in assert_cached(app, path)
        other_process = sqlite3.connect(store_path, timeout=0, isolation_level=None)
        other_process.execute("BEGIN IMMEDIATE")  # a write in flight elsewhere
        try:
            actions.hide_post(community.moderator, community.reply, "Off topic")  # commits; the bump times out
            assert cache.bump_owed
            assert visit(app, path).headers["X-Cache"] == "bypass"  # still locked: nothing served from the store
        finally:
            other_process.execute("ROLLBACK")
            other_process.close()
        assert b"the second one is a hold" not in fresh_page(app, path)
        assert not cache.bump_owed
    finally:
        cache.store, cache.ttl_s = saved


def test_a_lost_generation_counter_never_brings_back_retired_pages(app, community):
    """Redis may evict or lose the generation key while pages stored under it live on: counting again
    from 0 would climb back to their keys and serve them, hidden posts included."""
    if not REDIS_URL:
        pytest.skip("HORSESHOE_TEST_REDIS_URL is not set (make test sets it)")
    store = RedisStore(REDIS_URL, prefix=f"test:page-cache:{uuid.uuid4().hex}:")
    cache: PageCache = app.extensions["page_cache"]
    saved = (cache.store, cache.ttl_s)
    cache.store, cache.ttl_s = store, 60
    try:
        path = thread_path(community)
        assert_cached(app, path)
        used = {store.generation()}
        for _ in range(3):
            store.bump()
            used.add(store.generation())
        store.client.delete(store.prefix + "generation")  # what eviction of this one key does
        assert store.generation() not in used
        store.bump()
        assert store.generation() not in used
    finally:
        cache.store, cache.ttl_s = saved


def test_every_english_browser_shares_one_copy_and_each_language_has_its_own(app, page_cache, make):
    """The key holds the language the page is written in, not the Accept-Language header: the hit rate of
    English visitors stays what it was, and a German visitor never gets the English copy (or the reverse)."""
    make.make_thread(title="My router reboots at night")
    first = app.test_client().get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert first.headers["X-Cache"] == "miss" and 'lang="en"' in first.get_data(as_text=True)
    for header in ("en-GB,en;q=0.8", "en", "fi-FI,fi;q=0.9"):  # a language nobody translated reads English
        again = app.test_client().get("/", headers={"Accept-Language": header})
        assert again.headers["X-Cache"] == "hit" and again.data == first.data, header
    german = app.test_client().get("/", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert german.headers["X-Cache"] == "miss" and 'lang="de"' in german.get_data(as_text=True)
    assert app.test_client().get("/", headers={"Accept-Language": "de-AT"}).headers["X-Cache"] == "hit"
    assert "Accept-Language" in german.headers["Vary"] and german.headers["Content-Language"] == "de"
