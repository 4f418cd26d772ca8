"""Moderator actions in the API (api.md v1.1): hide and unhide a post, merge and split threads.

The same services as the thread page's moderator panel (moderation.services.actions), so the
rules, the reasons the author is told and the audit entries are the same on both. Like the
pages, a caller who is not a moderator is refused (403) before any id is looked up; unknown or
invisible ids are 404, bad input 422, and a state that forbids the action 409 (merging a thread
that is already merged, or two threads that each have an open support case).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from forum.http import openapi, serializers
from forum.http.api_requests import (
    authenticate_api_request,
    field,
    id_field,
    id_list,
    json_body,
    optional_json_body,
    signed_in_user,
)
from forum.models import Thread, User
from forum.services import reading
from forum.services.permissions import Action, require
from moderation.services import actions

bp = Blueprint("moderation_api_actions", __name__, url_prefix="/api/v1")
bp.before_request(authenticate_api_request)  # tokens, read-only scope, CSRF for cookie sessions


def moderator() -> User:
    actor = signed_in_user()
    require(actor, Action.THREAD_MODERATE)
    return actor


def thread_answer(thread: Thread, caller: User) -> dict[str, Any]:
    return serializers.thread(thread, reading.question_post(thread), caller)


def reason_of(data: dict[str, Any]) -> str:
    return field(data, "reason", str, required=False, default="")


@bp.post("/posts/<id:post_id>/hide")
def hide_post(post_id: int):
    """Hide a post (a question takes its thread); the reason is required, the author is told it. Idempotent."""
    actor = moderator()
    post = reading.get_post(actor, post_id)
    actions.hide_post(actor, post, reason_of(json_body()))
    return serializers.post(post, actor)


@bp.delete("/posts/<id:post_id>/hide")
def unhide_post(post_id: int):
    """Make a hidden post visible again (its open flags are rejected); an optional reason. Idempotent."""
    actor = moderator()
    post = reading.get_post(actor, post_id)
    actions.unhide_post(actor, post, reason_of(optional_json_body()))
    return serializers.post(post, actor)


@bp.post("/threads/<id:thread_id>/merge")
def merge_thread(thread_id: int):
    """Merge the thread into target_id; answers the target, which now holds every post and follower."""
    actor = moderator()
    thread = reading.get_thread(actor, thread_id)
    data = json_body()
    target = actions.merge_threads(actor, thread, id_field(data, "target_id"), reason_of(data))
    return thread_answer(target, actor)


@bp.post("/threads/<id:thread_id>/split")
def split_thread(thread_id: int):
    """Move the chosen replies into a new thread titled title; its earliest reply becomes the question."""
    actor = moderator()
    thread = reading.get_thread(actor, thread_id)
    data = json_body()
    post_ids = id_list(data, "post_ids", max_items=actions.MAX_SPLIT) or []  # none: the service says which
    new = actions.split_thread(actor, thread, post_ids, field(data, "title", str), reason_of(data))
    return thread_answer(new, actor), 201


def _openapi_paths() -> dict[str, Any]:
    reason = {"type": "string", "maxLength": actions.MAX_REASON,
              "description": "Shown to the author and kept in the audit log."}
    post_id, thread_id = [openapi.path_id("post_id", "post")], [openapi.path_id("thread_id", "thread")]
    post, thread = (200, "The post", openapi.ref("Post")), (200, "The target thread", openapi.ref("Thread"))
    merge = openapi.obj({"target_id": openapi.INTEGER, "reason": reason}, ["target_id"])
    split = openapi.obj({"post_ids": {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 1,
                                      "maxItems": actions.MAX_SPLIT},
                         "title": {"type": "string", "minLength": 8, "maxLength": 200}, "reason": reason},
                        ["post_ids", "title"])
    return {
        "/posts/{post_id}/hide": {
            "post": openapi.operation("Hide a post; a question hides its thread (moderator+; reason required)",
                                      post, (*openapi.WRITE_ERRORS, 404), params=post_id,
                                      body=openapi.obj({"reason": reason}, ["reason"])),
            "delete": openapi.operation("Make a hidden post visible again (moderator+)", post,
                                        (*openapi.WRITE_ERRORS, 404), params=post_id,
                                        body=openapi.obj({"reason": reason}), body_required=False),
        },
        "/threads/{thread_id}/merge": {"post": openapi.operation(
            "Merge the thread into another (moderator+): posts, watchers, \"me too\"s, tags and an open case move "
            "to the target; 409 when it is already merged or both threads have an open case",
            thread, (*openapi.WRITE_ERRORS, 404, 409), params=thread_id, body=merge)},
        "/threads/{thread_id}/split": {"post": openapi.operation(
            "Move chosen replies into a new thread; the earliest becomes its question (moderator+)",
            (201, "The new thread", openapi.ref("Thread")), (*openapi.WRITE_ERRORS, 404), params=thread_id,
            body=split)},
    }


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add these routes to the served OpenAPI document."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
