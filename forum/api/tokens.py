"""POST /tokens (sign in for API clients) and DELETE /tokens/current."""

from __future__ import annotations

from flask import g

from forum.api import bp, serializers
from forum.api.requests import field, json_body, signed_in_user
from forum.services import accounts
from forum.services.errors import NotAuthenticated


@bp.post("/tokens")
def create_token():
    data = json_body()
    email = field(data, "email", str)
    password = field(data, "password", str)
    user = accounts.authenticate(email, password)
    if user is None:
        raise NotAuthenticated("Email or password is not right.")
    token = accounts.create_api_token(user, name=str(data.get("name") or "api")[:64])
    return {"token": token, "user": serializers.user(user)}, 201


@bp.delete("/tokens/current")
def revoke_current_token():
    signed_in_user()
    token = g.get("api_token")
    if token is None:
        raise NotAuthenticated("Send the bearer token to revoke.")
    accounts.revoke_api_token(token)
    return "", 204
