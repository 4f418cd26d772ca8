"""Case routes: escalating a thread, the agents' queue, one case, its messages and its resolution.

Every route × every caller; customers see their own case and never another's or any internal note.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from forum import cases
from forum.core.extensions import db
from tests.api.support import assert_problem, walk_pages

CALLERS = ["anonymous", "member", "advocate", "author", "moderator", "agent", "admin"]
AGENTS = {"agent", "admin"}
SECRET = "Internal: customer flagged for chargeback abuse"


@pytest.fixture
def thread(make, cast):
    return make.make_thread(author=cast["author"], title="Router drops wifi every night")


@pytest.fixture
def case(cast, thread):
    return cases.escalate_thread(cast["author"], thread, "Still broken after a reset")[0]


def escalate(call_as, who, thread, body=None):
    return call_as(who).post(f"/api/v1/threads/{thread.id}/escalations", json=body or {"reason": "Please help"})


# --- POST /threads/{id}/escalations ----------------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
def test_who_may_escalate_a_thread(call_as, cast, thread, who):
    response = escalate(call_as, who, thread)
    if who in ("anonymous", "member"):
        assert_problem(response, 401 if who == "anonymous" else 403)
        return
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.get_json()
    expected_source = {"author": "customer", "advocate": "advocate"}.get(who, "staff")
    assert (data["thread_id"], data["source"], data["status"], data["reason"]) == (
        thread.id, expected_source, "new", "Please help")
    assert data["customer"]["id"] == cast["author"].id and data["public_reference"] == f"#{data['id']}"
    again = escalate(call_as, "author", thread)
    assert again.status_code == 200 and again.get_json()["id"] == data["id"]


def test_escalating_an_invisible_thread_is_a_404(call_as, make, cast, thread):
    pending = make.make_thread(author=cast["member"])
    pending.visibility = "pending"
    db.session.commit()
    assert_problem(escalate(call_as, "advocate", pending), 404)
    assert_problem(call_as("author").post("/api/v1/threads/999999/escalations", json={}), 404)


def test_escalation_input_is_checked(call_as, thread):
    assert_problem(escalate(call_as, "author", thread, {"reason": 5}), 422, "reason")
    assert_problem(escalate(call_as, "author", thread, {"reason": "x" * 2001}), 422, "reason")
    malformed = call_as("author").post(f"/api/v1/threads/{thread.id}/escalations", data="{",
                                       content_type="application/json")
    assert_problem(malformed, 400)
    bodyless = call_as("author").post(f"/api/v1/threads/{thread.id}/escalations")
    assert bodyless.status_code == 201


# --- GET /cases -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
def test_only_agents_list_cases(call_as, case, who):
    response = call_as(who).get("/api/v1/cases")
    if who not in AGENTS:
        assert_problem(response, 401 if who == "anonymous" else 403)
        return
    assert response.status_code == 200
    assert [item["id"] for item in response.get_json()["items"]] == [case.id]
    assert "messages" not in response.get_json()["items"][0]


def test_the_queue_pages_and_filters(call_as, make, cast):
    made = [cases.escalate_thread(cast["agent"], make.make_thread(), "x")[0] for _ in range(5)]
    cases.claim_case(cast["agent"], made[2])
    pages = walk_pages(call_as("agent"), "/api/v1/cases", limit=2)
    assert [item["id"] for page in pages for item in page] == [c.id for c in made]
    mine = call_as("agent").get("/api/v1/cases", query_string={"assignee": "me", "status": "open"}).get_json()
    assert [item["id"] for item in mine["items"]] == [made[2].id]
    assert mine["items"][0]["assignee"]["id"] == cast["agent"].id
    assert_problem(call_as("agent").get("/api/v1/cases", query_string={"status": "lost"}), 422, "status")
    assert_problem(call_as("agent").get("/api/v1/cases", query_string={"cursor": "nonsense!"}), 422, "cursor")
    assert_problem(call_as("agent").get("/api/v1/cases", query_string={"category": "abc"}), 422, "category")
    assert_problem(call_as("agent").get("/api/v1/cases", query_string={"limit": 0}), 422, "limit")


def test_listing_cases_takes_a_fixed_number_of_queries(app, call_as, make, cast):
    for _ in range(6):
        case = cases.escalate_thread(cast["agent"], make.make_thread(), "x")[0]
        cases.claim_case(cast["agent"], case)
    client = call_as("agent")
    client.get("/api/v1/me")  # warm the token: its first use in a while records last_used_at
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert len(client.get("/api/v1/cases", query_string={"limit": 3}).get_json()["items"]) == 3
        three = len(statements)
        statements.clear()
        assert len(client.get("/api/v1/cases", query_string={"limit": 6}).get_json()["items"]) == 6
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == three


# --- GET /cases/{id} ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
def test_a_case_is_seen_by_agents_and_its_customer_only(call_as, cast, case, who):
    cases.post_message(cast["agent"], case, SECRET, "internal")
    cases.post_message(cast["agent"], case, "Which router model do you have?", "customer")
    response = call_as(who).get(f"/api/v1/cases/{case.id}")
    if who not in AGENTS | {"author"}:
        assert_problem(response, 404)
        return
    assert response.status_code == 200
    messages = response.get_json()["messages"]
    if who == "author":
        assert [m["body"] for m in messages] == ["Which router model do you have?"]
        assert SECRET not in response.get_data(as_text=True)
    else:
        assert [m["visibility"] for m in messages] == ["internal", "customer"]


def test_a_customer_never_sees_another_customers_case(call_as, make, cast, case):
    theirs = cases.escalate_thread(cast["member"], make.make_thread(author=cast["member"]), "Mine")[0]
    assert call_as("member").get(f"/api/v1/cases/{theirs.id}").status_code == 200
    assert_problem(call_as("author").get(f"/api/v1/cases/{theirs.id}"), 404)
    assert_problem(call_as("author").get("/api/v1/cases/99999"), 404)


def test_internal_notes_reach_no_customer_facing_answer(call_as, cast, thread, case):
    cases.post_message(cast["agent"], case, SECRET, "internal")
    cases.resolve_case(cast["agent"], case, "Reset the router.")
    for url in (f"/api/v1/cases/{case.id}", f"/api/v1/threads/{thread.id}", f"/api/v1/threads/{thread.id}/posts",
                "/api/v1/threads", "/api/v1/notifications"):
        for who in ("author", "anonymous", "member"):
            assert SECRET not in call_as(who).get(url).get_data(as_text=True), (url, who)


# --- PATCH /cases/{id} ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
def test_only_agents_change_a_case(call_as, cast, case, who):
    response = call_as(who).patch(f"/api/v1/cases/{case.id}", json={"status": "open", "priority": "high"})
    if who not in AGENTS:
        expected = {"anonymous": 401, "author": 403}.get(who, 404)
        assert_problem(response, expected)
        return
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["priority"]) == ("open", "high")


def test_a_status_change_notifies_the_asker(call_as, cast, case):
    call_as("agent").patch(f"/api/v1/cases/{case.id}", json={"status": "pending_customer"})
    notes = call_as("author").get("/api/v1/notifications").get_json()["items"]
    assert any(n["kind"] == "case_update" and "waiting on you" in n["message"] for n in notes)


def test_assigning_and_unassigning(call_as, cast, case):
    agent_id = cast["agent"].id
    assigned = call_as("admin").patch(f"/api/v1/cases/{case.id}", json={"assignee_id": agent_id}).get_json()
    assert assigned["assignee"]["id"] == agent_id and assigned["status"] == "open"
    kept = call_as("admin").patch(f"/api/v1/cases/{case.id}", json={"priority": "low"}).get_json()
    assert kept["assignee"]["id"] == agent_id
    assert call_as("admin").patch(f"/api/v1/cases/{case.id}", json={"assignee_id": None}).get_json()["assignee"] is None


@pytest.mark.parametrize("body", [{"status": "done", "priority": 3, "assignee_id": "me"},
                                  {"status": ["open"], "priority": {}, "assignee_id": True}])
def test_bad_changes_are_422_naming_every_field(call_as, case, body):
    problem = assert_problem(call_as("agent").patch(f"/api/v1/cases/{case.id}", json=body), 422)
    assert set(problem["errors"]) == {"status", "priority", "assignee_id"}


def test_a_member_cannot_be_assigned(call_as, cast, case):
    assert_problem(call_as("agent").patch(f"/api/v1/cases/{case.id}", json={"assignee_id": cast["member"].id}),
                   422, "assignee_id")
    assert_problem(call_as("agent").patch(f"/api/v1/cases/{case.id}", json={"assignee_id": 2**40}),
                   422, "assignee_id")


# --- POST /cases/{id}/messages --------------------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize("visibility", ["customer", "internal"])
def test_who_may_write_which_message(call_as, case, who, visibility):
    response = call_as(who).post(f"/api/v1/cases/{case.id}/messages", json={"body": "Hello", "visibility": visibility})
    if who in AGENTS or (who == "author" and visibility == "customer"):
        assert response.status_code == 201, response.get_data(as_text=True)
        assert (response.get_json()["visibility"], response.get_json()["case_id"]) == (visibility, case.id)
        return
    expected = {"anonymous": 401, "author": 403}.get(who, 404)
    assert_problem(response, expected)


def test_bad_messages_are_422(call_as, case):
    problem = assert_problem(call_as("agent").post(f"/api/v1/cases/{case.id}/messages",
                                                   json={"body": 12, "visibility": "everyone"}), 422)
    assert set(problem["errors"]) == {"body", "visibility"}
    assert_problem(call_as("agent").post(f"/api/v1/cases/{case.id}/messages", json=[1]), 422)
    assert_problem(call_as("agent").post(f"/api/v1/cases/{case.id}/messages", data="x",
                                         content_type="text/plain"), 415)


# --- POST /cases/{id}/resolution ------------------------------------------------------------------


@pytest.mark.parametrize("who", CALLERS)
def test_only_agents_resolve(call_as, case, who):
    response = call_as(who).post(f"/api/v1/cases/{case.id}/resolution", json={"resolution": "Reset it."})
    if who not in AGENTS:
        assert_problem(response, {"anonymous": 401, "author": 403}.get(who, 404))
        return
    assert response.status_code == 200 and response.get_json()["status"] == "resolved"


def test_resolution_publishes_an_accepted_staff_answer(call_as, make, thread, case):
    make.make_reply(thread, body="Did you try turning it off and on?")
    resolved = call_as("agent").post(f"/api/v1/cases/{case.id}/resolution",
                                     json={"resolution": "Update the firmware to 2.1.", "publish_to_thread": True})
    data = resolved.get_json()
    assert data["resolution"] == "Update the firmware to 2.1." and data["resolved_at"] is not None
    shown = call_as("anonymous").get(f"/api/v1/threads/{thread.id}").get_json()
    assert (shown["status"], shown["solved_by"], shown["accepted_post_id"]) == (
        "solved", "support", data["resolution_post_id"])
    assert shown["case"] == {"id": case.id, "status": "resolved", "public_reference": f"#{case.id}"}
    answer = call_as("anonymous").get(f"/api/v1/threads/{thread.id}/posts").get_json()["items"][-1]
    assert answer["is_staff"] and answer["is_accepted"]
    assert_problem(call_as("agent").post(f"/api/v1/cases/{case.id}/resolution", json={"resolution": "Again"}), 409)


def test_a_no_from_the_customer_reopens_the_case(call_as, thread, case):
    call_as("agent").post(f"/api/v1/cases/{case.id}/resolution", json={"resolution": "Reset it."})
    answer = call_as("author").post(f"/api/v1/threads/{thread.id}/feedback", json={"resolved": False})
    assert answer.status_code == 201
    assert call_as("author").get(f"/api/v1/cases/{case.id}").get_json()["status"] == "open"


def test_bad_resolutions_are_422(call_as, case):
    problem = assert_problem(call_as("agent").post(
        f"/api/v1/cases/{case.id}/resolution", json={"resolution": ["x"], "publish_to_thread": "no"}), 422)
    assert set(problem["errors"]) == {"resolution", "publish_to_thread"}


# --- the thread's case field ----------------------------------------------------------------------


def test_threads_show_their_case_in_lists_without_a_query_per_thread(app, call_as, make, cast):
    threads = [make.make_thread() for _ in range(4)]
    opened = cases.escalate_thread(cast["agent"], threads[0], "x")[0]
    client = call_as("anonymous")
    listed = {t["id"]: t["case"] for t in client.get("/api/v1/threads").get_json()["items"]}
    assert listed[threads[0].id] == {"id": opened.id, "status": "new", "public_reference": f"#{opened.id}"}
    assert listed[threads[1].id] is None
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        client.get("/api/v1/threads", query_string={"limit": 2})
        two = len(statements)
        statements.clear()
        client.get("/api/v1/threads", query_string={"limit": 4})
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == two
