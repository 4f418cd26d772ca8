"""Tokens for restricted accounts: a suspended account's read-only token still reaches what a suspended
account may do (api.md), a read token its owner chose never writes, and an unconfirmed account's token
starts working the moment the address is confirmed."""

from __future__ import annotations

from datetime import timedelta

from forum.accounts import tokens as api_tokens
from forum.core import clock
from forum.core.extensions import db
from tests.factories import PASSWORD

TOKENS = "/api/v1/tokens"


def minted(client, user) -> tuple[str, dict]:
    response = client.post(TOKENS, json={"email": user.email, "password": PASSWORD}, csrf=False)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    return body["scope"], {"Authorization": f"Bearer {body['token']}"}


def test_a_suspended_accounts_token_reads_and_still_asks_for_its_export(client, make):
    user = make.make_user(suspended_until=clock.now() + timedelta(days=3))
    scope, bearer = minted(client, user)
    assert scope == "read"
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    assert client.post("/api/v1/me/export", headers=bearer).status_code == 202
    refused = client.patch("/api/v1/me", json={"bio": "Hi"}, headers=bearer)
    assert refused.status_code == 403


def test_a_read_token_its_owner_chose_stays_read_only_when_the_owner_is_suspended(client, make):
    user = make.make_user()
    thread = make.make_thread(author=user)
    raw = api_tokens.create_personal_token(user, api_tokens.TokenInput("dashboard", "read")).raw
    bearer = {"Authorization": f"Bearer {raw}"}
    user.suspended_until = clock.now() + timedelta(days=3)
    db.session.commit()
    for method, path, body in [("POST", "/api/v1/me/export", None),
                               ("POST", f"/api/v1/threads/{thread.id}/escalations", {"reason": "Help"})]:
        response = client.open(path, method=method, json=body, headers=bearer)
        assert response.status_code == 403 and "only read" in response.get_json()["detail"], path


def test_an_unconfirmed_accounts_token_works_once_the_address_is_confirmed(client, make):
    user = make.make_user(verified=False)
    category = make.make_category()
    scope, bearer = minted(client, user)
    assert scope == "write"
    question = {"category_id": category.id, "title": "Router drops the line at night",
                "body": "Every night at eleven the line drops for a minute.", "kind": "question"}
    refused = client.post("/api/v1/threads", json=question, headers=bearer)
    assert refused.status_code == 403 and refused.get_json()["type"].endswith("/email-not-verified")
    user.email_verified_at = clock.now()
    db.session.commit()
    assert client.post("/api/v1/threads", json=question, headers=bearer).status_code == 201
