"""POST /api/v1/posts/{id}/flags: flag a post for moderators (one flag per user per post; a repeat is 409)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from forum.http import openapi
from forum.http.api_requests import authenticate_api_request, field, json_body, signed_in_user
from forum.http.serializers import timestamp
from forum.services import reading
from moderation.models import Flag
from moderation.services import flags

bp = Blueprint("moderation_api_flags", __name__, url_prefix='/api/v1')
bp.before_request(authenticate_api_request)  # tokens, read-only scope, CSRF for cookie sessions


def serialize(flag: Flag) -> dict[str, Any]:
    """A flag as its flagger (or a moderator) sees it."""
    return {
        "id": flag.id, "post_id": flag.post_id, "reason": flag.reason, "note": flag.note, "weight": flag.weight,
        "outcome": flag.outcome, "created_at": timestamp(flag.created_at),
    }


@bp.post("/posts/<id:post_id>/flags")
def create(post_id: int):
    user = signed_in_user()
    post = reading.get_post(user, post_id)
    data = json_body()
    new = flags.NewFlag(reason=field(data, "reason", str), note=field(data, "note", str, required=False, default=""))
    return serialize(flags.flag_post(user, post, new)), 201


def _openapi_paths() -> dict[str, Any]:
    reasons = {"enum": list(flags.REASON_LABELS)}
    flag = openapi.obj({"id": openapi.INTEGER, "post_id": openapi.INTEGER, "reason": reasons, "note": openapi.STRING,
                        "weight": {**openapi.INTEGER, "description": "the flagger's standing's weight when it "
                                   "was raised (settings moderation.flag_weight.*: member 1, advocate 2, staff 3)"},
                        "outcome": {"type": ["string", "null"]}, "created_at": openapi.TIME})
    body = openapi.obj({"reason": reasons, "note": {**openapi.STRING, "maxLength": flags.MAX_NOTE,
                                                    "description": "Required when reason is other."}}, ["reason"])
    return {"/posts/{post_id}/flags": {"post": openapi.operation(
        "Flag a post for moderators. One flag per user per post: flagging again answers 409. When the flags' "
        "weight (settings moderation.flag_weight.*: member 1, advocate 2, staff 3) reaches "
        "moderation.hide_threshold the post is hidden pending review; needs_staff raises it to staff instead.",
        (201, "The flag", flag), (*openapi.WRITE_ERRORS, 404, 409, *openapi.RATE_LIMITED), body=body,
        params=[openapi.path_id("post_id", "post")])}}


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add this route to the served OpenAPI document."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
