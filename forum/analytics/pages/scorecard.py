"""/scorecard: the public figures beside their targets, per category and for the whole community, for everyone."""

from __future__ import annotations

from flask import Blueprint, render_template

from forum.analytics import scorecard_store

bp = Blueprint("scorecard", __name__)


@bp.get("/scorecard")
def index():
    """Public on purpose (no permission to check): the scorecard shows everyone how the community is doing."""
    community, categories = scorecard_store.all_cards()
    return render_template("scorecard/index.html", community=community, categories=categories)
