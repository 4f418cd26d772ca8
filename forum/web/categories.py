"""Categories pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("categories", __name__)
