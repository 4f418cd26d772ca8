"""GET /api/v1/moderation/audit: the audit log for moderators, filtered and cursor-paginated."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask.blueprints import BlueprintSetupState

from forum.core.errors import ErrorCollector
from forum.core.i18n import _
from forum.http import openapi
from forum.http.api_requests import authenticate_api_request, page_params, viewer
from forum.http.routing import MAX_ID
from forum.http.serializers import page, timestamp, user_summary
from forum.models import AuditEntry
from moderation.services import audit_reader

bp = Blueprint("moderation_api_audit", __name__, url_prefix='/api/v1')
bp.before_request(authenticate_api_request)  # tokens, read-only scope, CSRF for cookie sessions


def serialize(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id, "actor": user_summary(entry.actor) if entry.actor else None, "action": entry.action,
        "target_type": entry.target_type, "target_id": entry.target_id, "reason": entry.reason,
        "created_at": timestamp(entry.created_at),
        "before": audit_reader.state(entry.before_json), "after": audit_reader.state(entry.after_json),
    }


def _target_id(raw: str | None, errors: ErrorCollector) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        errors.add("target_id", _("Use a positive whole number."))
        return None
    return int(raw)


def _criteria() -> audit_reader.AuditFilter:
    args, errors = request.args, ErrorCollector()
    criteria = audit_reader.AuditFilter(
        actor=args.get("actor", "")[:32], action=args.get("action", "")[:64],
        target_type=args.get("target_type", "")[:32], target_id=_target_id(args.get("target_id"), errors),
        since=audit_reader.parse_day(args.get("since"), "since", errors),
        until=audit_reader.parse_day(args.get("until"), "until", errors),
    )
    errors.raise_if_any()
    return criteria


@bp.get("/moderation/audit")
def list_audit():
    caller = viewer()
    criteria = _criteria()
    limit, cursor = page_params()
    return page(audit_reader.list_entries(caller, criteria, limit, cursor), serialize)


def _openapi_paths() -> dict[str, Any]:
    entry = openapi.obj({
        "id": openapi.INTEGER, "actor": {"oneOf": [openapi.ref("UserSummary"), {"type": "null"}]},
        "action": openapi.STRING, "target_type": openapi.STRING, "target_id": openapi.INTEGER, "reason": openapi.STRING,
        "created_at": openapi.TIME, "before": {"type": "object"}, "after": {"type": "object"},
    })
    listing = openapi.obj({"items": {"type": "array", "items": entry}, "next_cursor": {"type": ["string", "null"]}},
                          ["items", "next_cursor"])
    day = {"type": "string", "format": "date"}
    params = [
        openapi.query("actor", "Only actions by this username.", openapi.STRING),
        openapi.query("action", "Only this action, e.g. user.suspend.", openapi.STRING),
        openapi.query("target_type", "Only targets of this type, e.g. user, post, category.", openapi.STRING),
        openapi.query("target_id", "Only this target id.", openapi.INTEGER),
        openapi.query("since", "From this day (UTC, inclusive).", day),
        openapi.query("until", "Up to this day (UTC, inclusive).", day),
        *openapi.PAGE_PARAMS,
    ]
    return {"/moderation/audit": {"get": openapi.operation(
        "The audit log of moderator and admin actions, newest first (moderator+)",
        (200, "Entries", listing), (401, 403, 422), params=params)}}


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add this route to the served OpenAPI document."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
