"""Who is calling: session cookies (Flask-Login) for pages, bearer tokens for the API."""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import AnonymousUserMixin, current_user

from forum import accounts
from forum.core.extensions import login_manager
from forum.core.i18n import N_, _
from forum.models import User


class Anonymous(AnonymousUserMixin):
    """The signed-out visitor; has the attributes templates and rules read."""

    id = None
    role = None
    is_staff = False
    reputation = 0


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Please sign in to continue.")
    login_manager.localize_callback = _  # flashed in the visitor's language (the session keeps plain text)
    login_manager.login_message_category = "info"
    login_manager.anonymous_user = Anonymous
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        return accounts.load_session_user(session_id)

    @app.before_request
    def authenticate_bearer_token() -> None:
        """On the API a bearer token, when sent, decides who calls: a cookie beside it is ignored.

        So a bad token is always a 401 and a read-only token stays read-only, even in a
        browser that also holds a session.
        """
        if not request.path.startswith("/api/") or not is_token_request():
            return
        found = accounts.user_for_api_token(request.headers["Authorization"][7:].strip())
        g._login_user = found[0] if found else Anonymous()  # Flask-Login's per-request user slot
        g.api_token = found[1] if found else None


def acting_user() -> User | None:
    """The signed-in user, or None for anonymous visitors (what services expect).

    The User itself, not Flask-Login's current_user proxy: every attribute read through the proxy
    looks the user up again, and a thread page reads the viewer's attributes a few hundred times.
    """
    user = current_user._get_current_object()
    return user if user.is_authenticated else None


def is_token_request() -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")
