"""POST /api/v1/uploads and DELETE /api/v1/uploads/{id}, and the streamed reading of an upload request.

An upload's body is never parsed the way forms are (whole, before the view runs): the endpoints in
STREAMED_ENDPOINTS leave it to receive_upload_request, which refuses an announced Content-Length
over the limit before reading a byte, then streams the file part to disk counting bytes as they
come (forum.uploads.receiving). Cookie-authenticated callers send their CSRF token in the
X-CSRFToken header, as every cookie-authenticated API write does.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from flask.blueprints import BlueprintSetupState
from werkzeug.datastructures import ImmutableMultiDict

from forum.core.errors import Invalid
from forum.core.i18n import _
from forum.http import openapi
from forum.http.api import bp
from forum.http.api_requests import UnsupportedMediaType, optional_json_body, signed_in_user
from forum.models import Upload, User
from forum.uploads import limits, receiving, service
from forum.uploads.filetypes import TooLarge

# Endpoints whose body receive_upload_request reads as a stream (the editor's web endpoint joins them).
STREAMED_ENDPOINTS = {"api.create_upload", "api.set_my_avatar", "avatars.upload"}  # avatars: forum.accounts
MULTIPART_OVERHEAD = 64 * 1024  # part headers, boundaries and the small fields around the file

MAX_BOUNDARY = 200


def leave_body_to_the_view() -> None:
    """Before any hook touches request.form (CSRF does): no form parsing, and room for an upload's size."""
    if request.endpoint in STREAMED_ENDPOINTS:
        request.form = ImmutableMultiDict()
        request.files = ImmutableMultiDict()
        request.max_content_length = limits.current_limits().max_bytes + MULTIPART_OVERHEAD


def receive_upload_request(user: User, *, images_only: bool = False) -> receiving.ReceivedForm:
    """The multipart body's file (on disk) and fields; 413 before reading when it announces too much."""
    service.check_uploader(user)
    boundary = request.mimetype_params.get("boundary", "")
    # RFC 2046 says 1-70 characters, but Werkzeug's own client sends up to ~75: only length and ASCII matter here
    if request.mimetype != "multipart/form-data" or not (0 < len(boundary) <= MAX_BOUNDARY and boundary.isascii()):
        raise UnsupportedMediaType(_("Send the file as multipart/form-data (with an ASCII boundary), in a part "
                                     "named \"file\"."))
    upload_limits = limits.current_limits()
    if (request.content_length or 0) > upload_limits.max_bytes + MULTIPART_OVERHEAD:
        most = format(upload_limits.max_bytes / limits.MB, "g")
        raise TooLarge(_("The body is larger than the largest upload allowed (%(most)s MB).", most=most))
    form = receiving.receive_multipart(
        request.stream, boundary.encode("ascii"),
        max_file_bytes=upload_limits.max_bytes, workdir=service.incoming_dir(),
    )
    if form.file is None:
        raise Invalid({"file": [_("Choose a file to upload (a part named \"file\").")]})
    return form


def upload_json(upload: Upload) -> dict[str, Any]:
    return {
        "id": upload.id, "url": service.url_for_upload(upload), "filename": upload.filename,
        "content_type": upload.content_type, "size": upload.size, "width": upload.width, "height": upload.height,
        "sha256": upload.sha256,
    }


@bp.post("/uploads")
def create_upload():
    user = signed_in_user()
    form = receive_upload_request(user)
    upload = service.store_upload(user, form.file, form.fields.get("alt", ""))
    return upload_json(upload), 201, {"Location": service.url_for_upload(upload)}


@bp.delete("/uploads/<id:upload_id>")
def delete_upload(upload_id: int):
    user = signed_in_user()
    reason = optional_json_body().get("reason") or ""
    if not isinstance(reason, str):
        raise Invalid({"reason": [_("The reason is a string.")]})
    service.remove_upload(user, upload_id, reason)
    return Response(status=204)


def _openapi_paths() -> dict[str, Any]:
    o = openapi
    upload = o.obj(
        {"id": o.INTEGER, "url": {**o.STRING, "description": "The stable /uploads/{id}/{name} address to reference."},
         "filename": o.STRING, "content_type": o.STRING, "size": o.INTEGER,
         "width": {"type": ["integer", "null"]}, "height": {"type": ["integer", "null"]},
         "sha256": {**o.STRING, "description": "SHA-256 of the stored (for images: re-encoded) bytes."}},
        ["id", "url", "filename", "content_type", "size", "width", "height", "sha256"],
    )
    create = o.operation(
        "Upload an image (PNG, JPEG, GIF, WebP: re-encoded without metadata) or a file of an allowed type. The "
        "type is decided by the content: 415 for a type not allowed (HTML and SVG never), 422 when the content "
        "does not match the file's name or declared type, 413 over the size limit, 429 past the daily count.",
        (201, "The stored upload", upload), (*o.WRITE_ERRORS, 429),
    )
    create["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": o.obj(
        {"file": {"type": "string", "format": "binary"},
         "alt": {"type": "string", "maxLength": service.MAX_ALT, "description": "Alt text for an image."}},
        ["file"])}}}
    remove = o.operation("Remove an upload (staff; audited): it is served to nobody afterwards",
                         (204, "Removed", None), (*o.WRITE_ERRORS, 404),
                         body=o.obj({"reason": o.STRING}), body_required=False,
                         params=[o.path_id("upload_id", "upload")])
    return {"/uploads": {"post": create}, "/uploads/{upload_id}": {"delete": remove}}


@bp.record_once
def _document(state: BlueprintSetupState) -> None:
    """Add these routes to the served OpenAPI document."""
    state.app.extensions.setdefault("openapi_paths", {}).update(_openapi_paths())


def init_app(app: Flask) -> None:
    """The routes join the API blueprint on import; the body hook runs before the blueprint's CSRF check."""
    app.before_request(leave_body_to_the_view)
