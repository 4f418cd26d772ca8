"""Branding pages: /branding.css and the logo for everyone, /admin/branding for admins.

The logo form works without JavaScript: a plain multipart form streamed to disk like any upload
(forum.uploads.api), so its CSRF token is checked here before anything is stored (as the avatar form's).
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, flash, g, redirect, render_template, request, send_file, url_for
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from forum import uploads
from forum.appearance import branding
from forum.core.errors import DomainError, Invalid
from forum.core.extensions import csrf
from forum.core.i18n import _, _l
from forum.http.auth import acting_user
from forum.http.feedback import report
from forum.http.forms import FlaskForm, show_errors
from forum.services.permissions import Action, require
from forum.uploads.api import receive_upload_request
from forum.web.forms import ConfirmForm

bp = Blueprint("branding", __name__)
YEAR_S = 365 * 24 * 3600
LOGO_CACHE_S = 300  # a replaced logo gets a new address; a removed one should not linger in shared caches
LOGO_POLICY = "sandbox; default-src 'none'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"


class BrandingForm(FlaskForm):
    """The name and accent; their rules (length, a readable colour) are the settings' own (forum.appearance)."""

    site_name = StringField(_l("Community name"), validators=[DataRequired(), Length(max=60)],
                            description=_l("Shown in the header when there is no logo, and in every page's title."))
    accent = StringField(_l("Accent colour"), validators=[DataRequired(), Length(max=7)],
                         render_kw={"type": "color"},
                         description=_l("Links and buttons. It must be dark enough for white text on it."))


def page_branding() -> branding.Branding:
    """The branding every template draws with, read once a request."""
    if "branding" not in g:
        g.branding = branding.current()
    return g.branding


def stylesheet_url() -> str | None:
    """/branding.css?v=… when the accent is not the default (the default needs no extra request)."""
    current = page_branding()
    if current.accent.lower() == branding.DEFAULT_ACCENT:
        return None
    return url_for("branding.stylesheet", v=current.version)


def logo_url() -> str | None:
    current = page_branding()
    return url_for("branding.logo", upload_id=current.logo_upload_id) if current.logo_upload_id else None


@bp.get("/branding.css")
def stylesheet():
    """The accent's custom properties; kept a year when asked for by the current version."""
    current = page_branding()
    response = Response(branding.stylesheet(current), mimetype="text/css")
    fresh = request.args.get("v") == current.version
    response.headers["Cache-Control"] = f"public, max-age={YEAR_S}, immutable" if fresh else "public, max-age=60"
    return response


@bp.get("/branding/logo/<id:upload_id>")
def logo(upload_id: int):
    upload = branding.logo(upload_id)
    delivery = uploads.current_store().deliver(upload.sha256, upload.content_type, "inline")
    if delivery.redirect_url:  # object storage: its signed address expires, so the redirect is not kept
        response = redirect(delivery.redirect_url, 302)
        response.headers["Cache-Control"] = "no-store"
        return response
    response = send_file(delivery.path, mimetype=upload.content_type, conditional=True, etag=upload.sha256,
                         max_age=LOGO_CACHE_S)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = LOGO_POLICY
    response.cache_control.public = True
    return response


def _page(form: BrandingForm, status: int = 200, logo_error: str = ""):
    # formdata=None: after a streamed upload the body is gone, and a form must not try to read it again
    return render_template("admin/branding.html", form=form, branding=page_branding(),
                           remove_form=ConfirmForm(formdata=None), logo_error=logo_error, logo_url=logo_url()), status


@bp.route("/admin/branding", methods=["GET", "POST"])
def edit():
    actor = acting_user()
    require(actor, Action.SETTINGS_MANAGE)
    current = page_branding()
    form = BrandingForm(data={"site_name": current.site_name, "accent": current.accent})
    if not form.validate_on_submit():
        return _page(form, 422 if form.is_submitted() else 200)
    try:
        branding.update(actor, form.site_name.data, form.accent.data)
    except Invalid as exc:
        show_errors(form, Invalid({_field(key): messages for key, messages in exc.errors.items()}))
        return _page(form, 422)
    flash(_("Branding saved: every page shows it now."), "success")
    return redirect(url_for("branding.edit"))


def _field(setting_key: str) -> str:
    return {branding.SITE_NAME_KEY: "site_name", branding.ACCENT_KEY: "accent"}.get(setting_key, "")


@bp.post("/admin/branding/logo")
@csrf.exempt
def upload_logo():
    actor = acting_user()
    require(actor, Action.SETTINGS_MANAGE)
    if request.headers.get("X-CSRFToken") or request.mimetype != "multipart/form-data":
        csrf.protect()
    try:
        received = receive_upload_request(actor, images_only=True)
    except DomainError as exc:
        return _page(BrandingForm(formdata=None, data=_current_data()), exc.status, exc.detail)
    try:
        request.form = ImmutableMultiDict(received.fields)
        csrf.protect()
        branding.set_logo(actor, received.file)
    except DomainError as exc:
        return _page(BrandingForm(formdata=None, data=_current_data()), exc.status, exc.detail)
    finally:
        received.file.discard()
    flash(_("The logo is saved; it shows in every page's header."), "success")
    return redirect(url_for("branding.edit"))


def _current_data() -> dict:
    current = page_branding()
    return {"site_name": current.site_name, "accent": current.accent}


@bp.post("/admin/branding/logo/remove")
def remove_logo():
    actor = acting_user()
    require(actor, Action.SETTINGS_MANAGE)
    if ConfirmForm().validate_on_submit():
        report(branding.remove_logo(actor), _("The logo is removed; the site's name shows instead."),
               _("there was no logo."))
    return redirect(url_for("branding.edit"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(page_branding, "page_branding")
    app.add_template_global(stylesheet_url, "branding_stylesheet_url")
    app.add_template_global(logo_url, "branding_logo_url")
