"""GET /api/v1/users/autocomplete: the people an @ in the editor may mean.

The editor (forum/static/mentions.js) asks at every pause in typing, so the route is rate-limited per
account (AUTOCOMPLETE_LIMIT), on reads alone: it is the one GET whose callers are a keyboard.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask.blueprints import BlueprintSetupState

from forum.accounts import directory
from forum.core.errors import Invalid
from forum.core.i18n import _
from forum.http import openapi, serializers
from forum.http.api import bp
from forum.http.api_requests import signed_in_user
from forum.http.ratelimits import limiter
from forum.http.routing import MAX_ID

# A fast typist with a 150 ms pause between requests stays well under it; a script walking the member list does not.
AUTOCOMPLETE_LIMIT = "60 per minute"


@bp.get("/users/autocomplete")
@limiter.limit(AUTOCOMPLETE_LIMIT, methods=["GET"])
def autocomplete_users():
    user = signed_in_user()  # a 401 before any 422: who asks comes first
    users = directory.autocomplete(user, request.args.get("q"), _thread_id(request.args.get("thread_id")))
    return {"items": [serializers.user_summary(member) for member in users]}


def _thread_id(raw: str | None) -> int | None:
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_ID):
        raise Invalid({"thread_id": [_("Expected a thread's id.")]})
    return int(raw)


def _openapi_paths() -> dict[str, Any]:
    o = openapi
    items = o.obj({"items": {"type": "array", "items": o.ref("UserSummary"), "maxItems": directory.LIMIT}}, ["items"])
    params = [
        {**o.query("q", "The start of a username or display name (a leading @ is ignored); case-insensitive.",
                   {"type": "string", "minLength": 1, "maxLength": directory.MAX_QUERY}), "required": True},
        o.query("thread_id", "The thread being written in: people who posted there (that the caller may see) "
                "come first.", {"type": "integer", "minimum": 1}),
    ]
    get = o.operation(
        f"Members whose name starts with q, for @mentions: at most {directory.LIMIT}, people in the thread first. "
        "Erased, leaving and service accounts are never offered, nor the caller. 422 for a missing or too long q, "
        "429 when asked too often.",
        (200, "The matching members", items), (401, 422, *o.RATE_LIMITED), params=params,
    )
    return {"/users/autocomplete": {"get": get}}


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add this route to the served OpenAPI document."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
