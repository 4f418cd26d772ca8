"""PUT and DELETE /api/v1/me/blocks/{user_id}: ignoring another member, and stopping; GET /me/blocks lists them.

Both writes are idempotent (204 whether or not anything changed) and need an active account: the
standing layer (forum.http.standing) answers a suspended caller with the account-suspended problem
before the route runs. Ignoring oneself or a staff member is a 422 naming user_id; an unknown id a 404.
GET /me/blocks is an addition to api.md's table: without it a client could not show what it set.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.blueprints import BlueprintSetupState

from forum.accounts import blocks, members
from forum.accounts.export_format import timestamp
from forum.http import openapi, serializers
from forum.http.api import bp
from forum.http.api_requests import optional_json_body, signed_in_user


@bp.get("/me/blocks")
def list_my_blocks():
    """Whom the caller ignores, the most recent first (a short list: no paging)."""
    return {"items": [{"user": serializers.user_summary(entry.user), "since": timestamp(entry.since)}
                      for entry in blocks.ignored_by(signed_in_user())]}


@bp.put("/me/blocks/<id:user_id>")
def block_user(user_id: int):
    """Takes no fields; a body, when sent, must still be a JSON object (415/400/422 otherwise, as on every write)."""
    user = signed_in_user()
    optional_json_body()
    blocks.ignore(user, members.get_user(user_id))
    return Response(status=204)


@bp.delete("/me/blocks/<id:user_id>")
def unblock_user(user_id: int):
    user = signed_in_user()
    blocks.unignore(user, members.get_user(user_id))
    return Response(status=204)


def _openapi_paths() -> dict[str, Any]:
    o = openapi
    user_id = o.path_id("user_id", "member")
    ignored = o.obj({"user": o.ref("UserSummary"), "since": o.TIME}, ["user", "since"])
    listing = o.operation(
        "Whom the caller ignores, the most recent first (an addition to the v1.1 table)",
        (200, "The ignored members", o.obj({"items": {"type": "array", "items": ignored}}, ["items"])), (401,))
    put = o.operation(
        "Ignore a member: their posts collapse for the caller, and their mentions, replies and messages no "
        "longer notify the caller, nor may they start a conversation with the caller. Staff notices still "
        "arrive. Idempotent. 422 (naming user_id) for oneself or a staff member; 403 while suspended.",
        (204, "Ignored (also when already ignored)", None), (*o.WRITE_ERRORS, 404), params=[user_id],
        body=o.obj({}), body_required=False)
    delete = o.operation("Stop ignoring a member. Idempotent; 403 while suspended.",
                         (204, "Not ignored (also when they were not)", None), (*o.ACTION_ERRORS, 422),
                         params=[user_id])
    return {"/me/blocks": {"get": listing}, "/me/blocks/{user_id}": {"put": put, "delete": delete}}


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add these routes to the served OpenAPI document."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
