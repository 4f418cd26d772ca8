"""Recognition pages: badges, leaderboards, missions; a member's ledger, privileges and advocates."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from forum.recognition.pages import recognition, reputation

    app.register_blueprint(recognition.bp)
    app.register_blueprint(reputation.bp)
