"""POST /tokens (sign in for API clients) and DELETE /tokens/current."""

from __future__ import annotations

from typing import Any

from flask import g, request

from forum.accounts import members, sign_in_guard
from forum.core.errors import NotAuthenticated, OtpRequired
from forum.core.extensions import db
from forum.core.i18n import N_, _
from forum.http import serializers
from forum.http.api import bp
from forum.http.api_requests import field, json_body, signed_in_user
from forum.http.problems import problem
from forum.http.standing import open_while
from forum.models import User
from forum.services.permissions import Restriction, restriction

# Marked here, translated where raised.
OTP_MISSING = N_("This account uses two-factor sign-in: send `otp` too, the current six-digit code from "
                 "the authenticator app or one of the recovery codes.")
OTP_WRONG = N_("The `otp` is not right: send the current six-digit code from the app, or an unused recovery code.")


@bp.post("/tokens")
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def create_token():
    """Mint a bearer token for email + password (+ otp when the account has two-factor sign-in).

    Signing in stays open to restricted accounts (api.md): a suspended one gets a limited read-only
    token (it also reaches what a suspended account may still do: export, its own case, appeal). An
    unconfirmed one gets an ordinary token, which the standing rule keeps from writing until the address is
    confirmed, and which then simply works. Signing in also cancels a deletion the owner scheduled.
    """
    data = json_body()
    email = field(data, "email", str)
    password = field(data, "password", str)
    otp = field(data, "otp", str, required=False, default="")
    source = request.remote_addr or ""
    try:
        user = sign_in_guard.sign_in(email, password, source=source)
        if user is not None:
            _check_second_factor(user, otp, source)
    except sign_in_guard.TooManyFailures as exc:
        return problem(exc.status, exc.title, exc.detail, Retry_After=str(exc.retry_after_s))
    if user is None:
        raise NotAuthenticated(_("Email or password is not right."))
    suspended = restriction(user) is Restriction.SUSPENDED
    scope = "read" if suspended else "write"
    members.cancel_scheduled_deletion(user)
    if user.anonymized_at is not None:  # the deletion job erased it a moment ago
        db.session.rollback()
        raise NotAuthenticated(_("This account was deleted."))
    token, raw = members.new_api_token(user, name=str(data.get("name") or "api")[:64], scope=scope)
    token.limited = suspended
    db.session.commit()
    return _minted(raw, scope, user), 201


def _check_second_factor(user: User, otp: str, source: str) -> None:
    """Raise OtpRequired when the account has two-factor sign-in and otp is missing or wrong (wrong counts)."""
    if not user.two_factor_enabled:
        return
    if not otp.strip():
        raise OtpRequired(_(OTP_MISSING))
    if not sign_in_guard.check_second_factor(user, otp, source=source):
        raise OtpRequired(_(OTP_WRONG))


def _minted(token: str, scope: str, user: User) -> dict[str, Any]:
    return {"token": token, "scope": scope, "user": serializers.user(user)}


@bp.delete("/tokens/current")
@open_while(Restriction.SUSPENDED, Restriction.UNVERIFIED)
def revoke_current_token():
    """Give up the bearer token of this request: the API's "sign out", open to every account."""
    signed_in_user()
    token = g.get("api_token")
    if token is None:
        raise NotAuthenticated(_("Send the bearer token to revoke."))
    members.revoke_api_token(token)
    return "", 204
