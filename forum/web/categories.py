"""A category's page: its newest knowledge-base articles, pinned threads, then the rest filtered, sorted and
paged by cursor."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from forum.analytics import scorecard_store
from forum.core.i18n import N_, _
from forum.http.auth import acting_user
from forum.ideas import presenting as idea_presenting
from forum.knowledge import listing as article_listing
from forum.services import listings, reading

bp = Blueprint("categories", __name__)
THREADS_PER_PAGE = 20
# The tabs above the list: (label, filter, sort); filter None means every thread. Labels are translated when
# shown (_views): a lazy string goes through Flask-Babel's whole lookup each time it is read.
VIEWS = [
    (N_("Active"), None, "active"),
    (N_("Latest"), None, "latest"),
    (N_("Unanswered"), "unanswered", "active"),
    (N_("Unsolved"), "unsolved", "active"),
    (N_("Solved"), "solved", "active"),
    (N_("Most helpful"), None, "votes"),
]


def _views() -> list[tuple[str, str | None, str]]:
    return [(_(label), view_filter, view_sort) for label, view_filter, view_sort in VIEWS]


@bp.get("/c/<slug>")
def show(slug: str):
    viewer = acting_user()
    category = listings.category_heading(viewer, slug)
    if idea_presenting.is_ideas_category(category):  # ideas live on the board, filtered to this category
        return redirect(url_for("ideas.index", category=category.slug), 302)
    chosen_filter = request.args.get("filter") or None
    sort = request.args.get("sort") or "active"
    cursor = request.args.get("cursor") or None
    # Unfiltered, pinned threads sit above page one and are left out of the paged list.
    query = reading.ThreadQuery(
        category_id=category.id, filter=chosen_filter, sort=sort, include_pinned=chosen_filter is not None
    )
    if cursor is None and chosen_filter is None:
        pinned, page = listings.category_first_page(viewer, query, THREADS_PER_PAGE)
    else:
        pinned, page = [], listings.category_threads(viewer, query, THREADS_PER_PAGE, cursor)
    return render_template(
        "categories/show.html",
        category=category,
        pinned=pinned,
        page=page,
        views=_views(),
        current=(chosen_filter, sort),
        cursor=cursor,
        follow_state=category.follow_state,
        card=scorecard_store.category_card(category.id, category.scorecard),
        articles=article_listing.category_articles(category.id),  # one statement: the few and their total
    )
