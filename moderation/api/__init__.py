"""Moderation routes of the HTTP API v1 (api.md), thin JSON views over moderation.services."""

from __future__ import annotations

from flask import Flask

from forum.core.extensions import csrf


def init_app(app: Flask) -> None:
    from moderation.api import actions, audit, duplicates, flags, review_queue, suspensions

    for module in (flags, review_queue, suspensions, audit, actions, duplicates):
        csrf.exempt(module.bp)  # authenticate_api_request demands CSRF for cookie sessions itself
        app.register_blueprint(module.bp)
