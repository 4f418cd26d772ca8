"""PUT /api/v1/me/avatar and DELETE /api/v1/me/avatar: the caller's picture.

The body is streamed to disk like any upload (forum.uploads.api), never parsed whole. Suspended
members may neither put up a picture nor take theirs down: it is part of the profile they may not
change (issue 20; forum.http.standing refuses both), and uploads are refused to them anyway
(forum.uploads.service.check_uploader).
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.blueprints import BlueprintSetupState

from forum import uploads
from forum.http import openapi, serializers
from forum.http.api import bp
from forum.http.api_requests import signed_in_user
from forum.services import notifications
from forum.uploads.api import receive_upload_request


@bp.put("/me/avatar")
def set_my_avatar():
    user = signed_in_user()
    form = receive_upload_request(user, images_only=True)
    uploads.set_avatar(user, form.file)
    return serializers.me(user, notifications.unread_count(user))


@bp.delete("/me/avatar")
def remove_my_avatar():
    uploads.remove_avatar(signed_in_user())
    return Response(status=204)


def _openapi_paths() -> dict[str, Any]:
    o = openapi
    put = o.operation(
        "Set the caller's picture from an image (PNG, JPEG, GIF, WebP): re-encoded without metadata and cropped "
        "to a centred square at 32, 64 and 128 px. 415 for anything but an image, 422 when the content does not "
        "match its name or type, 413 over the image size limit, 403 while suspended, 429 past the daily count.",
        (200, "The caller, whose avatar_url now names the picture", o.ref("Me")), (*o.WRITE_ERRORS, 429),
    )
    put["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": o.obj(
        {"file": {"type": "string", "format": "binary"}}, ["file"])}}}
    delete = o.operation("Remove the caller's picture: avatar_url falls back to the generated default",
                         (204, "Removed (also when there was none)", None), (401,))
    return {"/me/avatar": {"put": put, "delete": delete}}


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add these routes to the served OpenAPI document."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())
