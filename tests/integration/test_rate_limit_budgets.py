"""One budget per account and action, whichever front end spends it, with its numbers as community settings.

The web page and the API of an action spend one counter (forum.http.ratelimits.Budget); staff skip the
new-account rate; an admin's change holds from the next request; and the counters are shared by every
process (the SQLite file of the data directory, or Redis).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from forum import accounts
from forum.core.extensions import db
from forum.models import AuditEntry
from tests import factories
from tests.api.support import assert_problem
from tests.integration.test_page_cache_processes import REDIS_URL, Server, server_env

WEB_REFUSAL = "Too Many Requests"


@pytest.fixture
def call_admin(api_client, make):
    return api_client(make.make_user(role="admin"))


@pytest.fixture
def admin_settings(call_admin):
    """Change community settings as an admin would, through PATCH /api/v1/settings."""

    def change(values: dict) -> None:
        response = call_admin.patch("/api/v1/settings", json=values)
        assert response.status_code == 200, response.get_data(as_text=True)

    return change


def web_reply(client, thread, body: str):
    return client.post(f"/t/{thread.id}/reply", data={"body": body})


def api_reply(client, thread, body: str):
    return client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": body})


def test_replies_on_the_page_and_through_the_api_spend_one_budget(client, login_as, api_client, make, limits_on):
    thread = make.make_thread()
    web_first, api_first = make.make_user(), make.make_user()
    login_as(web_first)
    assert web_reply(client, thread, "Restart the router first").status_code == 302
    assert api_reply(api_client(web_first), thread, "And then the modem").status_code == 429
    assert api_reply(api_client(api_first), thread, "Check the cable too").status_code == 201
    login_as(api_first)
    page = web_reply(client, thread, "And the power supply")
    assert page.status_code == 429 and WEB_REFUSAL in page.get_data(as_text=True)


def test_votes_alternating_between_page_and_api_exhaust_one_daily_budget(
        client, login_as, api_client, make, limits_on, admin_settings):
    admin_settings({"limits.votes_per_day": 4})
    thread = make.make_thread()
    replies = [make.make_reply(thread, body=f"Idea number {n}: swap the cable.") for n in range(6)]
    voter = make.make_user()
    login_as(voter)
    api = api_client(voter)
    answers = []
    for n, reply in enumerate(replies[:4]):
        if n % 2:
            answers.append(api.post(f"/api/v1/posts/{reply.id}/votes").status_code)
        else:
            answers.append(client.post(f"/p/{reply.id}/helpful").status_code)
    assert answers == [302, 200, 302, 200]
    assert api.post(f"/api/v1/posts/{replies[4].id}/votes").status_code == 429
    page = client.post(f"/p/{replies[5].id}/helpful")
    assert page.status_code == 429 and WEB_REFUSAL in page.get_data(as_text=True)


def ask_on_the_page(client, category, title: str):
    return client.post("/ask", data={"category_id": str(category.id), "kind": "question", "title": title,
                                     "body": "The details of what goes wrong, step by step."})


def ask_through_the_api(client, category, title: str):
    return client.post("/api/v1/threads", json={"category_id": category.id, "title": title,
                                                "body": "The details of what goes wrong, step by step."})


def test_a_new_accounts_threads_count_once_across_page_and_api(client, login_as, api_client, make, limits_on):
    category = make.make_category()
    newcomer = make.make_user()
    login_as(newcomer)
    answers = [ask_on_the_page(client, category, "Printer offline after update").status_code,
               ask_through_the_api(api_client(newcomer), category, "Scanner not found on network").status_code,
               ask_on_the_page(client, category, "Driver download keeps failing").status_code,
               ask_through_the_api(api_client(newcomer), category, "Fax line silent every morning").status_code]
    assert answers == [302, 201, 302, 429]  # 3 a day in an account's first day, page and API together


@pytest.mark.parametrize("role", ["moderator", "agent", "admin"])
def test_staff_in_their_first_day_are_not_held_by_the_new_account_rate(api_client, make, limits_on, role):
    category = make.make_category()
    staff, member = make.make_user(role=role), make.make_user()
    titles = [f"Announcement number {n} for everyone" for n in range(5)]
    staff_answers = [ask_through_the_api(api_client(staff), category, title).status_code for title in titles]
    member_answers = [ask_through_the_api(api_client(member), category, title).status_code for title in titles]
    assert staff_answers == [201] * 5
    assert member_answers == [201, 201, 201, 429, 429]


def test_staff_are_still_held_by_the_daily_thread_limit(api_client, make, limits_on, admin_settings):
    admin_settings({"limits.threads_per_day": 2})
    category = make.make_category()
    agent = make.make_user(role="agent")
    answers = [ask_through_the_api(api_client(agent), category, f"Known issue number {n} today").status_code
               for n in range(3)]
    assert answers == [201, 201, 429]


def test_a_changed_limit_holds_from_the_next_request_and_is_audited(api_client, make, limits_on, admin_settings):
    category = make.make_category()
    newcomer = api_client(make.make_user())
    titles = iter(f"Question about my account, part {n}" for n in range(12))
    assert [ask_through_the_api(newcomer, category, next(titles)).status_code for _ in range(4)] == [201] * 3 + [429]
    admin_settings({"limits.new_account_threads_per_day": 5})
    # The next request obeys the new number, counted afresh (a changed rule is a new counter).
    assert [ask_through_the_api(newcomer, category, next(titles)).status_code for _ in range(6)] == [201] * 5 + [429]
    entry = db.session.query(AuditEntry).filter_by(action="settings.update").order_by(AuditEntry.id.desc()).first()
    assert json.loads(entry.before_json) == {"limits.new_account_threads_per_day": 3}
    assert json.loads(entry.after_json) == {"limits.new_account_threads_per_day": 5}


def test_an_account_stops_being_new_when_the_setting_says(api_client, make, limits_on, admin_settings, clock_at):
    category = make.make_category()
    newcomer = api_client(make.make_user())
    titles = iter(f"Why is my invoice late, case {n}" for n in range(10))
    assert [ask_through_the_api(newcomer, category, next(titles)).status_code for _ in range(4)] == [201] * 3 + [429]
    clock_at.advance(hours=2)
    admin_settings({"limits.new_account_hours": 1})
    assert ask_through_the_api(newcomer, category, next(titles)).status_code == 201  # the usual 20 a day now


@pytest.mark.parametrize(("key", "value"), [
    ("limits.reply_interval_seconds", 0), ("limits.votes_per_day", 2.5), ("limits.flags_per_day", "many"),
    ("limits.sign_in_per_minute", None), ("limits.new_account_hours", -1), ("limits.threads_per_day", 10**9),
])
def test_a_bad_limit_is_a_422_naming_the_field_and_changes_nothing(call_admin, key, value):
    before = call_admin.get("/api/v1/settings").get_json()
    assert_problem(call_admin.patch("/api/v1/settings", json={key: value}), 422, key)
    assert call_admin.get("/api/v1/settings").get_json() == before


def test_the_settings_page_lists_the_limits_in_their_own_group(client, login_as, make):
    login_as(make.make_user(role="admin"))
    page = client.get("/admin/settings").get_data(as_text=True)
    group = page.split('id="settings-limits"', 1)[1]
    assert "Rate limits" in page and "Time between replies" in group and "Flags per member" in group


# --- across processes -----------------------------------------------------------------------------------------


@pytest.fixture(params=["embedded", "redis"])
def two_servers(request, app: Flask, committed, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    """Two gunicorn processes sharing the database and the data directory, limits on as deployed."""
    if request.param == "redis" and not REDIS_URL:
        pytest.skip("HORSESHOE_TEST_REDIS_URL is not set (make test sets it)")
    env = server_env(app, tmp_path / "data", REDIS_URL if request.param == "redis" else "")
    pair = (Server(env, tmp_path / "a.log"), Server(env, tmp_path / "b.log"))
    try:
        for server in pair:
            server.wait_until_up()
        yield pair
    finally:
        for server in pair:
            server.stop()


def test_the_budget_is_held_across_processes(app, two_servers):
    process_a, process_b = two_servers
    path = f"/api/v1/threads/{factories.make_thread(title='Wifi drops at night').id}/posts"
    token = accounts.create_api_token(factories.make_user())
    other = accounts.create_api_token(factories.make_user())
    db.session.remove()  # end this process's transaction: on SQLite it would hold the write lock
    assert process_a.request("POST", path, {"body": "Move the router up"}, token=token)[0] == 201
    status, headers, _ = process_b.request("POST", path, {"body": "Or change the channel"}, token=token)
    assert status == 429 and int(headers["Retry-After"]) >= 1
    assert process_b.request("POST", path, {"body": "Someone else may reply"}, token=other)[0] == 201
