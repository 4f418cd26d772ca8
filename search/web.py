"""The search page: highlighted results, facets with counts, did-you-mean, simple paging."""

from __future__ import annotations

import bleach
from flask import Blueprint, Flask, render_template, request
from markupsafe import Markup

from forum import hooks
from forum.core.errors import Invalid
from forum.http.auth import acting_user
from forum.services import categories
from search import query, service

bp = Blueprint("search", __name__)


@bp.get("/search")
def results():
    raw = request.args.get("q", "")
    page = request.args.get("page", "1")
    page_number = int(page) if page.isascii() and page.isdigit() else 0  # "²" is a digit int() can't read
    try:
        found = service.search_threads(acting_user(), raw, page=page_number)
    except Invalid as exc:
        return render_template("search/results.html", q=raw, found=None, error=exc.detail), 422
    names = {category.slug: category.name for category, _count in categories.list_categories()}
    return render_template("search/results.html", q=raw, found=found, category_names=names, error=None,
                           **_next_steps(raw, found))


def _next_steps(raw: str, found: service.SearchPage) -> dict:
    """What a search that found nothing offers: asking it (the words as the title), support, popular tags."""
    if found.total or not raw.strip() or service.REBUILDING in found.notices:
        return {}
    words = " ".join(query.FILTER.sub(" ", raw).replace('"', " ").split())[:200]
    return {"ask_title": words, "had_filters": bool(query.FILTER.search(raw)),
            "popular_tags": service.popular_tags(acting_user())}


def safe_highlight(html: str) -> Markup:
    """Both backends escape the text and add <mark>; re-clean to exactly that before trusting it."""
    return Markup(bleach.clean(html, tags={"mark"}, attributes={}, strip=True))  # nosec B704  # cleaned to <mark> only


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(safe_highlight, "search_highlight")
    # The ask page offers these before posting (without JavaScript; similar.js uses the API).
    hooks.provide_similar_questions(app, "search.similar_threads", service.similar_threads)
