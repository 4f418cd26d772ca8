"""Admin pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__)


@bp.get("/admin")
def index():
    return "TODO"
