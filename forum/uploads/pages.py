"""/uploads/<id>/<name>: the one address of an uploaded file, and staff's removal button.

Permission comes first (forum.uploads.visibility); to everyone else the address does not exist
(404, whatever the reason). The file is served so that a browser can never run it: nosniff, a
sandboxing Content-Security-Policy, and anything but a raster image as a download. From the
filesystem store it is streamed from disk; from object storage the answer is a redirect to a
signed URL valid for minutes, so no page or cache ever holds a link that expires.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, request, send_file, url_for
from flask_login import login_required

from forum.core.errors import NotFound
from forum.http.auth import acting_user
from forum.uploads import service, visibility
from forum.uploads.storage import current_store
from forum.web.forms import ConfirmForm

bp = Blueprint("uploads", __name__)
SANDBOX = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
RASTER_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def _protect(response: Response, *, private: bool) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    # Who may see a file can change (a post is hidden): shared caches never keep it, browsers revalidate.
    response.headers["Cache-Control"] = "private, no-cache" if private else "private, no-store"
    return response


@bp.get("/uploads/<id:upload_id>/<filename>")
def show(upload_id: int, filename: str):
    upload = visibility.visible_upload(acting_user(), upload_id)
    if filename != upload.filename:
        raise NotFound("That file does not exist or is not visible to you.")
    blob, content_type = upload.sha256, upload.content_type
    if name := request.args.get("rendition"):
        rendition = upload.rendition(name)
        if rendition is None and name != service.THUMBNAIL:
            raise NotFound("That file has no such size.")
        if rendition is not None:  # a small image is its own thumbnail
            blob, content_type = rendition.sha256, rendition.content_type
    inline = content_type in RASTER_TYPES
    delivery = current_store().deliver(blob, content_type, _disposition(inline, upload.filename))
    if delivery.redirect_url:
        return _protect(redirect(delivery.redirect_url, 302), private=False)
    response = send_file(delivery.path, mimetype=content_type, as_attachment=not inline,
                         download_name=upload.filename, conditional=True, etag=blob, max_age=None)
    return _protect(response, private=True)


def _disposition(inline: bool, filename: str) -> str:
    """The Content-Disposition the object store should answer with (send_file makes its own)."""
    from_name = filename.encode("ascii", "replace").decode().replace('"', "")
    return f'{"inline" if inline else "attachment"}; filename="{from_name}"'


@bp.post("/uploads/<id:upload_id>/remove")
@login_required
def remove(upload_id: int):
    """Staff take a file down (audited); it is then served to nobody."""
    form = ConfirmForm()
    if form.validate_on_submit():
        service.remove_upload(acting_user(), upload_id, request.form.get("reason", ""))
        flash("The file was removed; it is no longer shown anywhere.", "success")
    return redirect(url_for("home.index"))
