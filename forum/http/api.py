"""The /api/v1 blueprint that every package's API routes join.

One blueprint, so every API endpoint is named "api.<view>": rate limits, the conditional-GET
hook and the tests key on those names, whichever package a route lives in.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
