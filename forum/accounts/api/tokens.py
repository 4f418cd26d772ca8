"""POST /tokens (sign in for API clients) and DELETE /tokens/current."""

from __future__ import annotations

from flask import g, request

from forum.accounts import members, sign_in_guard
from forum.core.errors import NotAuthenticated
from forum.http import serializers
from forum.http.api import bp
from forum.http.api_requests import field, json_body, signed_in_user
from forum.http.problems import problem


@bp.post("/tokens")
def create_token():
    data = json_body()
    email = field(data, "email", str)
    password = field(data, "password", str)
    try:
        user = sign_in_guard.sign_in(email, password, source=request.remote_addr or "")
    except sign_in_guard.TooManyFailures as exc:
        return problem(exc.status, exc.title, exc.detail, Retry_After=str(exc.retry_after_s))
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
