"""Account pages: sign up and in (with the second factor and email confirmation), the identity provider's
return, API tokens, members' pictures, signed-in sessions, privacy (export and deletion), the members one
ignores (blocks) and the banner of an address whose mail bounces (email_bounces)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.accounts.pages import (
        account_sessions,
        auth,
        avatars,
        blocks,
        email_bounces,
        oidc,
        preferences,
        privacy,
        tokens,
        two_factor,
        verification,
    )

    for module in (auth, two_factor, verification, account_sessions, privacy):
        app.register_blueprint(module.bp)
    app.register_blueprint(tokens.bp)
    app.register_blueprint(oidc.bp)
    app.register_blueprint(avatars.bp)
    app.register_blueprint(blocks.bp)
    app.register_blueprint(email_bounces.bp)
    app.register_blueprint(preferences.bp)
