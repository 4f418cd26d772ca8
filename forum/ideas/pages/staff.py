"""/admin/ideas: the ideas report for staff, its CSV, and attaching the questions and cases that ask for an idea.

The page shows votes per day over the last weeks (a chart with its data table, as the other staff pages
draw them: forum.analytics.charts), ideas and votes per category, the voters by segment, and the most voted
ideas with their links, each with a form to attach a question or case and a button to remove a link.
Staff only (IDEA_REPORT to read, IDEA_MANAGE to link): signed-out visitors are sent to sign in, members get
403, as on the other admin pages; a link to an idea the caller cannot see answers 404.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask_login import login_required
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from forum.analytics import charts
from forum.core import clock
from forum.core.errors import Invalid
from forum.core.i18n import _, _l
from forum.http.auth import acting_user
from forum.http.forms import FlaskForm, errors_in_one_line
from forum.ideas import get_idea, links, report
from forum.ideas.pages import bp
from forum.services.permissions import Action, require

CHART_DAYS = 30
TOP_IDEAS = 50
SEGMENT_LABELS = {"advocates": _l("Advocates"), "customers": _l("Customers with a support case"),
                  "others": _l("Other members")}


class LinkForm(FlaskForm):
    """A question's number or a case's number (one of the two) to attach to an idea."""

    thread_id = IntegerField(_l("Question number"), validators=[Optional(), NumberRange(1, 2**31 - 1)])
    case_id = IntegerField(_l("Case number"), validators=[Optional(), NumberRange(1, 2**31 - 1)])


def votes_chart(days: list) -> charts.Chart:
    """Idea votes cast per day, oldest first."""
    return charts.line_chart(
        "idea-votes", _("Idea votes per day"),
        _("Votes members cast on ideas each day over the last %(days)d days (UTC).", days=len(days)),
        [day.strftime("%d %b") for day, _count in days],
        [charts.Series(_("Votes"), [count for _day, count in days])],
        charts.Axes(x_label=_("Day"), y_label=_("Votes"), whole=True),
    )


@bp.get("/admin/ideas")
@login_required
def report_page():
    require(acting_user(), Action.IDEA_REPORT)
    rows = report.report_rows(limit=TOP_IDEAS)
    return render_template(
        "ideas/staff_report.html", chart=votes_chart(report.votes_over_time(CHART_DAYS)),
        categories=report.by_category(), segments=report.by_segment(), segment_labels=SEGMENT_LABELS,
        rows=rows, links=links.links_for([row.idea_id for row in rows]),
    )


@bp.get("/admin/ideas.csv")
@login_required
def report_csv():
    require(acting_user(), Action.IDEA_REPORT)
    filename = f"horseshoe-ideas-{clock.now().strftime('%Y%m%dT%H%MZ')}.csv"  # digits only: safe in a header
    return Response(report.report_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.post("/admin/ideas/<id:idea_id>/links")
@login_required
def attach_link(idea_id: int):
    viewer = acting_user()
    require(viewer, Action.IDEA_MANAGE)
    idea = get_idea(viewer, idea_id)
    form = LinkForm()
    if not form.validate_on_submit():
        flash(errors_in_one_line(form), "error")
    else:
        try:
            links.attach(viewer, idea, thread_id=form.thread_id.data, case_id=form.case_id.data)
        except Invalid as exc:
            flash(errors_in_one_line(exc), "error")
        else:
            flash(_("Linked to the idea “%(title)s”.", title=idea.thread.title), "success")
    return redirect(url_for("ideas.report_page", _anchor=f"idea-{idea.thread_id}"), 303)


@bp.post("/admin/ideas/<id:idea_id>/links/<id:link_id>/delete")
@login_required
def detach_link(idea_id: int, link_id: int):
    viewer = acting_user()
    require(viewer, Action.IDEA_MANAGE)
    idea = get_idea(viewer, idea_id)
    links.detach(viewer, link_id, idea=idea)
    flash(_("The link is removed."), "success")
    return redirect(url_for("ideas.report_page", _anchor=f"idea-{idea.thread_id}"), 303)
