"""Analytics pages: the staff outcome dashboard, member 360 and the public scorecard."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.analytics.pages import dashboard, member_360, scorecard

    app.register_blueprint(dashboard.bp)
    app.register_blueprint(scorecard.bp)
    app.register_blueprint(member_360.bp)
