"""The search page: highlighted results, facets with counts, did-you-mean, simple paging, and a kind switch
(threads, ideas, articles, or all of them) made of plain links, so it works without JavaScript."""

from __future__ import annotations

import bleach
from flask import Blueprint, Flask, render_template, request
from markupsafe import Markup

from forum import hooks
from forum.core.errors import Invalid
from forum.core.i18n import N_, _, ngettext
from forum.http.auth import acting_user
from forum.http.templating import status_label
from forum.http.urls import thread_path
from forum.knowledge.articles import article_path
from forum.models import Article, Thread, User
from forum.services import categories, suggestions
from search import query, service
from search import similar as similar_engine

bp = Blueprint("search", __name__)
KIND_LABELS = (("thread", N_("Threads")), ("idea", N_("Ideas")), ("article", N_("Articles")), ("all", N_("All")))


@bp.get("/search")
def results():
    raw = request.args.get("q", "")
    kind = request.args.get("kind") or "thread"
    page = request.args.get("page", "1")
    page_number = int(page) if page.isascii() and page.isdigit() else 0  # "²" is a digit int() can't read
    shown = {"q": raw, "kind": kind, "kinds": [(value, _(label)) for value, label in KIND_LABELS]}
    try:
        found = service.search(acting_user(), raw, kind=kind, page=page_number)
    except Invalid as exc:
        return render_template("search/results.html", found=None, error=exc.detail, **shown), 422
    names = {category.slug: category.name for category, _count in categories.list_categories()}
    return render_template("search/results.html", found=found, category_names=names, error=None, **shown,
                           **_next_steps(raw, found))


def _next_steps(raw: str, found: service.SearchPage) -> dict:
    """What a search that found nothing offers: asking it (the words as the title), support, popular tags."""
    if found.total or not raw.strip() or _(service.REBUILDING) in found.notices:
        return {}
    words = " ".join(query.FILTER.sub(" ", raw).replace('"', " ").split())[:200]
    return {"ask_title": words, "had_filters": bool(query.FILTER.search(raw)),
            "popular_tags": service.popular_tags(acting_user())}


def safe_highlight(html: str) -> Markup:
    """Both backends escape the text and add <mark>; re-clean to exactly that before trusting it."""
    return Markup(bleach.clean(html, tags={"mark"}, attributes={}, strip=True))  # nosec B704  # cleaned to <mark> only


def as_suggestion(item: Thread | Article) -> suggestions.Suggestion:
    """A similar thread or article as the ask page lists it (forum.services.suggestions.Suggestion)."""
    if isinstance(item, Article):
        return suggestions.Suggestion(kind="article", id=item.id, title=item.title, path=article_path(item),
                                      category_name=item.category.name, detail=_("Article"))
    replies = ngettext("%(num)d reply", "%(num)d replies", item.reply_count)
    return suggestions.Suggestion(kind="thread", id=item.id, title=item.title, path=thread_path(item),
                                  category_name=item.category.name, detail=f"{status_label(item.status)} · {replies}")


def similar_questions(viewer: User | None, title: str) -> list[suggestions.Suggestion]:
    """The ask page's provider: threads and published articles ranked together, as many as the setting
    search.similar_shown (forum.services.suggestions.shown_limit)."""
    shown = suggestions.shown_limit()
    return [as_suggestion(item) for item in similar_engine.similar(viewer, title, limit=shown)]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(safe_highlight, "search_highlight")
    # The ask page offers these before posting (without JavaScript; similar.js uses the API).
    hooks.provide_similar_questions(app, "search.similar_threads", similar_questions)
