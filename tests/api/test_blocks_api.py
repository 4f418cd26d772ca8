"""PUT/DELETE /api/v1/me/blocks/{user_id} (issue 22): ignoring a member over the API, per caller."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.accounts import blocks
from forum.core import clock
from forum.core.extensions import db
from forum.models import Block
from tests.api.support import assert_problem


def block_count() -> int:
    return db.session.scalar(select(func.count(Block.id)))


def test_anonymous_callers_get_a_401(api_client, make):
    target = make.make_user()
    assert_problem(api_client().put(f"/api/v1/me/blocks/{target.id}"), 401)
    assert_problem(api_client().delete(f"/api/v1/me/blocks/{target.id}"), 401)
    assert_problem(api_client().get("/api/v1/me/blocks"), 401)
    assert block_count() == 0


def test_a_member_ignores_and_stops_ignoring_idempotently(api_client, make):
    me, target = make.make_user(), make.make_user(username="noisy")
    client = api_client(me)
    for _ in range(2):
        response = client.put(f"/api/v1/me/blocks/{target.id}")
        assert response.status_code == 204 and response.get_data() == b""
        assert blocks.ignores(me.id, target.id) and block_count() == 1
    listed = client.get("/api/v1/me/blocks").get_json()["items"]
    assert [item["user"]["username"] for item in listed] == ["noisy"] and listed[0]["since"]
    for _ in range(2):
        assert client.delete(f"/api/v1/me/blocks/{target.id}").status_code == 204
        assert not blocks.ignores(me.id, target.id) and block_count() == 0
    assert client.get("/api/v1/me/blocks").get_json() == {"items": []}


@pytest.mark.parametrize("method", ["put", "delete"])
def test_an_unknown_member_is_a_404(api_client, make, method):
    assert_problem(getattr(api_client(make.make_user()), method)("/api/v1/me/blocks/999999"), 404)


def test_ignoring_yourself_is_a_422_naming_user_id(api_client, make):
    me = make.make_user()
    assert_problem(api_client(me).put(f"/api/v1/me/blocks/{me.id}"), 422, "user_id")
    assert_problem(api_client(me).delete(f"/api/v1/me/blocks/{me.id}"), 422, "user_id")
    assert block_count() == 0


@pytest.mark.parametrize("role", ["moderator", "agent", "admin"])
def test_staff_cannot_be_ignored(api_client, make, role):
    me, staff = make.make_user(), make.make_user(role=role)
    problem = assert_problem(api_client(me).put(f"/api/v1/me/blocks/{staff.id}"), 422, "user_id")
    assert "Staff cannot be ignored" in problem["errors"]["user_id"][0]
    assert block_count() == 0
    assert api_client(me).delete(f"/api/v1/me/blocks/{staff.id}").status_code == 204  # nothing to undo


def test_staff_may_ignore_members(api_client, make):
    moderator, member = make.make_user(role="moderator"), make.make_user()
    assert api_client(moderator).put(f"/api/v1/me/blocks/{member.id}").status_code == 204
    assert blocks.ignores(moderator.id, member.id)


def test_a_suspended_member_is_refused_both_ways_with_the_account_suspended_problem(api_client, make):
    me, target, other = make.make_user(), make.make_user(), make.make_user()
    blocks.ignore(me, other)
    me.suspended_until = clock.now() + timedelta(days=3)
    db.session.commit()
    client = api_client(me)
    put = assert_problem(client.put(f"/api/v1/me/blocks/{target.id}"), 403)
    delete = assert_problem(client.delete(f"/api/v1/me/blocks/{other.id}"), 403)
    assert put["type"].endswith("/account-suspended") and delete["type"].endswith("/account-suspended")
    assert not blocks.ignores(me.id, target.id) and blocks.ignores(me.id, other.id)
    assert client.get("/api/v1/me/blocks").status_code == 200  # reading stays open


def test_a_block_on_someone_who_later_became_staff_counts_for_nothing(make):
    me, target = make.make_user(), make.make_user()
    blocks.ignore(me, target)
    target.role = "moderator"
    db.session.commit()
    assert not blocks.ignores(me.id, target.id) and blocks.ignored_ids(me.id) == frozenset()
    assert blocks.not_ignoring(target.id, [me.id]) == [me.id]
    assert blocks.unignore(me, target)  # the stale row is tidied away


def test_the_routes_are_in_the_openapi_document(api_client):
    paths = api_client().get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/me/blocks/{user_id}"]) == {"put", "delete"} and "get" in paths["/me/blocks"]
    assert "422" in paths["/me/blocks/{user_id}"]["put"]["responses"]
