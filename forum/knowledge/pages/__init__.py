"""The knowledge base's pages: /kb (the index, an article, its versions and diffs, the editor) and the staff
pages. Each module here adds its routes to the one blueprint, "knowledge"."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("knowledge", __name__)


def init_app(app: Flask) -> None:
    """Every page module's routes on the blueprint, and article_path for templates (a link to an article)."""
    from forum.knowledge.articles import article_path
    from forum.knowledge.pages import (  # noqa: F401  (their routes join bp)
        articles,
        deflection,
        editing,
        feedback,
        history,
        staff,
    )

    app.add_template_global(article_path, "article_path")
    app.register_blueprint(bp)
