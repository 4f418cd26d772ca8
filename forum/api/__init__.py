"""The HTTP API v1 (/api/v1): JSON in and out, problem+json errors, bearer or session auth."""

from __future__ import annotations

from flask import Blueprint, Flask

from forum.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app: Flask) -> None:
    from forum.api import (  # noqa: F401
        cases,
        categories,
        conditional,
        integrations,
        metrics,
        notifications,
        openapi,
        posts,
        problems,
        qa,
        recognition,
        reputation,
        requests,
        settings,
        threads,
        tokens,
        users,
        webhooks,
    )

    csrf.exempt(bp)
    app.register_blueprint(bp)
    problems.install(app)
    conditional.install(app)
