"""/uploads/<id>/<name>: the one address of an uploaded file; the editor's upload; staff's removal button.

Permission comes first (forum.uploads.visibility); to everyone else the address does not exist
(404, whatever the reason). The file is served so that a browser can never run it: nosniff, a
sandboxing Content-Security-Policy, and anything but a raster image as a download. From the
filesystem store it is streamed from disk; from object storage the answer is a redirect to a
signed URL valid for minutes, so no page or cache ever holds a link that expires.

The editor (static/attach.js) posts a file to POST /uploads, streamed like the API's upload, and
inserts the Markdown reference it answers with. Without JavaScript the ask, reply, edit and case
message forms carry a plain file field named "attachment": attach_form_file stores that file before
the view runs and appends its reference to the body the view then saves.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, flash, redirect, request, send_file, url_for
from flask_login import login_required
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException

from forum.core.errors import DomainError, NotFound
from forum.core.i18n import N_, _
from forum.http.auth import acting_user
from forum.http.problems import problem
from forum.uploads import api, limits, linking, service, visibility
from forum.uploads.storage import current_store
from forum.web.forms import ConfirmForm

bp = Blueprint("uploads", __name__)
SANDBOX = "sandbox; default-src 'none'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"
RASTER_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
# The forms with a plain file field (no JavaScript needed): ask, reply, edit, case messages.
FORM_ENDPOINTS = {"threads.new", "threads.reply", "threads.edit_post", "cases.write", "desk.message", "knowledge.new",
                  "knowledge.edit"}
FORM_FILE_FIELD = "attachment"
api.STREAMED_ENDPOINTS.add("uploads.create")


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
        raise NotFound(_("That file does not exist or is not visible to you."))
    blob, content_type = upload.sha256, upload.content_type
    if name := request.args.get("rendition"):
        rendition = upload.rendition(name)
        if rendition is None and name != service.THUMBNAIL:
            raise NotFound(_("That file has no such size."))
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
        flash(_("The file was removed; it is no longer shown anywhere."), "success")
    return redirect(url_for("home.index"))


@bp.post("/uploads")
def create():
    """The editor's upload (CSRF token in X-CSRFToken): the stored file and the Markdown to insert, as JSON."""
    user = acting_user()
    if user is None:
        return problem(401, N_("Not signed in"), _("Sign in to attach files."))
    try:
        form = api.receive_upload_request(user)
        alt = form.fields.get("alt")
        upload = service.store_upload(user, form.file, alt)
    except DomainError as exc:
        return problem(exc.status, exc.title, exc.detail, exc.errors)
    except HTTPException as exc:  # a body past the size cap while it streams in
        return problem(exc.code or 400, exc.name, exc.description or "")
    body = {**api.upload_json(upload), "markdown": linking.markdown_reference(upload, alt)}
    return body, 201, {"Location": service.url_for_upload(upload)}


def prepare_body() -> None:
    """First of all hooks, before CSRF reads the form: stream the editor's upload; let a form carry a file."""
    if request.method != "POST":
        return
    if request.endpoint in api.STREAMED_ENDPOINTS:
        api.leave_body_to_the_view()
    elif request.endpoint in FORM_ENDPOINTS and request.mimetype == "multipart/form-data" and acting_user():
        upload_limits = limits.current_limits()  # signed out, or uploads off: the usual small form limit holds
        if upload_limits.enabled:
            request.max_content_length = upload_limits.max_bytes + api.MULTIPART_OVERHEAD


def attach_form_file() -> None:
    """After the CSRF check: store a form's plain file field and append its reference to the body.

    A file that is refused (type, size, daily count) stops the request with its clear 4xx page, before
    anything is posted. The reference stays in the body when the form is shown again (a preview, an
    error), so the file is not uploaded twice.
    """
    if request.method != "POST" or request.endpoint not in FORM_ENDPOINTS:
        return
    file = request.files.get(FORM_FILE_FIELD)
    user = acting_user()
    if file is None or not file.filename or user is None:
        return
    upload = service.store_stream(user, file.stream, file.filename, file.mimetype or "", file.filename)
    fields = request.form.copy()
    body = (fields.get("body") or "").rstrip()
    fields["body"] = f"{body}\n\n{linking.markdown_reference(upload)}" if body else linking.markdown_reference(upload)
    request.form = ImmutableMultiDict(fields)


def init_app(app: Flask) -> None:
    """prepare_body runs before every other hook (CSRF parses forms); attach_form_file after the CSRF check."""
    app.before_request_funcs.setdefault(None, []).insert(0, prepare_body)
    app.before_request(attach_form_file)
    app.add_template_global(uploads_enabled, "uploads_enabled")
    app.register_blueprint(bp)


def uploads_enabled() -> bool:
    """Whether the forms offer the attachment field (the setting uploads.enabled)."""
    return limits.current_limits().enabled
