"""The customer's case pages and the agents' desk."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.cases.pages import customer, desk

    app.register_blueprint(customer.bp)
    app.register_blueprint(desk.bp)
