"""Sign in with the configured identity provider: send the visitor there, and sign them in when they return."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from forum.accounts import oidc, oidc_tokens
from forum.accounts.pages.auth import after_first_factor, safe_next
from forum.core import database
from forum.core.i18n import _
from forum.http.standing import open_while
from forum.mail.sending import absolute_url
from forum.services.permissions import Restriction

bp = Blueprint("oidc", __name__, url_prefix="/auth/oidc")
PENDING_KEY = "oidc_pending"


@bp.app_context_processor
def sign_in_button() -> dict[str, str | None]:
    """Templates show "Sign in with <name>" only when a provider is configured."""
    settings = current_app.config["HORSESHOE"]
    return {"oidc_provider_name": settings.oidc_name if settings.oidc_enabled else None}


def _redirect_uri() -> str:
    """Built from the configured base URL: it must equal what is registered at the provider, proxy or not."""
    return absolute_url(url_for("oidc.callback"))


def _refused(exc: oidc_tokens.SignInRefused):
    return render_template("auth/oidc_refused.html", detail=exc.detail), exc.status


@bp.post("/start")
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def start():
    """Public (anyone may start signing in); a POST with CSRF, so no other site can start it for them."""
    if oidc.provider() is None:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    try:
        url, pending = oidc.begin_sign_in(_redirect_uri(), safe_next(""))
    except oidc_tokens.SignInRefused as exc:
        return _refused(exc)
    session[PENDING_KEY] = pending.to_dict()
    return redirect(url, code=303)


@bp.get("/callback")
def callback():
    """Public: the provider sends the visitor back here; only the browser that started the sign-in gets in."""
    if oidc.provider() is None:
        abort(404)
    pending = oidc.PendingSignIn.from_dict(session.pop(PENDING_KEY, None))  # one try per start
    # A GET that writes (the nonce, the account and its link, the session, a cancelled deletion): its
    # transactions begin as writes, or SQLite could refuse them as "database is locked" under load.
    with database.writing():
        try:
            user = oidc.complete_sign_in(pending, request.args, _redirect_uri())
        except oidc_tokens.SignInRefused as exc:
            return _refused(exc)
        flash(_("Welcome, %(name)s!", name=user.name), "success")
        return after_first_factor(user, remember=False, next_url=pending.next_url or url_for("home.index"))
