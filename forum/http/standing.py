"""One rule for every web and API route: a restricted account (suspended, or email not yet verified)
may read, but every write is refused here unless the route is one its restriction leaves open.

The permission rules (forum.services.permissions) already say no to each action; this guard makes
sure a route that forgot to ask, or one added later, cannot write for a restricted account either.
Routes opt in with @open_while(...), naming the restrictions under which they stay usable: signing
out, exporting one's data, appealing, a customer's own case, confirming the email, and so on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, request
from flask_login import current_user

from forum.core.errors import AccountSuspended, EmailNotVerified, Forbidden
from forum.core.i18n import _
from forum.models import User
from forum.services.permissions import Restriction, restriction

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
View = TypeVar("View", bound=Callable)


def open_while(*restrictions: Restriction) -> Callable[[View], View]:
    """Mark a view as usable by accounts under these restrictions (its own rules still apply).

    Marks add up, so two decorators on one view (say SUSPENDED and UNVERIFIED) open it to both.
    """

    def mark(view: View) -> View:
        view.open_while = getattr(view, "open_while", frozenset()) | frozenset(restrictions)  # type: ignore[attr-defined]
        return view

    return mark


def _open_restrictions(endpoint: str | None) -> frozenset[Restriction]:
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "open_while", frozenset())


def refusal(user: User | None) -> Forbidden | None:
    """The error a write by this account gets, or None when its standing allows writing.

    Also for the few open routes that still refuse part of a request (PATCH /me takes email
    preferences from a suspended account, never its public profile), so the answer is the same.
    """
    why = restriction(user)
    if why is Restriction.SUSPENDED:
        until = user.suspended_until.strftime("%Y-%m-%d %H:%M UTC")
        return AccountSuspended(_(
            "Your account is suspended until %(until)s, so you can read but not take part. "
            "You can still sign out, download your data, appeal, and write to your own support case.", until=until
        ))
    if why is Restriction.UNVERIFIED:
        return EmailNotVerified(_(
            "Please confirm your email address first: follow the link we sent to %(email)s. "
            "Until then you can read and edit your profile.", email=user.email
        ))
    return None


def open_to_caller(endpoint: str | None) -> bool:
    """Whether the signed-in caller is restricted and this route stays open under that restriction.

    A suspended account's API token is read-only (api.md), yet what a suspended account may still do
    (export its data, write to its own case) must work through it too.
    """
    why = restriction(current_user) if current_user.is_authenticated else None
    return why is not None and why in _open_restrictions(endpoint)


def refuse_restricted_writes() -> None:
    """Before every request: a restricted account's write reaches only the routes open to it."""
    if request.method in SAFE_METHODS or not current_user.is_authenticated:
        return
    why = restriction(current_user)
    if why is None or why in _open_restrictions(request.endpoint):
        return
    raise refusal(current_user)


def init_app(app: Flask) -> None:
    """Registered after authentication (forum.http.auth), so a bearer token's user is the one judged."""
    app.before_request(refuse_restricted_writes)
