"""The front page: categories with counts and the latest threads."""

from __future__ import annotations

from flask import Blueprint, render_template

from forum.http.auth import acting_user
from forum.services import listings

bp = Blueprint("home", __name__)
LATEST_THREADS = 15


@bp.get("/")
def index():
    latest = listings.latest_threads(acting_user(), LATEST_THREADS)
    return render_template("home/index.html", categories=listings.category_cards(), threads=latest)
