"""The knowledge base's reading pages: /kb (the published articles, by category and tag, paged) and one
article at its stable address /kb/<id>/<slug> (/kb/<id> and a stale slug redirect there for good).

Both only read: a view is counted by the article page's beacon (knowledge.viewed, a POST), never here.
"""

from __future__ import annotations

from flask import redirect, render_template, request

from forum.core.errors import DomainError
from forum.http.auth import acting_user
from forum.knowledge import articles, contents, feedback, listing
from forum.knowledge.pages import bp
from forum.models import Article, Thread, User
from forum.services import categories, reading
from forum.services.permissions import Action, can


@bp.get("/kb")
def index():
    viewer = acting_user()
    category = listing.category_by_slug(request.args.get("category"))
    tag = (request.args.get("tag") or "").strip()[:32] or None
    cursor = request.args.get("cursor") or None
    page = listing.article_page(viewer, category_id=category.id if category else None, tag=tag, cursor=cursor)
    return render_template(
        "knowledge/index.html",
        page=page,
        category=category,
        tag=tag,
        cursor=cursor,
        categories=[listed for listed, _count in categories.list_categories()],
        in_review=listing.in_review_count() if can(viewer, Action.ARTICLE_MANAGE) else None,
    )


@bp.get("/kb/<id:article_id>")
@bp.get("/kb/<id:article_id>/<slug>")
def show(article_id: int, slug: str | None = None):
    viewer = acting_user()
    article = articles.visible_article(viewer, article_id)
    if slug != article.slug:  # one address per article: old titles' links and the bare id land here
        return redirect(articles.article_path(article), 301)
    body_html, entries = contents.table_of_contents(article.body_html)
    return render_template(
        "knowledge/show.html",
        article=article,
        body_html=body_html,
        contents=entries,
        source_thread=_source_thread(viewer, article),
        show_source_case=article.source_case_id is not None and can(viewer, Action.CASE_WORK),
        my_feedback=feedback.answer_of(viewer, article),
    )


def _source_thread(viewer: User | None, article: Article) -> Thread | None:
    """The thread the article was born from, when the viewer may still see it."""
    if article.source_thread_id is None:
        return None
    try:
        return reading.get_thread(viewer, article.source_thread_id)
    except DomainError:
        return None
