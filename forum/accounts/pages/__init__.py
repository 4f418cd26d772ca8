"""Account pages: sign up and in (with the second factor and email confirmation), the identity provider's
return, API tokens, members' pictures, signed-in sessions, privacy (export and deletion) and the members one
ignores (blocks)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.accounts.pages import (
        account_sessions,
        auth,
        avatars,
        blocks,
        oidc,
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
