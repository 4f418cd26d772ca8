"""The community's pages: thin views that parse a form, call a service, render or redirect.

The domain packages (accounts, cases, recognition, incidents, analytics, integrations) register
their own pages from their init_app; the error pages for every front end come from forum.http.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.http import errors
    from forum.web import admin, categories, feeds, follows, home, notifications, qa, tags, thread_rows, threads, users

    for module in (home, categories, tags, threads, qa, follows, notifications, users, admin, feeds):
        app.register_blueprint(module.bp)
    thread_rows.init_app(app)
    errors.init_app(app)
