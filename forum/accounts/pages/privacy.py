"""Privacy: download your data (export) and delete your account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, send_file, url_for
from flask_login import login_required
from wtforms import BooleanField, PasswordField
from wtforms.validators import Length

from forum.accounts import data_export, deletion, sign_in_guard
from forum.core.errors import Invalid
from forum.core.i18n import _, _l
from forum.core.local_time import local_time
from forum.http.auth import acting_user
from forum.http.forms import FlaskForm, show_errors
from forum.http.standing import open_while
from forum.models import User
from forum.services.permissions import Restriction

bp = Blueprint("privacy", __name__, url_prefix="/settings/privacy")

# Sections of the privacy page other than the export (account deletion) add what their part of
# templates/privacy/index.html needs here: each is called with the member and returns template variables.
PAGE_CONTEXT: list[Callable[[User], dict[str, Any]]] = []


@bp.get("")
@login_required
def index():
    """The privacy page: the export's status and link, and the other sections (deletion)."""
    user = acting_user()
    context: dict[str, Any] = {}
    for provide in PAGE_CONTEXT:
        context.update(provide(user))
    return render_template("privacy/index.html", **_export_context(user), **context)


# ---- Data export (issue 20): request, status with progress, owner-only download --------------------------------------
# Open while suspended or unconfirmed: taking one's own data out is never taking part.

REFRESH_S = 5  # while a build is pending the page reloads itself (no script needed) to show its progress


def _export_context(user: User) -> dict[str, Any]:
    export = data_export.latest_export(user)
    status = data_export.status_of(export) if export is not None else None
    return {
        "export": export, "export_status": status and status.value, "statuses": data_export.ExportStatus,
        "export_expires": export and export.expires_at and local_time(export.expires_at, user.time_zone),
        "failed_message": _(data_export.FAILED_MESSAGE),
        "refresh_s": REFRESH_S if status == data_export.ExportStatus.PENDING else None,
    }


@bp.post("/export")
@login_required
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def request_export():
    """Queue a new archive; within a day of the last one, while it can still be downloaded, that one is the answer."""
    user = acting_user()
    export = data_export.request_export(user)
    if data_export.is_recent_and_ready(export):
        flash(_("Your archive from the last 24 hours is ready below, so we did not make another one. You can ask "
                "for a new one from %(moment)s.",
                moment=local_time(data_export.next_request_at(export), user.time_zone)), "info")
    else:
        flash(_("We are putting your archive together: this page shows its progress, and we will email you "
                "when it is ready."), "success")
    return redirect(url_for("privacy.index"))


@bp.get("/export/<id:export_id>/download")
@login_required
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def download_export(export_id: int):
    """The ZIP as an attachment, to its owner only (404 to anyone else, 410 once expired)."""
    try:
        export, path = data_export.archive_for_download(acting_user(), export_id)
    except data_export.ExportNotReady as exc:
        flash(exc.detail, "info")
        return redirect(url_for("privacy.index"))
    response = send_file(path, mimetype="application/zip", as_attachment=True,
                         download_name=data_export.download_name(export), conditional=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---- end of data export -------------------------------------------------------------------------------------------


# ---- Account deletion (issue 20): schedule it, cancel it, confirm it by emailed link ---------------------------------
# Open while suspended or unconfirmed: deleting one's own account is a privacy right, never taking part.


class DeletionForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[Length(max=1024)],
                             description=_l("To make sure it is you asking."))
    remove_unanswered = BooleanField(
        _l("Also remove my questions nobody answered"),
        description=_l("Threads you started that nobody else replied to are deleted too. Everything else you "
                       "wrote stays, under the name “Former member”."))


class ConfirmDeletionForm(FlaskForm):
    """The button behind an emailed confirmation link (the CSRF token only)."""


def _deletion_context(user: User) -> dict[str, Any]:
    """What templates/privacy/_deletion.html shows: the form (with errors after a failed try) or the date."""
    due = user.deletion_scheduled_at
    return {
        "deletion_form": g.get("deletion_form") or DeletionForm(formdata=None),
        "deletion_refusal": deletion.refusal(user),
        "deletion_by_email": deletion.confirms_by_email(user),
        "deletion_due": due and local_time(due, user.time_zone),
        "deletion_grace_days": deletion.GRACE.days,
    }


PAGE_CONTEXT.append(_deletion_context)


@bp.post("/delete")
@login_required
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def schedule_deletion():
    """Schedule the deletion (password), or email a confirmation link (an account without a password).

    This browser stays signed in, so its owner can still cancel; every other session ends.
    """
    user = acting_user()
    form = DeletionForm()
    if form.validate_on_submit():
        try:
            due = deletion.start(user, form.password.data, remove_unanswered=form.remove_unanswered.data)
        except (Invalid, sign_in_guard.TooManyFailures) as exc:
            show_errors(form, exc)
            g.deletion_form = form
            return index(), exc.status
        if due is None:
            flash(_("We emailed you a link to confirm deleting your account. It works for 24 hours."), "success")
        else:
            flash(_("Your account will be deleted on %(moment)s. Signing in before then cancels it. This browser "
                    "stays signed in; every other one was signed out and your API tokens were revoked.",
                    moment=local_time(due, user.time_zone)), "success")
        return redirect(url_for("privacy.index", _anchor="delete"))
    g.deletion_form = form
    return index(), 422


@bp.post("/cancel-deletion")
@login_required
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def cancel_deletion():
    if deletion.cancel(acting_user()):
        flash(_("Your account will not be deleted."), "success")
    else:
        flash(_("Your account was not scheduled for deletion."), "info")
    return redirect(url_for("privacy.index", _anchor="delete"))


@bp.route("/delete/confirm/<token>", methods=["GET", "POST"])
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def confirm_deletion(token: str):
    """The emailed link of an account without a password: the signed token is the credential, as a reset link's is.

    Opening it changes nothing (mail scanners open links); the page's button schedules the deletion.
    """
    try:
        account, remove_unanswered = deletion.user_for_link(token)
    except Invalid as exc:
        return render_template("privacy/confirm_deletion.html", problem=exc.errors["token"][0]), 404
    form = ConfirmDeletionForm()
    if form.validate_on_submit():
        account = deletion.schedule_from_link(token)
    due = account.deletion_scheduled_at
    return render_template(
        "privacy/confirm_deletion.html", form=form, account=account, remove_unanswered=remove_unanswered,
        refusal=deletion.refusal(account), due=due and local_time(due, account.time_zone),
        grace_days=deletion.GRACE.days,
    )


# ---- end of account deletion ----------------------------------------------------------------------------------------
