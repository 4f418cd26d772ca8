"""Server-rendered pages: thin views that parse a form, call a service, render or redirect."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.web import (
        admin,
        auth,
        categories,
        errors,
        follows,
        home,
        notifications,
        qa,
        tags,
        threads,
        users,
    )

    for module in (home, auth, categories, tags, threads, qa, follows, notifications, users, admin):
        app.register_blueprint(module.bp)
    errors.init_app(app)
