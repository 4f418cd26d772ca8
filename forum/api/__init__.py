"""The community's API v1 routes (/api/v1): JSON in and out, problem+json errors, bearer or session auth.

Every package adds its routes to the one blueprint in forum.http.api; this registers it once
they all have, with the problem+json and conditional-GET handlers around every route.
"""

from __future__ import annotations

from flask import Flask

from forum.core.extensions import csrf
from forum.http.api import bp


def init_app(app: Flask) -> None:
    from forum.api import categories, notifications, posts, qa, settings, threads  # noqa: F401  (routes)
    from forum.http import api_requests, conditional, openapi, problems  # noqa: F401  (request hooks, openapi.json)

    csrf.exempt(bp)
    app.register_blueprint(bp)
    problems.install(app)
    conditional.install(app)
