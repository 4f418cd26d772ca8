"""Server-rendered pages: thin views that parse a form, call a service, render or redirect."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.web import admin, auth, categories, errors, home, threads, users

    for module in (home, auth, categories, threads, users, admin):
        app.register_blueprint(module.bp)
    errors.init_app(app)
