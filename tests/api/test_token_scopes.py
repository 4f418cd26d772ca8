"""Token scopes: a read token reads everything its user may read and writes nothing; revoked tokens are dead;
a service token acts with exactly its service account's role."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forum import accounts, cases
from forum.accounts import tokens
from forum.models import ApiToken, Case, CaseMessage, MeToo, Post, Thread, TokenKind, Vote
from forum.services import community_settings
from tests.api.support import assert_problem


def bearer(app, raw: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


@pytest.fixture
def world(make):
    """An admin's read token and write token, a thread with a reply by someone else, and a case on it."""
    admin = make.make_user(role="admin")
    asker = make.make_user()
    helper = make.make_user()
    category = make.make_category()
    thread = make.make_thread(author=asker, category=category)
    reply = make.make_reply(thread, author=helper)
    case, _created = cases.escalate_thread(asker, thread, "Still broken after the reset")
    return {"admin": admin, "category": category, "thread": thread, "reply": reply, "case": case,
            "read": accounts.create_api_token(admin, name="dashboard", scope="read"),
            "write": accounts.create_api_token(admin, name="script", scope="write")}


# One or more writes from each route family; every one must be refused for a read token.
WRITES = [
    ("threads", "POST", "/threads", lambda w: {"category_id": w["category"].id, "title": "A brand new question here",
                                               "body": "Details of it."}),
    ("threads", "PATCH", "/threads/{thread}", lambda w: {"title": "A renamed question title", "locked": True}),
    ("threads", "POST", "/threads/{thread}/me-too", lambda w: None),
    ("posts", "POST", "/threads/{thread}/posts", lambda w: {"body": "A reply the token may not post."}),
    ("posts", "PATCH", "/posts/{reply}", lambda w: {"body": "Rewritten by a read token."}),
    ("posts", "DELETE", "/posts/{reply}", lambda w: None),
    ("votes", "POST", "/posts/{reply}/votes", lambda w: None),
    ("votes", "DELETE", "/posts/{reply}/votes", lambda w: None),
    ("cases", "POST", "/threads/{thread}/escalations", lambda w: {"reason": "Please look"}),
    ("cases", "PATCH", "/cases/{case}", lambda w: {"status": "closed"}),
    ("cases", "POST", "/cases/{case}/messages", lambda w: {"body": "Hello", "visibility": "customer"}),
    ("settings", "PATCH", "/settings", lambda w: {"sla.first_reply_hours": 9}),
]


def test_a_read_token_may_still_revoke_itself(app, db, world):
    """api.md: DELETE /tokens/current is for the token holder, whatever the token's scope."""
    api = bearer(app, world["read"])
    assert api.delete("/api/v1/tokens/current").status_code == 204
    assert api.get("/api/v1/me").status_code == 401


def _path(template: str, world) -> str:
    ids = {"thread": world["thread"].id, "reply": world["reply"].id, "case": world["case"].id}
    return "/api/v1" + template.format(**ids)


def _snapshot(db, world) -> tuple:
    thread, reply, case = world["thread"], world["reply"], world["case"]
    db.session.expire_all()
    counts = [db.session.scalar(select(func.count()).select_from(model))
              for model in (Thread, Post, Vote, MeToo, Case, CaseMessage, ApiToken)]
    live_tokens = db.session.scalar(select(func.count()).where(ApiToken.revoked_at.is_(None)))
    return (*counts, live_tokens, thread.title, thread.locked, reply.body, reply.deleted_at, case.status,
            community_settings.get_setting("sla.first_reply_hours"))


@pytest.mark.parametrize(("family", "method", "template", "body"), WRITES, ids=[f"{w[1]} {w[2]}" for w in WRITES])
def test_a_read_token_is_refused_every_write_with_a_403_and_nothing_changes(
    app, db, world, family, method, template, body
):
    app.url_map.bind("localhost").match(_path(template, world), method=method)  # the route exists (no 404/405)
    before = _snapshot(db, world)
    api = bearer(app, world["read"])
    payload = body(world)
    response = api.open(_path(template, world), method=method, **({"json": payload} if payload is not None else {}))
    problem = assert_problem(response, 403)
    assert problem["detail"] == "This token may only read."
    assert _snapshot(db, world) == before
    assert api.get("/api/v1/me").status_code == 200  # and the token still works for reading


