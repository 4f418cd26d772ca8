"""POST /tokens and DELETE /tokens/current: signing in API clients and revoking their tokens."""

from __future__ import annotations

import pytest

from forum import accounts
from tests.api.support import assert_problem
from tests.factories import PASSWORD


def test_signing_in_returns_a_token_that_authenticates(client, make):
    user = make.make_user()
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    assert body["user"]["id"] == user.id
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["username"] == user.username


def test_wrong_password_and_unknown_email_get_the_same_401(client, make):
    user = make.make_user()
    wrong = assert_problem(client.post("/api/v1/tokens", json={"email": user.email, "password": "nope nope"}), 401)
    unknown = assert_problem(
        client.post("/api/v1/tokens", json={"email": "ghost@example.com", "password": PASSWORD}), 401
    )
    wrong.pop("request_id"), unknown.pop("request_id")  # each request's own; nothing else may tell them apart
    assert wrong == unknown


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": PASSWORD}, "email"),
        ({"email": "a@example.com"}, "password"),
        ({"email": 42, "password": PASSWORD}, "email"),
        ({"email": "a@example.com", "password": ["x"]}, "password"),
    ],
)
def test_token_request_with_missing_or_mistyped_fields_is_a_422(client, body, field):
    assert_problem(client.post("/api/v1/tokens", json=body), 422, field)


def test_revoked_token_is_refused_everywhere(call_as):
    api = call_as("member")
    assert api.delete("/api/v1/tokens/current").status_code == 204
    assert_problem(api.get("/api/v1/me"), 401)
    assert_problem(api.get("/api/v1/categories"), 401)  # a dead token is an error, not anonymity
    assert_problem(api.delete("/api/v1/tokens/current"), 401)


def test_revoking_needs_a_token(call_as):
    assert_problem(call_as("anonymous").delete("/api/v1/tokens/current"), 401)


def test_unknown_bearer_token_is_a_401(app, db):
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = "Bearer hs_not-a-real-token"
    assert_problem(api.get("/api/v1/threads"), 401)


def test_read_only_token_reads_but_cannot_write(app, make):
    user = make.make_user()
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {accounts.create_api_token(user, scope='read')}"
    assert api.get("/api/v1/me").status_code == 200
    category = make.make_category()
    body = {"category_id": category.id, "title": "Is this allowed to post?", "body": "Just checking."}
    assert_problem(api.post("/api/v1/threads", json=body), 403)
