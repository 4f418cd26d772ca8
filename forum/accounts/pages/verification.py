"""Confirming the email address: the emailed link, and asking for a new one.

The link opens a page with a button, and only pressing it (a POST) confirms. Mail scanners and
link previews fetch every link in an email; if a GET confirmed, an address someone else typed in
at sign-up would be confirmed without its owner ever acting, and a GET would write (reads never
write: tests/test_reads_never_write.py). The link itself is the proof, so confirming needs no
sign-in: people often open it on another device than the one they signed up on.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.accounts import verification
from forum.accounts.pages.auth import safe_next
from forum.core.errors import Invalid
from forum.core.i18n import _
from forum.http.auth import acting_user
from forum.http.standing import open_while
from forum.services.permissions import Restriction, restriction

bp = Blueprint("verification", __name__, url_prefix="/auth/verify")


@bp.route("/<token>", methods=["GET", "POST"])
@open_while(Restriction.UNVERIFIED, Restriction.SUSPENDED)  # confirming an address is not taking part
def confirm(token: str):
    """GET shows whose address the link confirms and a button; the button's POST confirms it."""
    try:
        user = verification.confirm(token) if request.method == "POST" else verification.user_for_token(token)
    except Invalid as exc:
        return render_template("auth/verify_email.html", problem=exc.detail), exc.status
    if request.method == "GET":
        return render_template("auth/verify_email.html", account=user)
    flash(_("Thank you: %(email)s is confirmed. You can now post, reply and vote.", email=user.email), "success")
    if current_user.is_authenticated:
        return redirect(url_for("home.index"), 303)
    flash(_("Sign in to take part."), "info")
    return redirect(url_for("auth.login"), 303)


@bp.post("/resend")
@login_required
@open_while(Restriction.UNVERIFIED)
def resend():
    """Email a new link (a minute apart, five a day), then go back to the page the button was on."""
    user = acting_user()
    try:
        verification.resend(user)
    except verification.AlreadyConfirmed as exc:
        flash(exc.detail, "info")
    except verification.TooSoon as exc:
        flash(exc.detail, "error")
    else:
        flash(_("A new link is on its way to %(email)s. It expires in 24 hours.", email=user.email), "success")
    return redirect(safe_next(url_for("home.index")), 303)


@bp.app_context_processor
def confirmation_banner() -> dict:
    """base.html asks email_confirmation_pending() to show the "confirm your address" banner."""
    return {"email_confirmation_pending": _pending}


def _pending() -> bool:
    return current_user.is_authenticated and restriction(current_user) is Restriction.UNVERIFIED