READS = ["/me", "/threads", "/threads/{thread}", "/threads/{thread}/posts", "/posts/{reply}/revisions", "/cases",
         "/cases/{case}", "/settings", "/moderation/audit"]


@pytest.mark.parametrize("template", READS)
def test_a_read_token_reads_what_its_user_may_read(app, world, template):
    response = bearer(app, world["read"]).get(_path(template, world))
    assert response.status_code == 200, response.get_data(as_text=True)


def test_the_same_writes_succeed_with_a_write_token(app, db, world):
    api = bearer(app, world["write"])
    assert api.patch(_path("/settings", world), json={"sla.first_reply_hours": 9}).status_code == 200
    assert api.post(_path("/posts/{reply}/votes", world)).status_code == 200
    assert api.patch(_path("/cases/{case}", world), json={"status": "closed"}).status_code == 200
    assert community_settings.get_setting("sla.first_reply_hours") == 9


def _token_named(world, name: str):
    return next(t for t in tokens.list_personal_tokens(world["admin"]) if t.name == name)


def test_a_revoked_token_gets_401_on_reads_and_writes(app, world):
    tokens.revoke_personal_token(world["admin"], _token_named(world, "script").id)
    api = bearer(app, world["write"])
    assert_problem(api.get("/api/v1/threads"), 401)
    assert_problem(api.get("/api/v1/me"), 401)
    assert_problem(api.post("/api/v1/threads", json={"title": "x"}), 401)


def test_changing_the_password_revokes_every_token(app, world):
    accounts.set_password(world["admin"], "a much better passphrase")
    assert_problem(bearer(app, world["read"]).get("/api/v1/me"), 401)
    assert_problem(bearer(app, world["write"]).get("/api/v1/me"), 401)


def _service_token(admin, role: str, scope: str = "write") -> str:
    data = tokens.ServiceTokenInput(name="bot", scope=scope, new_username=f"{role}-bot", role=role)
    minted = tokens.create_service_token(admin, data)
    assert minted.token.kind == TokenKind.SERVICE.value
    return minted.raw


def test_a_service_token_acts_with_its_accounts_role(app, world):
    agent_bot = bearer(app, _service_token(world["admin"], "agent"))
    me = agent_bot.get("/api/v1/me").get_json()
    assert (me["username"], me["role"]) == ("agent-bot", "agent")
    assert agent_bot.get("/api/v1/cases").status_code == 200  # agents work cases
    assert agent_bot.patch(_path("/cases/{case}", world), json={"priority": "high"}).get_json()["priority"] == "high"
    assert_problem(agent_bot.patch("/api/v1/settings", json={"sla.first_reply_hours": 2}), 403)  # admins only

    member_bot = bearer(app, _service_token(world["admin"], "member"))
    assert_problem(member_bot.get("/api/v1/cases"), 403)
    posted = member_bot.post(_path("/threads/{thread}/posts", world), json={"body": "An automated answer."})
    assert posted.status_code == 201 and posted.get_json()["author"]["username"] == "member-bot"


def test_a_read_only_service_token_cannot_write_either(app, world):
    bot = bearer(app, _service_token(world["admin"], "agent", scope="read"))
    assert bot.get(_path("/cases/{case}", world)).status_code == 200
    assert_problem(bot.patch(_path("/cases/{case}", world), json={"priority": "high"}), 403)


def test_a_token_records_when_it_was_last_used(app, db, world, clock_at):
    def used_at_after_a_call():
        bearer(app, world["read"]).get("/api/v1/me")
        db.session.expire_all()
        return _token_named(world, "dashboard").last_used_at

    assert _token_named(world, "dashboard").last_used_at is None
    first = clock_at.now
    assert used_at_after_a_call() == first
    clock_at.advance(minutes=4)
    assert used_at_after_a_call() == first  # within five minutes: not written again
    clock_at.advance(minutes=1)
    assert used_at_after_a_call() == clock_at.now
