"""/admin/articles (knowledge.staff): the knowledge base's staff page, and "Still correct — mark reviewed"
(knowledge.reviewed).

The page lists articles waiting for review, articles past their review interval, and every published
article sortable by helpfulness, views, deflections, linking threads and staleness (forum.knowledge.stats),
with the latest feedback comments and a chart of helpful against not helpful answers. Staff only
(ARTICLE_MANAGE): signed-out visitors are sent to sign in, members get 403, as on the other admin pages.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from forum.analytics import charts
from forum.core.i18n import _, _l, ngettext
from forum.http.auth import acting_user
from forum.knowledge import articles, reviews, stats
from forum.knowledge.pages import bp
from forum.models import Article
from forum.services.permissions import Action, require

SORT_LABELS = {
    "helpfulness": _l("Helpfulness"), "views": _l("Views"), "deflections": _l("Deflections"),
    "links": _l("Linking threads"), "staleness": _l("Last reviewed"),
}
# The table's caption for each sort (whole sentences: a label inside a sentence does not translate).
SORT_CAPTIONS = {
    "helpfulness": _l("Published articles, sorted by helpfulness"), "views": _l("Published articles, sorted by views"),
    "deflections": _l("Published articles, sorted by deflections"),
    "links": _l("Published articles, sorted by linking threads"),
    "staleness": _l("Published articles, sorted by last reviewed"),
}
CHART_LABEL_CHARS = 18


def _short(title: str) -> str:
    return title if len(title) <= CHART_LABEL_CHARS else title[:CHART_LABEL_CHARS - 1].rstrip() + "…"


def helpfulness_chart(top: list[Article]) -> charts.Chart:
    """Helpful and not helpful answers of the most-answered articles, side by side."""
    return charts.bar_chart(
        "kb-helpfulness", _("Did these articles help?"),
        _("Helpful and not helpful answers for the published articles with the most answers."),
        [_short(article.title) for article in top],
        [charts.Series(_("Helpful"), [article.helpful_count for article in top]),
         charts.Series(_("Not helpful"), [article.not_helpful_count for article in top])],
        charts.Axes(x_label=_("Article"), y_label=_("Answers"), whole=True),
    )


def _sort_url(table: stats.Table, sort: str) -> str:
    """The column header's link: the same column flips the order, another starts descending."""
    descending = not table.descending if sort == table.sort else True
    return url_for("knowledge.staff", sort=sort, order=None if descending else "asc")


def _page_url(table: stats.Table, page: int | None) -> str | None:
    if page is None:
        return None
    return url_for("knowledge.staff", sort=table.sort, order=None if table.descending else "asc",
                   page=page if page > 1 else None, _anchor="published-heading")


@bp.get("/admin/articles")
@login_required
def staff():
    viewer = acting_user()
    require(viewer, Action.ARTICLE_MANAGE)
    table = stats.published_table(viewer, request.args.get("sort") or stats.DEFAULT_SORT,
                                  request.args.get("order") != "asc", request.args.get("page") or 1)
    top = stats.most_answered(viewer)
    return render_template(
        "knowledge/staff.html", waiting=stats.waiting_for_review(viewer), due=stats.needs_review(viewer),
        table=table, comments=stats.recent_comments(viewer), chart=helpfulness_chart(top) if top else None,
        sort_labels=SORT_LABELS, sort_captions=SORT_CAPTIONS, sort_url=lambda sort: _sort_url(table, sort),
        next_url=_page_url(table, table.page + 1 if table.has_next else None),
        first_url=_page_url(table, 1 if table.page > 1 else None),
        interval_days=reviews.review_interval().days,
    )


@bp.post("/kb/<id:article_id>/reviewed")
@login_required
def reviewed(article_id: int):
    """"Still correct": the owner or staff confirm a published article; back to where the button was."""
    viewer = acting_user()
    article = articles.visible_article(viewer, article_id)
    reviews.mark_reviewed(viewer, article)
    flash(ngettext("Marked reviewed: “%(title)s” is next due in %(num)d day.",
                   "Marked reviewed: “%(title)s” is next due in %(num)d days.", reviews.review_interval().days,
                   title=article.title), "success")
    if request.form.get("back") == "staff":
        return redirect(url_for("knowledge.staff", _anchor="due-heading"), 303)
    return redirect(articles.article_path(article), 303)
