"""Rate limits from domain.md: 429 with Retry-After, per account or per IP, across processes."""

from __future__ import annotations

import multiprocessing
import os
import time
from datetime import timedelta

import pytest
from limits.storage import storage_from_string

from forum import create_app
from forum.core.settings import Settings
from forum.http import ratelimits
from forum.http.ratelimits import SQLiteStorage


def test_sign_in_allows_ten_tries_a_minute_then_429(app, db, limits_on):
    client = app.test_client()
    answers = [client.post("/api/v1/tokens", json={"email": "x@example.com", "password": "nope"}).status_code
               for _ in range(11)]
    assert answers[:10] == [401] * 10 and answers[10] == 429
    last = client.post("/api/v1/tokens", json={"email": "x@example.com", "password": "nope"})
    assert last.mimetype == "application/problem+json" and int(last.headers["Retry-After"]) > 0


def test_web_sign_in_is_limited_too_with_a_friendly_page(client, db, limits_on):
    for _ in range(10):
        client.post("/auth/login", data={"email": "x@example.com", "password": "nope"})
    page = client.post("/auth/login", data={"email": "x@example.com", "password": "nope"})
    assert page.status_code == 429 and "Too Many Requests" in page.get_data(as_text=True)


def test_one_reply_per_ten_seconds_per_account(api_client, make, limits_on):
    thread = make.make_thread()
    member, other = make.make_user(), make.make_user()
    first = api_client(member).post(f"/api/v1/threads/{thread.id}/posts", json={"body": "First helpful reply"})
    second = api_client(member).post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Second one too fast"})
    someone_else = api_client(other).post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Another person"})
    assert (first.status_code, second.status_code, someone_else.status_code) == (201, 429, 201)


def test_new_accounts_start_three_threads_a_day(api_client, make, limits_on, clock_at):
    category = make.make_category()
    newcomer = make.make_user()
    body = {"category_id": category.id, "body": "Details of my problem here."}
    answers = [api_client(newcomer).post("/api/v1/threads", json={**body, "title": f"Question number {n} here"})
               .status_code for n in range(4)]
    assert answers == [201, 201, 201, 429]
    clock_at.advance(days=2)  # the account is no longer new: its rule is 20 a day
    later = api_client(newcomer).post("/api/v1/threads", json={**body, "title": "Question after two days"})
    assert later.status_code == 201


def _hit(path: str, key: str, times: int, results) -> None:
    storage = SQLiteStorage(f"horseshoe+sqlite://{path}")
    results.put([storage.incr(key, 60) for _ in range(times)])


def test_counters_are_shared_by_every_process_on_the_machine(tmp_path):
    path = str(tmp_path / "limits.sqlite3")
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_hit, args=(path, "user:1", 25, results)) for _ in range(4)]
    for process in workers:
        process.start()
    counts = sorted(count for _ in workers for count in results.get(timeout=60))
    for process in workers:
        process.join(timeout=60)
    assert counts == list(range(1, 101))  # every increment seen once, none lost, across 4 processes


def test_windows_expire(tmp_path):
    storage = SQLiteStorage(f"horseshoe+sqlite://{tmp_path / 'limits.sqlite3'}")
    assert storage.incr("k", 0.05) == 1
    assert storage.incr("k", 0.05) == 2
    time.sleep(0.1)
    assert storage.get("k") == 0 and storage.incr("k", 60) == 1
    assert timedelta(seconds=storage.get_expiry("k") - time.time()) > timedelta(seconds=50)


def test_with_redis_configured_the_counters_live_in_redis(tmp_path):
    url = os.environ.get("HORSESHOE_TEST_REDIS_URL")
    if not url:
        pytest.skip("HORSESHOE_TEST_REDIS_URL is not set (make test sets it)")
    app = create_app(Settings(data_dir=str(tmp_path), secret_key="x", testing=True, redis_url=url))
    assert ratelimits.storage_uri(app) == url
    storage = storage_from_string(url)
    storage.clear("test:redis-shared")
    assert [storage.incr("test:redis-shared", 60) for _ in range(3)] == [1, 2, 3]
    storage.clear("test:redis-shared")


def test_communities_sharing_a_redis_keep_their_keys_apart(tmp_path):
    """HORSESHOE_REDIS_PREFIX: member 5 of one community must not spend member 5 of another's budget."""
    url = os.environ.get("HORSESHOE_TEST_REDIS_URL")
    if not url:
        pytest.skip("HORSESHOE_TEST_REDIS_URL is not set (make test sets it)")
    apps = [create_app(Settings(data_dir=str(tmp_path / name), secret_key="x", testing=True, redis_url=url,
                                redis_prefix=f"{name}:")) for name in ("community-a", "community-b")]
    assert [app.config["RATELIMIT_KEY_PREFIX"] for app in apps] == ["community-a:limits", "community-b:limits"]
    assert [app.extensions["page_cache"].store.prefix for app in apps] == [
        "community-a:page-cache:", "community-b:page-cache:"]


def test_previews_and_form_errors_do_not_use_up_the_reply_limit(client, login_as, make, limits_on):
    thread = make.make_thread()
    login_as(make.make_user())
    assert client.post(f"/t/{thread.id}/reply", data={"body": ""}).status_code == 422
    assert client.post(f"/t/{thread.id}/reply", data={"body": "Try **this**", "preview": "1"}).status_code == 200
    assert client.post(f"/t/{thread.id}/reply", data={"body": "Try this"}).status_code == 302
    assert client.post(f"/t/{thread.id}/reply", data={"body": "And this"}).status_code == 429


@pytest.mark.parametrize("seconds_into_window", [9.97, 9.5, 0.5])
def test_retry_after_is_rounded_up_and_never_zero_at_the_edge_of_the_window(
        api_client, make, limits_on, monkeypatch, seconds_into_window):
    """Rate limits run on epoch seconds (Flask-Limiter), so the test moves time.time itself."""
    thread = make.make_thread()
    member = make.make_user()
    start = float(int(time.time())) + 0.05  # the window (10 s) ends 0.05 s into a second
    monkeypatch.setattr(time, "time", lambda: start)
    first = api_client(member).post(f"/api/v1/threads/{thread.id}/posts", json={"body": "First reply"})
    assert first.status_code == 201
    now = start + seconds_into_window
    monkeypatch.setattr(time, "time", lambda: now)
    refused = api_client(member).post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Too soon again"})
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert wait >= 1 and now + wait >= start + 10  # waiting as told is enough ...
    monkeypatch.setattr(time, "time", lambda: now + wait)
    retried = api_client(member).post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Waited as told"})
    assert retried.status_code == 201  # ... and the client is let through

