"""Analytics: the outcome metrics of domain.md, their exports and charts, the staff dashboard,
member 360 and the public scorecard.

metrics (the outcome numbers, built from metric_queries' SQL building blocks), exports (CSV), charts
(server-rendered SVG), dashboard (the staff dashboard's read models), member_360 and scorecard; pages
(dashboard, member_360, scorecard) and api are its routes. Read-only: nothing here changes what members see.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The staff dashboard, member 360 and scorecard pages, and the metrics API."""
    from forum.analytics import api, pages  # noqa: F401  (api: routes join the API blueprint)

    pages.init_app(app)
