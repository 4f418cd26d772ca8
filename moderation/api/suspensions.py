"""POST/DELETE /api/v1/users/{id}/suspension: moderators suspend a member or lift it early."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from forum import accounts
from forum.core.errors import Invalid
from forum.core.i18n import _
from forum.http import openapi
from forum.http.api_requests import authenticate_api_request, field, json_body, optional_json_body, signed_in_user
from forum.http.serializers import timestamp, user_summary
from moderation.models import Suspension
from moderation.services import suspensions

bp = Blueprint("moderation_api_suspensions", __name__, url_prefix='/api/v1')
bp.before_request(authenticate_api_request)  # tokens, read-only scope, CSRF for cookie sessions


def serialize(row: Suspension) -> dict[str, Any]:
    return {
        "id": row.id, "user": user_summary(row.user), "reason": row.reason,
        "starts_at": timestamp(row.starts_at), "until": timestamp(row.ends_at), "lifted_at": timestamp(row.lifted_at),
    }


def _until(data: dict) -> datetime:
    raw = field(data, "until", str)
    try:
        moment = datetime.fromisoformat(raw) if len(raw) <= 40 else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Invalid({"until": [_("Send an RFC 3339 time with its offset, e.g. 2026-12-01T09:00:00Z.")]})
    return moment


@bp.post("/users/<id:user_id>/suspension")
def suspend(user_id: int):
    actor = signed_in_user()
    user = accounts.get_user(user_id)
    data = json_body()
    reason = field(data, "reason", str)
    row = suspensions.suspend_user(actor, user, suspensions.SuspensionInput(_until(data), reason))
    return serialize(row), 201


@bp.delete("/users/<id:user_id>/suspension")
def lift(user_id: int):
    actor = signed_in_user()
    user = accounts.get_user(user_id)
    reason = field(optional_json_body(), "reason", str, required=False, default="")
    suspensions.lift_suspension(actor, user, reason)
    return "", 204


def _openapi_paths() -> dict[str, Any]:
    suspension = openapi.obj({
        "id": openapi.INTEGER, "user": openapi.ref("UserSummary"), "reason": openapi.STRING, "starts_at": openapi.TIME,
        "until": openapi.TIME, "lifted_at": openapi.NULLABLE_TIME,
    })
    body = openapi.obj({"until": openapi.TIME, "reason": openapi.STRING}, ["until", "reason"])
    user_id = [openapi.path_id("user_id", "user")]
    return {"/users/{user_id}/suspension": {
        "post": openapi.operation("Suspend a user until a time, with a reason they are shown (moderator+)",
                                  (201, "The suspension", suspension), (*openapi.WRITE_ERRORS, 404),
                                  body=body, params=user_id),
        "delete": openapi.operation("Lift the user's suspension early (moderator+)", (204, "Lifted", None),
                                    (*openapi.WRITE_ERRORS, 404), params=user_id,
                                    body=openapi.obj({"reason": openapi.STRING}), body_required=False),
    }}


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add these routes to the served OpenAPI document."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
