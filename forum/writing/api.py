"""POST /api/v1/preview and GET/PUT/DELETE /api/v1/drafts/{key}: the editor's preview and autosave.

The site's own editor calls these with its session cookie (and the CSRF token in X-CSRFToken), as any
cookie-authenticated API write does; integrators call them with a bearer token.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.blueprints import BlueprintSetupState

from forum.http import openapi
from forum.http.api import bp
from forum.http.api_requests import field, json_body, signed_in_user
from forum.http.ratelimits import limiter
from forum.http.serializers import timestamp
from forum.models import Draft
from forum.writing import drafts, preview


def draft_json(draft: Draft) -> dict[str, Any]:
    return {"key": draft.key, "title": draft.title, "body": draft.body, "updated_at": timestamp(draft.updated_at)}


@bp.post("/preview")
@limiter.shared_limit(preview.RATE, preview.SCOPE, methods=["POST"])
def preview_markdown():
    user = signed_in_user()
    body = field(json_body(), "body", str)
    return {"body_html": preview.render_preview(user, body)}


@bp.get("/drafts/<key>")
def get_draft(key: str):
    return draft_json(drafts.get_draft(signed_in_user(), key))


@bp.put("/drafts/<key>")
def save_draft(key: str):
    user = signed_in_user()
    data = json_body()
    body = field(data, "body", str)
    title = field(data, "title", str, required=False, default="")
    return draft_json(drafts.save_draft(user, key, drafts.DraftInput(body=body, title=title)))


@bp.delete("/drafts/<key>")
def delete_draft(key: str):
    drafts.delete_draft(signed_in_user(), key)
    return Response(status=204)


def _openapi_paths() -> dict[str, Any]:
    o = openapi
    key = {"name": "key", "in": "path", "required": True, "schema": {
        "type": "string", "pattern": r"^(question|reply|edit)-[1-9][0-9]{0,9}$", "maxLength": 64},
        "description": "What the draft will become: question-<category_id> (a new question in that category), "
                       "reply-<thread_id> (a reply to that thread) or edit-<post_id> (a new version of that post)."}
    draft = o.obj({"key": o.STRING, "title": o.STRING, "body": o.STRING, "updated_at": o.TIME},
                  ["key", "title", "body", "updated_at"])
    show = o.operation("The caller's own draft under this key (404 when there is none; another member's drafts "
                       "are never found)", (200, "The draft", draft), (401, 404), params=[key])
    save = o.operation(
        "Save the caller's draft under this key (created or replaced). The key must name a category the caller "
        "may ask in, a thread they may reply to or a post they may edit; refused while suspended. Bodies are "
        f"limited as posts are ({drafts.MAX_BODY_BYTES // 1024} KB); a member keeps at most {drafts.MAX_DRAFTS} "
        "drafts, the one left alone longest giving way.",
        (200, "The saved draft", draft), (*o.WRITE_ERRORS, 404),
        body=o.obj({"body": o.STRING, "title": {**o.STRING, "maxLength": drafts.MAX_TITLE_CHARS,
                                                  "description": "Questions only; ignored otherwise."}}, ["body"]),
        params=[key], example={"body": "It started after the update...", "title": "Charged twice for my plan"},
    )
    remove = o.operation("Discard the caller's draft under this key (also when there is none)",
                         (204, "Discarded", None), (400, 401, 403, 404), params=[key])
    render = o.operation(
        "Render Markdown as a post would be rendered and sanitized; nothing is stored",
        (200, "The sanitized HTML", o.obj({"body_html": o.STRING}, ["body_html"])), (*o.WRITE_ERRORS, 429),
        body=o.obj({"body": o.STRING}, ["body"]), example={"body": "**Bold** and `code`"},
    )
    return {"/preview": {"post": render}, "/drafts/{key}": {"get": show, "put": save, "delete": remove}}


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add these routes to the served OpenAPI document."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
