"""POST /tokens (sign in for API clients) and DELETE /tokens/current."""

from __future__ import annotations

from flask import g

from forum.accounts import members
from forum.core.errors import NotAuthenticated
from forum.http import serializers
from forum.http.api import bp
from forum.http.api_requests import field, json_body, signed_in_user


@bp.post("/tokens")
def create_token():
    data = json_body()
    email = field(data, "email", str)
    password = field(data, "password", str)
    user = members.authenticate(email, password)
    if user is None:
        raise NotAuthenticated("Email or password is not right.")
    token = members.create_api_token(user, name=str(data.get("name") or "api")[:64])
    return {"token": token, "user": serializers.user(user)}, 201


@bp.delete("/tokens/current")
def revoke_current_token():
    signed_in_user()
    token = g.get("api_token")
    if token is None:
        raise NotAuthenticated("Send the bearer token to revoke.")
    members.revoke_api_token(token)
    return "", 204
