"""POST /api/v1/threads/{id}/duplicate (api.md, issue 26 item 5): mark a question as a duplicate of another.

The same service as the thread page's "Mark as duplicate" form and the possible-duplicates page
(moderation.services.duplicates). As with merge, a caller who is not a moderator is refused (403)
before any id is looked up; threads the caller cannot see are 404, a bad target or reason 422, and a
thread already marked, merged or deleted 409. DELETE takes a mistaken mark back.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from forum.http import openapi
from forum.http.api_requests import (
    authenticate_api_request,
    id_field,
    json_body,
    optional_json_body,
)
from forum.services import reading
from moderation.api.actions import moderator, reason_of, thread_answer
from moderation.services import duplicates

bp = Blueprint("moderation_api_duplicates", __name__, url_prefix="/api/v1")
bp.before_request(authenticate_api_request)  # tokens, read-only scope, CSRF for cookie sessions


@bp.post("/threads/<id:thread_id>/duplicate")
def mark_duplicate(thread_id: int):
    """Close the thread as a duplicate of target_id; its watchers and "me too"s are added to the target."""
    actor = moderator()
    thread = reading.get_thread(actor, thread_id)
    data = json_body()
    duplicates.mark_duplicate(actor, thread, id_field(data, "target_id"), reason_of(data))
    return thread_answer(thread, actor)


@bp.delete("/threads/<id:thread_id>/duplicate")
def unmark_duplicate(thread_id: int):
    """Take back a mistaken mark: the thread reopens as it was. Idempotent."""
    actor = moderator()
    thread = reading.get_thread(actor, thread_id)
    duplicates.unmark_duplicate(actor, thread, reason_of(optional_json_body()))
    return thread_answer(thread, actor)


def _openapi_paths() -> dict[str, Any]:
    reason = {"type": "string", "maxLength": duplicates.MAX_REASON,
              "description": "Kept in the audit log and with the labelled pair."}
    thread_id = [openapi.path_id("thread_id", "thread")]
    thread = (200, "The thread, closed, with duplicate_of", openapi.ref("Thread"))
    body = openapi.obj({"target_id": {**openapi.INTEGER, "description": "The thread where it is answered."},
                        "reason": reason}, ["target_id"])
    return {"/threads/{thread_id}/duplicate": {
        "post": openapi.operation(
            "Mark the thread as a duplicate of another (moderator+): it stays, closed, with duplicate_of; its "
            "watchers and \"me too\"s are added to the target, its votes stay; the asker is told. 422 for a "
            "target that is missing, hidden, itself or itself a duplicate; 409 when already marked or merged",
            thread, (*openapi.WRITE_ERRORS, 404, 409), params=thread_id, body=body),
        "delete": openapi.operation(
            "Take back a duplicate mark made by mistake (moderator+): the thread reopens as it was", thread,
            (*openapi.WRITE_ERRORS, 404), params=thread_id, body=openapi.obj({"reason": reason}),
            body_required=False),
    }}


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add these routes to the served OpenAPI document."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
