"""/staff/analytics: the outcome dashboard (every domain metric against the previous period) and its CSVs.

Agents and admins only (Action.ANALYTICS_VIEW): anonymous visitors are sent to sign in, everyone
else gets a 403. The period comes from a GET form, so a dashboard is a link to share; a bad date
or an unknown category re-shows the page with the error beside its field (422), never a 500.
The figures come from forum.analytics.metrics and .analytics; this module only words them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_login import login_required
from wtforms import SelectField, StringField
from wtforms.widgets import DateInput

from forum.analytics import charts as svg_charts
from forum.analytics import dashboard as analytics
from forum.analytics import exports, metrics
from forum.analytics.metric_queries import Period
from forum.analytics.metrics import Summary
from forum.cases import ratings as case_ratings
from forum.core import clock
from forum.core.errors import Invalid
from forum.core.i18n import N_, _, _l, format_date, format_datetime, format_decimal, ngettext
from forum.http.auth import acting_user
from forum.http.forms import FlaskForm, show_errors
from forum.http.security import query_is_a_form
from forum.services.permissions import Action, require

bp = Blueprint("analytics", __name__)
PRESET_DAYS = (7, 30, 90)
HIGHER, LOWER, EITHER = "higher", "lower", "either"  # which way a metric is better
DURATION_STEPS = (60, 300, 900, 1800, 3600, 7200, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400,
                  30 * 86400)


class PeriodForm(FlaskForm):
    """The dashboard's period and category: a GET form (no CSRF), read by metrics.parse_period."""

    class Meta:
        csrf = False

    start = StringField(_l("From"), name="from", widget=DateInput(), description=_l("First day (UTC)."))
    to = StringField(_l("To"), widget=DateInput(), description=_l("Last day, included."))
    category = SelectField(_l("Category"), choices=[], validate_choice=False)


def _form() -> PeriodForm:
    form = PeriodForm(request.args)
    form.category.choices = [("", _("All categories"))] + [
        (str(category.id), category.name) for category in analytics.category_choices()
    ]
    return form


def _period(form: PeriodForm) -> Period:
    """The requested period, by default the last DEFAULT_DAYS whole days (shown in the form).

    Invalid names the form's fields (the service calls the start "from").
    """
    start, end = request.args.get("from", "").strip(), request.args.get("to", "").strip()
    if not start and not end:
        today = clock.now().date()
        form.start.data = start = (today - timedelta(days=metrics.DEFAULT_DAYS - 1)).isoformat()
        form.to.data = end = today.isoformat()
    category = request.args.get("category", "")
    try:
        if "\x00" in category:  # no slug holds one, and PostgreSQL refuses to even compare it (a 500)
            raise Invalid({"category": [_("No such category.")]})
        return metrics.parse_period(start, end, category)
    except Invalid as exc:
        show_errors(form, Invalid({"start" if name == "from" else name: messages
                                   for name, messages in exc.errors.items()}))
        raise


def _presets() -> list[tuple[str, dict[str, str]]]:
    """"Last N days" links: whole UTC days ending today, keeping the chosen category."""
    today = clock.now().date()
    category = {"category": request.args["category"]} if request.args.get("category") else {}
    return [(ngettext("Last %(num)d day", "Last %(num)d days", days),
             {"from": (today - timedelta(days=days - 1)).isoformat(), "to": today.isoformat(), **category})
            for days in PRESET_DAYS]


def _answer(respond: Callable[[PeriodForm, Period], ResponseReturnValue]) -> ResponseReturnValue:
    """Check the caller, read the period, and respond; a bad period re-shows the dashboard's form (422)."""
    require(acting_user(), Action.ANALYTICS_VIEW)
    form = _form()
    try:
        period = _period(form)
    except Invalid:
        return render_template("analytics/dashboard.html", form=form, board=None, presets=_presets()), 422
    return respond(form, period)


@bp.get("/staff/analytics")
@query_is_a_form
@login_required
def dashboard():
    def show(form: PeriodForm, period: Period) -> str:
        category = dict(form.category.choices).get(str(period.category_id))
        return render_template("analytics/dashboard.html", form=form, board=build_board(period, category),
                               presets=_presets(), describe=describe, duration=format_duration)

    return _answer(show)


