"""The knowledge base's pages: /kb (the index, an article, its versions and diffs, the editor) and the staff
pages. Each module here adds its routes to the one blueprint, "knowledge"."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("knowledge", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
