"""Recognition over the API: leaderboards, badges and a member's reputation ledger."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Import the modules, whose routes join the one API blueprint (forum.http.api)."""
    from forum.recognition.api import recognition, reputation  # noqa: F401
