"""The ideas board's pages: /ideas (the board), /ideas/new, the vote and status forms, /roadmap, and staff's
report (/admin/ideas). Each module
here adds its routes to the one blueprint, "ideas"; an idea's own page stays its thread page, /t/<id>/<slug>,
where forum.web.thread_page shows the idea panel."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("ideas", __name__)


def init_app(app: Flask) -> None:
    """Every page module's routes on the blueprint."""
    from forum.ideas.pages import actions, board, new, staff  # noqa: F401  (their routes join bp)

    app.register_blueprint(bp)
