"""Analytics: the outcome metrics of domain.md, their exports and charts, the staff dashboard,
member 360 and the public scorecard.

metrics (the outcome numbers, built from metric_queries' SQL building blocks), exports (CSV), charts
(server-rendered SVG), dashboard (the staff dashboard's read models), member_360 and scorecard (with
scorecard_store: the cards the worker keeps for pages); pages (dashboard, member_360, scorecard) and api
are its routes. Read-only: nothing here changes what members wrote (the worker only stores the scorecards).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The staff dashboard, member 360 and scorecard pages, the metrics API, and the scorecard refresh job."""
    from forum import hooks
    from forum.analytics import api, pages, scorecard_store  # noqa: F401  (api: routes join the API blueprint)

    pages.init_app(app)
    hooks.register_job(scorecard_store.REFRESH_JOB, scorecard_store.refresh,
                       every_s=lambda: scorecard_store.REFRESH_EVERY_S)
