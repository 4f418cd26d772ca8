"""The reading pages of the ideas board: /ideas (every idea but merged duplicates, most voted first, with
status tabs, a sort, a category filter and the member's votes left) and the public /roadmap.

Both only read, in a fixed number of statements: the page of ideas, the viewer's votes on that page (one
statement for all of them) and the budget.
"""

from __future__ import annotations

from flask import render_template, request

from forum.core.i18n import _l
from forum.http.auth import acting_user
from forum.ideas import listing, presenting, voting
from forum.ideas.pages import bp
from forum.ideas.roadmap import roadmap as roadmap_columns
from forum.models import ROADMAP_STATUSES
from forum.models.ideas import STATUS_WORDS

PER_PAGE = 20
SORTS = [("votes", _l("Most votes")), ("latest", _l("Newest"))]
STATUS_LABELS = {status: _l(words) for status, words in STATUS_WORDS.items()}  # i18n: ok (marked in models)
# The board's tabs: every idea but duplicates first, then one per status (duplicates are reached by their tab).
TABS = [(None, _l("All"))] + list(STATUS_LABELS.items())


@bp.app_template_global()
def idea_status_label(status: str) -> str:
    """A status in words, for badges on the board, the roadmap, the idea panel and the member 360 page."""
    return str(STATUS_LABELS.get(status, status))


@bp.get("/ideas")
def index():
    viewer = acting_user()
    status = request.args.get("status") if request.args.get("status") in STATUS_LABELS else None
    sort = request.args.get("sort") if request.args.get("sort") in dict(SORTS) else "votes"
    category = presenting.ideas_category(request.args.get("category"))
    tag = (request.args.get("tag") or "").strip()[:32] or None
    cursor = request.args.get("cursor") or None
    page = listing.idea_page(viewer, status=status, sort=sort, category_id=category.id if category else None,
                             tag=tag, limit=PER_PAGE, cursor=cursor)
    voted = voting.voted_idea_ids(viewer, [idea.thread_id for idea in page.items]) if viewer else set()
    categories = presenting.ideas_categories()
    return render_template(
        "ideas/index.html",
        page=page, status=status, sort=sort, category=category, tag=tag, cursor=cursor,
        tabs=TABS, sorts=SORTS, categories=categories,
        category_names={listed.id: listed.name for listed in categories},
        voted=voted, votes_left=voting.votes_left(viewer) if viewer else None,
    )


@bp.get("/roadmap")
def roadmap():
    columns = roadmap_columns(acting_user())
    return render_template("ideas/roadmap.html", columns=columns,
                           statuses=[status.value for status in ROADMAP_STATUSES])
