"""Server-rendered pages: thin views that parse a form, call a service, render or redirect."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.web import (
        admin,
        auth,
        cases,
        categories,
        desk,
        errors,
        follows,
        home,
        notifications,
        qa,
        recognition,
        reputation,
        tags,
        threads,
        users,
    )

    for module in (home, auth, categories, tags, threads, qa, follows, notifications, users, admin):
        app.register_blueprint(module.bp)
    app.register_blueprint(recognition.bp)
    app.register_blueprint(reputation.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(desk.bp)
    errors.init_app(app)
