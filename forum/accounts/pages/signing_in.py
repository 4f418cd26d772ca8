"""The one way a browser becomes signed in, whichever door it came through (password, second factor,
identity provider, reset link, sign-up): a fresh server-side session with a new key, the pending
deletion cancelled, and staff who still owe a second factor sent to enrol.
"""

from __future__ import annotations

from flask import flash, redirect, request, session, url_for
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from forum.accounts import members, sessions
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import User
from forum.services.permissions import needs_second_factor


def browser() -> sessions.Browser:
    return sessions.Browser(request.remote_addr, request.headers.get("User-Agent", ""))


def fresh_session() -> None:
    """Empty this browser's session at sign-in, so nothing from before (a fixated cookie) carries over,
    but keep what the page that signed in just said ("Welcome", "Your password is changed")."""
    messages = session.get("_flashes")
    session.clear()
    if messages:
        session["_flashes"] = messages


def complete_sign_in(user: User, *, remember: bool = False, next_url: str | None = None) -> Response:
    """Sign user in on this browser and send them on (to next_url, the enrolment page, or home)."""
    if current_user.is_authenticated:  # this browser's old key is replaced: it must not stay live beside the new one
        sessions.end_current(current_user._get_current_object())
    fresh_session()
    if members.cancel_scheduled_deletion(user):
        flash(_("Welcome back. Your account will not be deleted: signing in cancelled the deletion."), "info")
    if user.anonymized_at is not None:  # the deletion job erased it a moment ago: nobody signs in to it
        db.session.rollback()
        flash(_("This account was deleted."), "error")
        return redirect(url_for("auth.login"))
    sessions.start(user, browser())
    db.session.commit()
    login_user(user, remember=remember)
    if needs_second_factor(user):
        flash(_("Staff accounts need two-factor sign-in. Set it up now to use your staff tools."), "info")
        return redirect(url_for("two_factor.enrol"))
    return redirect(next_url or url_for("home.index"))
