"""POST /users, GET /users/{id} and GET /me."""

from __future__ import annotations

import re

import pytest

from forum.recognition import badges
from forum.services import qa
from tests.api.support import assert_problem

RFC3339_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
NEW_USER = {"username": "casey_lee", "email": "casey@example.com", "password": "a long enough passphrase"}


def test_registering_returns_the_new_public_profile(client):
    response = client.post("/api/v1/users", json=NEW_USER)
    assert response.status_code == 201
    user = response.get_json()
    assert user["username"] == "casey_lee" and user["role"] == "member" and user["rank"] == "Newcomer"
    assert RFC3339_Z.match(user["created_at"])
    assert "email" not in user and "password_hash" not in user


def test_registering_a_taken_username_or_email_is_a_409(client, make):
    existing = make.make_user(username="casey_lee")
    assert_problem(client.post("/api/v1/users", json=NEW_USER), 409, "username")
    assert_problem(client.post("/api/v1/users", json={**NEW_USER, "username": "other", "email": existing.email}),
                   409, "email")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password": "short"}, "password"),
        ({"password": "password123"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"username": "x"}, "username"),
        ({"username": None}, "username"),
        ({"username": 12345}, "username"),
        ({"display_name": ["a"]}, "display_name"),
        ({"display_name": "\u200b\u200b"}, "display_name"),  # only zero-width spaces
    ],
)
def test_registering_with_bad_fields_is_a_422_naming_the_field(client, change, field):
    assert_problem(client.post("/api/v1/users", json={**NEW_USER, **change}), 422, field)


@pytest.mark.parametrize("who", ["anonymous", "member", "admin"])
def test_anyone_can_read_a_public_profile(call_as, make, who):
    user = make.make_user(display_name="Casey")
    response = call_as(who).get(f"/api/v1/users/{user.id}")
    assert response.status_code == 200
    assert response.get_json()["display_name"] == "Casey"
    assert "email" not in response.get_json()


@pytest.mark.parametrize("user_id", ["999999", "0", "-1", "99999999999999999999999", "abc"])
def test_unknown_user_is_a_404(client, db, user_id):
    assert_problem(client.get(f"/api/v1/users/{user_id}"), 404)


def test_me_is_the_caller_with_private_fields(call_as, cast):
    response = call_as("member").get("/api/v1/me")
    assert response.status_code == 200
    me = response.get_json()
    assert me["id"] == cast["member"].id and me["email"] == cast["member"].email
    assert me["notifications_unread"] == 0


def test_me_needs_sign_in(call_as):
    assert_problem(call_as("anonymous").get("/api/v1/me"), 401)


def test_me_works_with_the_session_cookie(client, login_as, make):
    user = make.make_user()
    login_as(user)
    assert client.get("/api/v1/me").get_json()["id"] == user.id


def test_a_public_profile_carries_the_solution_count_and_best_badge(client, make):
    """Issue 23: what a post shows beside the name, for clients that show it too (additions the contract allows)."""
    helper = make.make_user()
    assert client.get(f"/api/v1/users/{helper.id}").get_json()["top_badge"] is None
    thread = make.make_thread()
    qa.accept_solution(thread.author, thread, make.make_reply(thread, author=helper))
    badges.grant(helper.id, badges.BY_CODE["rescuer"])
    badges.grant(helper.id, badges.BY_CODE["first_solution"])
    profile = client.get(f"/api/v1/users/{helper.id}").get_json()
    assert profile["solution_count"] == 1 and profile["top_badge"] == "rescuer"
