"""Threads pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("threads", __name__)


@bp.get("/ask")
def new():
    return "TODO"
