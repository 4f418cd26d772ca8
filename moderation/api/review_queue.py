"""GET /api/v1/moderation/queue and POST /api/v1/moderation/queue/{item_id}: the review queue for reviewers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from forum.http import openapi, serializers
from forum.http.api_requests import authenticate_api_request, field, json_body, page_params, signed_in_user
from forum.models import User
from forum.services.permissions import Action, require
from moderation.api.flags import serialize as serialize_flag
from moderation.models import ReviewItem
from moderation.services import flags, review_queue

bp = Blueprint("moderation_api_queue", __name__, url_prefix='/api/v1')
bp.before_request(authenticate_api_request)  # tokens, read-only scope, CSRF for cookie sessions


def serialize(item: ReviewItem, caller: User, item_flags: list) -> dict[str, Any]:
    post = item.post
    return {
        "id": item.id, "kind": item.kind, "reason": item.reason, "created_at": serializers.timestamp(item.created_at),
        "post": serializers.post(post, caller),
        "thread": {"id": post.thread.id, "title": post.thread.title, "slug": post.thread.slug},
        "flags": [{**serialize_flag(flag), "flagger": serializers.user_summary(flag.user)} for flag in item_flags],
        "flag_score": flags.score(post.id),
        "resolved_at": serializers.timestamp(item.resolved_at), "resolution": item.resolution, "note": item.note,
        "resolved_by": serializers.user_summary(item.resolved_by) if item.resolved_by else None,
    }


@bp.get("/moderation/queue")
def list_queue():
    caller = signed_in_user()
    limit, cursor = page_params()
    found = review_queue.list_open(caller, limit, cursor)
    by_post = flags.flags_on([item.post_id for item in found.items], caller)
    return serializers.page(found, lambda item: serialize(item, caller, by_post[item.post_id]))


@bp.post("/moderation/queue/<id:item_id>")
def resolve(item_id: int):
    caller = signed_in_user()
    require(caller, Action.MODERATION_REVIEW)  # refuse before reading the body: 403 whatever was sent
    data = json_body()
    decision = review_queue.Decision(action=field(data, "action", str),
                              note=field(data, "note", str, required=False, default=""))
    item = review_queue.resolve_item(caller, item_id, decision)
    return serialize(item, caller, flags.flags_on([item.post_id], caller)[item.post_id])


def _openapi_paths() -> dict[str, Any]:
    item = openapi.obj({
        "id": openapi.INTEGER, "kind": {"enum": ["flagged", "approval", "edit", "needs_staff"]},
        "reason": openapi.STRING, "created_at": openapi.TIME, "post": openapi.ref("Post"),
        "thread": openapi.obj({"id": openapi.INTEGER, "title": openapi.STRING, "slug": openapi.STRING}),
        "flags": {"type": "array", "items": {"type": "object"}}, "flag_score": openapi.INTEGER,
        "resolved_at": openapi.NULLABLE_TIME, "resolution": {"enum": [None, *review_queue.ACTIONS]},
        "note": openapi.STRING,
        "resolved_by": {"anyOf": [openapi.ref("UserSummary"), {"type": "null"}]},
    }, ["id", "kind", "reason", "post", "thread", "flags", "created_at"])
    listing = openapi.obj({"items": {"type": "array", "items": item}, "next_cursor": {"type": ["string", "null"]}},
                          ["items", "next_cursor"])
    body = openapi.obj({"action": {"enum": list(review_queue.ACTIONS)},
                        "note": {**openapi.STRING, "maxLength": review_queue.MAX_NOTE}}, ["action"])
    return {
        "/moderation/queue": {"get": openapi.operation(
            "Open review items, oldest first: flagged posts, posts and edits awaiting approval, and (moderators "
            "only) posts raised to staff. Moderators and advocates with 1,000 reputation.",
            (200, "Items", listing), (401, 403, 422), params=openapi.PAGE_PARAMS)},
        "/moderation/queue/{item_id}": {"post": openapi.operation(
            "Decide an item: approve (publish or unhide; flags rejected), hide, delete (reputation reversed) or "
            "dismiss (flags only; 422 for a post that is pending or hidden, which needs a decision). A decided "
            "item answers 409; items raised to staff answer 404 to advocates.",
            (200, "The decided item", item), (*openapi.WRITE_ERRORS, 404, 409), body=body,
            params=[openapi.path_id("item_id", "review item")])},
    }


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add these routes to the served OpenAPI document."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
