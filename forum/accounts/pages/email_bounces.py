"""The bounce banner: a member whose address stopped taking our mail is told so on every page, and may try again.

Mail to an address stops after mail.bounce_threshold bounces (forum.mail.bounces). Its owner would
otherwise never learn why notifications dried up, so every page says so until they fix the address or
press "Try again". The banner costs no query: the session lookup reads the count with the account
(forum.accounts.sessions.load).
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, url_for
from flask_login import current_user, login_required

from forum.accounts.pages.auth import safe_next
from forum.core.i18n import _
from forum.http.auth import acting_user
from forum.http.standing import open_while
from forum.mail import bounces
from forum.services.permissions import Restriction

bp = Blueprint("email_bounces", __name__)


@bp.post("/settings/email/try-again")
@login_required
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)  # about the member's own inbox, like email settings
def try_again():
    """Start counting the address's bounces afresh, so notifications and digests go to it again."""
    user = acting_user()
    if bounces.reset(user):
        flash(_("We will email %(email)s again. If its mail keeps bouncing, we will stop again.", email=user.email),
              "success")
    else:
        flash(_("Mail to %(email)s is not stopped: nothing to try again.", email=user.email), "info")
    return redirect(safe_next(url_for("notifications.settings")), 303)


@bp.app_context_processor
def bounce_banner() -> dict:
    """base.html asks mail_bounces() whether to show the banner."""
    return {"mail_bounces": stopped_mail}


def stopped_mail() -> bounces.Suppression | None:
    """The signed-in member's stopped address, from the session lookup (else one query, once a request)."""
    if not current_user.is_authenticated:
        return None
    if "mail_bounces" not in g:
        user = acting_user()
        counted = getattr(user, "mail_bounces_at_load", None)
        if counted is None:
            g.mail_bounces = bounces.suppression_of(user)
        else:
            g.mail_bounces = bounces.Suppression(user.email, counted) if counted else None
    return g.mail_bounces
