"""Server-rendered pages: thin views that parse a form, call a service, render or redirect."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.web import (
        admin,
        analytics,
        auth,
        cases,
        categories,
        desk,
        errors,
        feeds,
        follows,
        home,
        incidents,
        integrations,
        member_360,
        notifications,
        oidc,
        qa,
        recognition,
        reputation,
        scorecard,
        tags,
        threads,
        tokens,
        users,
    )

    for module in (home, auth, categories, tags, threads, qa, follows, notifications, users, admin):
        app.register_blueprint(module.bp)
    app.register_blueprint(recognition.bp)
    app.register_blueprint(reputation.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(desk.bp)
    app.register_blueprint(incidents.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(analytics.bp)
    app.register_blueprint(scorecard.bp)
    app.register_blueprint(member_360.bp)
    app.register_blueprint(integrations.bp)
    app.register_blueprint(tokens.bp)
    app.register_blueprint(oidc.bp)
    errors.init_app(app)
