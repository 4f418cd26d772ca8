"""Members' pictures: the addresses that serve them, and the profile page's upload and remove buttons.

Both addresses need only what avatar_url put in them, so pages never query for pictures; both are
public (an avatar is shown to everyone beside the member's name). An uploaded square is served like
any upload (nosniff, a sandboxing CSP); the generated default is our own SVG, drawn from escaped
initials, served with a policy that lets it run nothing.

The upload form works without JavaScript: a plain multipart form whose body is streamed to disk like
any upload (forum.uploads.api), so its CSRF token is checked here, from the X-CSRFToken header or the
form's own csrf_token field, before anything is stored.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required
from werkzeug.datastructures import ImmutableMultiDict

from forum import uploads
from forum.core.errors import DomainError
from forum.core.extensions import csrf
from forum.core.i18n import _
from forum.http.auth import acting_user
from forum.http.feedback import report
from forum.models import User
from forum.uploads import avatars
from forum.uploads.api import receive_upload_request
from forum.web.forms import ConfirmForm, ProfileForm

bp = Blueprint("avatars", __name__)
PICTURE_POLICY = "sandbox; default-src 'none'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"
# the SVG has no script, style sheet or link; none would run
DRAWING_POLICY = "sandbox; default-src 'none'; object-src 'none'; frame-ancestors 'none'"
CACHE_FOR_S = 86400  # the generated picture: its ?v= changes with it
# An uploaded square may be taken down by staff: shared caches keep it minutes, not a day (ETag revalidates).
PICTURE_CACHE_S = 300


def _public(response: Response, policy: str, max_age: int = CACHE_FOR_S) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = policy
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-store"
    return response


@bp.app_template_global("avatar_url")
def avatar_url(user: User, size: int = avatars.DEFAULT_SIZE) -> str:
    return avatars.avatar_url(user, size)


@bp.get("/avatars/<id:user_id>/<id:upload_id>/<int:size>")
def picture(user_id: int, upload_id: int, size: int):
    """One square of an uploaded picture; an address whose picture was replaced leads to the current one."""
    square, elsewhere = avatars.current_square(user_id, upload_id, size)
    if square is None:
        return _public(redirect(elsewhere, 302), PICTURE_POLICY, max_age=0)
    delivery = uploads.current_store().deliver(square.sha256, square.content_type, "inline")
    if delivery.redirect_url:  # object storage: the signed URL expires, so the redirect is not kept
        return _public(redirect(delivery.redirect_url, 302), PICTURE_POLICY, max_age=0)
    response = send_file(delivery.path, mimetype=square.content_type, conditional=True, etag=square.sha256,
                         max_age=None)
    return _public(response, PICTURE_POLICY, max_age=PICTURE_CACHE_S)


@bp.get("/avatars/default/<id:user_id>.svg")
def default_picture(user_id: int):
    """The generated picture (the ?v= in its address changes with it, so it may be cached)."""
    svg = avatars.default_svg(avatars.user_for_avatar(user_id))
    return _public(Response(svg, mimetype="image/svg+xml"), DRAWING_POLICY)


def _check_csrf(fields: dict[str, str] | None = None) -> None:
    """The token from the header or the streamed form's field (the body was left unparsed for streaming)."""
    request.form = ImmutableMultiDict(fields or {})
    csrf.protect()


def _profile_page(user: User, error: DomainError):
    """The profile page again, the refusal beside the picture field, answered with the refusal's status."""
    form = ProfileForm(formdata=None, data={"display_name": user.display_name, "bio": user.bio,
                                             "time_zone": user.time_zone})
    message = "; ".join(m for messages in (error.errors or {}).values() for m in messages) or error.detail
    return render_template("users/edit.html", form=form, avatar_error=message), error.status


@bp.post("/settings/profile/avatar")
@csrf.exempt
@login_required
def upload():
    user = acting_user()
    if request.headers.get("X-CSRFToken") or request.mimetype != "multipart/form-data":
        _check_csrf()
    try:
        form = receive_upload_request(user, images_only=True)
    except DomainError as exc:
        return _profile_page(user, exc)
    try:
        _check_csrf(form.fields)
        uploads.set_avatar(user, form.file)
    except DomainError as exc:
        return _profile_page(user, exc)
    finally:
        form.file.discard()
    flash(_("Your picture is saved; it shows beside your name everywhere."), "success")
    return redirect(url_for("users.edit"))


@bp.post("/settings/profile/avatar/remove")
@login_required
def remove():
    user = acting_user()
    if ConfirmForm().validate_on_submit():
        had = user.avatar_upload_id is not None
        uploads.remove_avatar(user)
        report(had, _("Your picture is removed; your initials show instead."), _("you had no picture."))
    return redirect(url_for("users.edit"))