@bp.get("/staff/analytics/metrics.csv")
@query_is_a_form
@login_required
def metrics_csv():
    return _answer(lambda _form, period: _csv(exports.metrics_csv(period), "metrics", period))


@bp.get("/staff/analytics/threads.csv")
@query_is_a_form
@login_required
def threads_csv():
    return _answer(lambda _form, period: _csv(exports.threads_csv(period), "threads", period))


def _csv(lines: Iterator[str], name: str, period: Period) -> Response:
    """Stream the CSV as it is produced; the file is named after the period (digits only: safe in a header)."""
    filename = f"horseshoe-{name}-{_stamp(period.start)}-to-{_stamp(period.end)}.csv"
    return Response(stream_with_context(lines), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%MZ")


# --- Wording the figures -------------------------------------------------------------------------------------


def format_duration(seconds: float) -> str:
    """Seconds as people say them: "45 s", "12 min", "2 h 5 min", "3 d 4 h" (abbreviations in the reader's language)."""
    seconds = round(abs(seconds))
    if seconds < 60:
        return _("%(seconds)d s", seconds=seconds)
    hours, minutes = divmod(round(seconds / 60), 60)
    if hours < 24:
        if hours and minutes:
            return _("%(hours)d h %(minutes)d min", hours=hours, minutes=minutes)
        return _("%(hours)d h", hours=hours) if hours else _("%(minutes)d min", minutes=minutes)
    days, hours = divmod(hours, 24)
    return _("%(days)d d %(hours)d h", days=days, hours=hours) if hours else _("%(days)d d", days=days)


def format_duration_tick(seconds: float) -> str:
    """A round duration on a chart's axis, briefly: "45 min", "1.5 h", "2 d"."""
    if seconds < 3600:
        return _("%(minutes)s min", minutes=format_decimal(seconds / 60))
    if seconds < 86400:
        return _("%(hours)s h", hours=format_decimal(seconds / 3600))
    return _("%(days)s d", days=format_decimal(seconds / 86400))


def format_percent(share: float) -> str:
    """A 0..1 share as a percentage with at most one decimal: "60%", "66.7%" ("66,7%" in German)."""
    return format_decimal(round(share * 100, 1), "#,##0.#") + "%"


KINDS: dict[str, tuple[Callable[[float], str], Callable[[float], str]]] = {
    # kind: (how a value reads, how a change reads, without its sign)
    "rate": (format_percent, lambda change: _("%(points)s pts", points=format_decimal(round(abs(change) * 100, 1),
                                                                                      "#,##0.#"))),
    "duration": (format_duration, format_duration),
    "shift": (lambda value: f"{value:+.2f}", lambda change: f"{abs(change):.2f}"),
    "rating": (lambda value: _("%(rating)s of 5", rating=format_decimal(value, "0.0")),
               lambda change: format_decimal(abs(change), "0.0")),
    "count": (str, lambda change: str(abs(change))),
}


@dataclass(frozen=True)
class MetricSpec:
    key: str
    label: str  # English, marked with N_: tile() translates it
    kind: str
    better: str
    detail: Callable[[Summary], str]


METRICS = [
    MetricSpec("response_rate", N_("Response rate"), "rate", HIGHER, lambda s: ngettext(
        "%(part)d of %(num)d question got a reply", "%(part)d of %(num)d questions got a reply", s.questions,
        part=s.responded)),
    MetricSpec("median_first_response_s", N_("Median first response"), "duration", LOWER, lambda s: ngettext(
        "over %(num)d question with a reply", "over %(num)d questions with a reply", s.responded)),
    MetricSpec("median_first_response_peer_s", N_("Median first response from peers"), "duration", LOWER,
               lambda s: _("first reply by a community member")),
    MetricSpec("median_first_response_staff_s", N_("Median first response from staff"), "duration", LOWER,
               lambda s: _("first reply by staff")),
    MetricSpec("solve_rate", N_("Solve rate"), "rate", HIGHER, lambda s: ngettext(
        "%(part)d of %(num)d question solved", "%(part)d of %(num)d questions solved", s.questions, part=s.solved)),
    MetricSpec("peer_solve_rate", N_("Solved by the community"), "rate", HIGHER, lambda s: ngettext(
        "%(part)d of %(num)d solution by peers", "%(part)d of %(num)d solutions by peers", s.solved,
        part=s.solved_by_community)),
    MetricSpec("escalation_rate", N_("Escalation rate"), "rate", EITHER, lambda s: ngettext(
        "%(part)d of %(num)d question became cases", "%(part)d of %(num)d questions became cases", s.questions,
        part=s.escalated)),
    MetricSpec("sla_breach_rate", N_("Case SLA breach rate"), "rate", LOWER, lambda s: ngettext(
        "%(part)d of %(num)d case answered late", "%(part)d of %(num)d cases answered late", s.cases,
        part=s.cases_breached)),
    MetricSpec("median_case_resolution_s", N_("Median case resolution"), "duration", LOWER, lambda s: ngettext(
        "%(num)d case opened", "%(num)d cases opened", s.cases)),
    MetricSpec("satisfaction", N_("Satisfaction"), "rate", HIGHER, lambda s: ngettext(
        "said resolved, of %(num)d asker answer", "said resolved, of %(num)d asker answers", s.feedback_responses)),
    MetricSpec("satisfaction_average_rating", N_("Average rating"), "rating", HIGHER, lambda s: ngettext(
        "from %(num)d asker answer", "from %(num)d asker answers", s.feedback_responses)),
    MetricSpec("sentiment_shift", N_("Sentiment shift"), "shift", HIGHER, lambda s: ngettext(
        "asker's last minus first post, %(num)d thread", "asker's last minus first post, %(num)d threads",
        s.sentiment_threads)),
    MetricSpec("deflections", N_("Deflections"), "count", HIGHER, lambda s: _(
        "%(articles)d by articles, %(threads)d by solved threads: opened while asking, then no question",
        articles=s.article_deflections, threads=s.deflections - s.article_deflections)),
]


@dataclass(frozen=True)
class Tile:
    """One metric as the dashboard shows it; verdict (better, worse, higher, lower, same: the page words it)
    says whether the change is better or worse."""

    label: str
    value: str
    detail: str
    previous: str
    change: str
    verdict: str


def tile(spec: MetricSpec, current: Summary, previous: Summary) -> Tile:
    show, show_change = KINDS[spec.kind]
    now, before = getattr(current, spec.key), getattr(previous, spec.key)
    label, value = _(spec.label), "—" if now is None else show(now)
    detail = _("no data") if now is None else spec.detail(current)
    earlier = _("— (no data)") if before is None else show(before)
    if now is None or before is None:
        return Tile(label, value, detail, earlier, _("no comparison"), "")
    delta = now - before
    if abs(delta) < 1e-9:
        return Tile(label, value, detail, earlier, _("no change"), "same")
    direction = "higher" if delta > 0 else "lower"
    verdict = direction if spec.better == EITHER else "better" if direction == spec.better else "worse"
    sign = "+" if delta > 0 else "−"
    return Tile(label, value, detail, earlier, f"{sign}{show_change(delta)}", verdict)


# --- The dashboard's content ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Board:
    period: Period
    previous: Period
    category: str | None
    tiles: list[Tile]
    charts: list[svg_charts.Chart]
    backlog: analytics.Backlog
    advocates: list[analytics.Advocate]
    watchlist: list[analytics.WatchedThread]
    ratings: dict
    rating_labels: dict[str, str]
    link_args: dict[str, str]


def build_board(period: Period, category: str | None) -> Board:
    """Everything the dashboard shows for the period: a fixed number of queries, whatever the community's size."""
    current, previous = metrics.summary(period), metrics.summary(period.previous())
    link_args = {"from": _iso(period.start), "to": _iso(period.end)}
    if period.category_id is not None:
        link_args["category"] = str(period.category_id)
    return Board(
        period=period, previous=period.previous(), category=category,
        tiles=[tile(spec, current, previous) for spec in METRICS],
        charts=weekly_charts(analytics.weekly_series(period), category),
        backlog=analytics.first_response_backlog(period.category_id),
        advocates=analytics.top_advocates(period), watchlist=analytics.sentiment_watchlist(period),
        ratings=analytics.escalation_ratings(period),
        rating_labels={**case_ratings.RATING_LABELS, case_ratings.UNRATED: _("Not rated yet")},
        link_args=link_args,
    )


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(moment: datetime) -> str:
    """A UTC day as the dashboard writes it: "2 Nov 2026" ("2. Nov. 2026" in German)."""
    return format_date(moment.date(), _("d MMM yyyy"))


def weekly_charts(weeks: list[analytics.WeekPoint], category: str | None) -> list[svg_charts.Chart]:
    """The five weekly charts; each description names the span, the category and the totals."""
    labels = [format_date(week.start.date(), _("d MMM")) for week in weeks]
    span = _("Per week from %(first)s to %(last)s, %(category)s.", first=_day(weeks[0].start),
             last=_day(weeks[-1].end - timedelta(seconds=1)), category=category or _("all categories"))
    week_axis = _("Week starting")

    def series(name: str, value: Callable[[analytics.WeekPoint], float | None]) -> svg_charts.Series:
        return svg_charts.Series(name, [value(week) for week in weeks])

    def total(attribute: str) -> int:
        return sum(getattr(week, attribute) for week in weeks)

    return [
        svg_charts.bar_chart(
            "chart-questions", _("Questions asked, responded to and solved"),
            f"{span} " + _("In all %(asked)d asked, %(responded)d responded to, %(solved)d solved.",
                           asked=total("questions"), responded=total("responded"), solved=total("solved")),
            labels, [series(_("Asked"), lambda w: w.questions), series(_("Responded to"), lambda w: w.responded),
                     series(_("Solved"), lambda w: w.solved)],
            svg_charts.Axes(week_axis, _("Questions"), whole=True)),
        svg_charts.line_chart(
            "chart-rates", _("Response rate and solve rate"), f"{span} " + _("Weeks without questions have no rate."),
            labels, [series(_("Response rate"), lambda w: w.response_rate),
                     series(_("Solve rate"), lambda w: w.solve_rate)],
            svg_charts.Axes(week_axis, _("Share of questions"), format_percent, top=1)),
        svg_charts.line_chart(
            "chart-first-response", _("Median time to first response"), f"{span} " + _("Lower is better."),
            labels, [series(_("Median first response"), lambda w: w.median_first_response_s)],
            svg_charts.Axes(week_axis, _("Time to first reply"), format_duration, format_duration_tick,
                            steps=DURATION_STEPS)),
        svg_charts.bar_chart(
            "chart-escalations", _("Escalations and case SLA breaches"),
            f"{span} " + _("In all %(escalated)d questions escalated, %(cases)d cases opened, %(late)d answered late.",
                           escalated=total("escalated"), cases=total("cases"), late=total("breached")),
            labels, [series(_("Questions escalated"), lambda w: w.escalated),
                     series(_("Cases opened"), lambda w: w.cases), series(_("SLA breaches"), lambda w: w.breached)],
            svg_charts.Axes(week_axis, _("Count"), whole=True)),
        svg_charts.bar_chart(
            "chart-deflections", _("Deflections by articles and solved threads"),
            f"{span} " + _("In all %(deflections)d deflections, %(articles)d by articles (by the week the suggestion "
                           "was opened).", deflections=total("deflections"), articles=total("article_deflections")),
            labels, [series(_("By articles"), lambda w: w.article_deflections),
                     series(_("By solved threads"), lambda w: w.deflections - w.article_deflections)],
            svg_charts.Axes(week_axis, _("Deflections"), whole=True)),
    ]


def describe(period: Period) -> str:
    """A period as a heading: whole days as "2 Nov 2026 – 8 Nov 2026", otherwise exact UTC times."""
    midnight = all(moment.hour == moment.minute == moment.second == 0 for moment in (period.start, period.end))
    if midnight:
        return f"{_day(period.start)} – {_day(period.end - timedelta(days=1))}"
    pattern = _("dd MMM yyyy HH:mm")
    start, end = (format_datetime(moment, pattern, rebase=False) for moment in (period.start, period.end))
    return _("%(start)s – %(end)s UTC", start=start, end=end)
