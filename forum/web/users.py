"""Users pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("users", __name__)


@bp.get("/u/<username>")
def show(username: str):
    return "TODO"
