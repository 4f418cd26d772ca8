"""The front page: categories with counts and the latest threads."""

from __future__ import annotations

from flask import Blueprint, render_template

from forum.http.auth import acting_user
from forum.services import categories, reading

bp = Blueprint("home", __name__)
LATEST_THREADS = 15


@bp.get("/")
def index():
    latest = reading.list_threads(acting_user(), reading.ThreadQuery(sort="active"), limit=LATEST_THREADS)
    return render_template("home/index.html", categories=categories.list_categories(), threads=latest.items)
