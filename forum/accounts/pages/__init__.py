"""Account pages: sign up and in, the identity provider's return, API tokens and members' pictures."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.accounts.pages import auth, avatars, oidc, tokens

    app.register_blueprint(auth.bp)
    app.register_blueprint(tokens.bp)
    app.register_blueprint(oidc.bp)
    app.register_blueprint(avatars.bp)
