"""The member's signed-in browsers: list them, sign out one, sign out all others.

Ending one's own sessions stays open to suspended and unverified accounts: it is how anyone locks out a
browser that should not be signed in as them, and it takes part in nothing.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user

from forum.accounts import session_display, sessions
from forum.core.i18n import _, ngettext
from forum.http.standing import open_while
from forum.services.permissions import Restriction

bp = Blueprint("account_sessions", __name__, url_prefix="/settings/sessions")


@bp.get("")
@login_required
def index():
    user = current_user._get_current_object()
    return render_template("account_sessions/index.html", sessions=session_display.summaries(user))


@bp.post("/<id:session_id>/end")
@login_required
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def end(session_id: int):
    """Sign out one of the member's browsers (another member's session id is a 404, as if it did not exist)."""
    user = current_user._get_current_object()
    sessions.end(user, session_id)
    if session_id == user.current_session_id:
        logout_user()
        flash(_("You are signed out."), "info")
        return redirect(url_for("home.index"))
    flash(_("That browser is signed out: its next page asks it to sign in again."), "success")
    return redirect(url_for("account_sessions.index"))


@bp.post("/end-others")
@login_required
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def end_others():
    user = current_user._get_current_object()
    ended = sessions.sign_out_others(user)
    if ended:
        flash(ngettext("Signed out %(num)d other browser. This one stays signed in.",
                       "Signed out %(num)d other browsers. This one stays signed in.", ended), "success")
    else:
        flash(_("No other browser was signed in."), "info")
    return redirect(url_for("account_sessions.index"))
