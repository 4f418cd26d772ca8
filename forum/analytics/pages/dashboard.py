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

    start = StringField("From", name="from", widget=DateInput(), description="First day (UTC).")
    to = StringField("To", widget=DateInput(), description="Last day, included.")
    category = SelectField("Category", choices=[], validate_choice=False)


def _form() -> PeriodForm:
    form = PeriodForm(request.args)
    form.category.choices = [("", "All categories")] + [
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
            raise Invalid({"category": ["No such category."]})
        return metrics.parse_period(start, end, category)
    except Invalid as exc:
        show_errors(form, Invalid({"start" if name == "from" else name: messages
                                   for name, messages in exc.errors.items()}))
        raise


def _presets() -> list[tuple[str, dict[str, str]]]:
    """"Last N days" links: whole UTC days ending today, keeping the chosen category."""
    today = clock.now().date()
    category = {"category": request.args["category"]} if request.args.get("category") else {}
    return [(f"Last {days} days", {"from": (today - timedelta(days=days - 1)).isoformat(), "to": today.isoformat(),
                                   **category}) for days in PRESET_DAYS]


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
    """Seconds as people say them: "45 s", "12 min", "2 h 5 min", "3 d 4 h"."""
    seconds = round(abs(seconds))
    if seconds < 60:
        return f"{seconds} s"
    hours, minutes = divmod(round(seconds / 60), 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if hours and minutes else f"{hours} h" if hours else f"{minutes} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def format_duration_tick(seconds: float) -> str:
    """A round duration on a chart's axis, briefly: "45 min", "1.5 h", "2 d"."""
    if seconds < 3600:
        return f"{seconds / 60:g} min"
    return f"{seconds / 3600:g} h" if seconds < 86400 else f"{seconds / 86400:g} d"


def format_percent(share: float) -> str:
    """A 0..1 share as a percentage with at most one decimal: "60%", "66.7%"."""
    return f"{share * 100:.1f}".removesuffix(".0") + "%"


KINDS: dict[str, tuple[Callable[[float], str], Callable[[float], str]]] = {
    # kind: (how a value reads, how a change reads, without its sign)
    "rate": (format_percent, lambda change: f"{abs(change) * 100:.1f}".removesuffix(".0") + " pts"),
    "duration": (format_duration, format_duration),
    "shift": (lambda value: f"{value:+.2f}", lambda change: f"{abs(change):.2f}"),
    "rating": (lambda value: f"{value:.1f} of 5", lambda change: f"{abs(change):.1f}"),
    "count": (str, lambda change: str(abs(change))),
}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


@dataclass(frozen=True)
class MetricSpec:
    key: str
    label: str
    kind: str
    better: str
    detail: Callable[[Summary], str]


METRICS = [
    MetricSpec("response_rate", "Response rate", "rate", HIGHER,
               lambda s: f"{s.responded} of {_count(s.questions, 'question')} got a reply"),
    MetricSpec("median_first_response_s", "Median first response", "duration", LOWER,
               lambda s: f"over {_count(s.responded, 'question')} with a reply"),
    MetricSpec("median_first_response_peer_s", "Median first response from peers", "duration", LOWER,
               lambda s: "first reply by a community member"),
    MetricSpec("median_first_response_staff_s", "Median first response from staff", "duration", LOWER,
               lambda s: "first reply by staff"),
    MetricSpec("solve_rate", "Solve rate", "rate", HIGHER,
               lambda s: f"{s.solved} of {_count(s.questions, 'question')} solved"),
    MetricSpec("peer_solve_rate", "Solved by the community", "rate", HIGHER,
               lambda s: f"{s.solved_by_community} of {_count(s.solved, 'solution')} by peers"),
    MetricSpec("escalation_rate", "Escalation rate", "rate", EITHER,
               lambda s: f"{s.escalated} of {_count(s.questions, 'question')} became cases"),
    MetricSpec("sla_breach_rate", "Case SLA breach rate", "rate", LOWER,
               lambda s: f"{s.cases_breached} of {_count(s.cases, 'case')} answered late"),
    MetricSpec("median_case_resolution_s", "Median case resolution", "duration", LOWER,
               lambda s: f"{_count(s.cases, 'case')} opened"),
    MetricSpec("satisfaction", "Satisfaction", "rate", HIGHER,
               lambda s: f"said resolved, of {_count(s.feedback_responses, 'asker answer')}"),
    MetricSpec("satisfaction_average_rating", "Average rating", "rating", HIGHER,
               lambda s: f"from {_count(s.feedback_responses, 'asker answer')}"),
    MetricSpec("sentiment_shift", "Sentiment shift", "shift", HIGHER,
               lambda s: f"asker's last minus first post, {_count(s.sentiment_threads, 'thread')}"),
    MetricSpec("deflections", "Deflections", "count", HIGHER,
               lambda s: f"{s.article_deflections} by articles, {s.deflections - s.article_deflections} by solved "
                         "threads: opened while asking, then no question"),
]


@dataclass(frozen=True)
class Tile:
    """One metric as the dashboard shows it; verdict says in words whether the change is better or worse."""

    label: str
    value: str
    detail: str
    previous: str
    change: str
    verdict: str


def tile(spec: MetricSpec, current: Summary, previous: Summary) -> Tile:
    show, show_change = KINDS[spec.kind]
    now, before = getattr(current, spec.key), getattr(previous, spec.key)
    value = "—" if now is None else show(now)
    detail = "no data" if now is None else spec.detail(current)
    earlier = "— (no data)" if before is None else show(before)
    if now is None or before is None:
        return Tile(spec.label, value, detail, earlier, "no comparison", "")
    delta = now - before
    if abs(delta) < 1e-9:
        return Tile(spec.label, value, detail, earlier, "no change", "same")
    direction = "higher" if delta > 0 else "lower"
    verdict = direction if spec.better == EITHER else "better" if direction == spec.better else "worse"
    sign = "+" if delta > 0 else "−"
    return Tile(spec.label, value, detail, earlier, f"{sign}{show_change(delta)}", verdict)


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
        rating_labels={**case_ratings.RATING_LABELS, case_ratings.UNRATED: "Not rated yet"},
        link_args=link_args,
    )


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y}"


def weekly_charts(weeks: list[analytics.WeekPoint], category: str | None) -> list[svg_charts.Chart]:
    """The five weekly charts; each description names the span, the category and the totals."""
    labels = [f"{week.start.day} {week.start:%b}" for week in weeks]
    span = f"Per week from {_day(weeks[0].start)} to {_day(weeks[-1].end - timedelta(seconds=1))}, " \
           f"{category or 'all categories'}."
    week_axis = "Week starting"

    def series(name: str, value: Callable[[analytics.WeekPoint], float | None]) -> svg_charts.Series:
        return svg_charts.Series(name, [value(week) for week in weeks])

    def total(attribute: str) -> int:
        return sum(getattr(week, attribute) for week in weeks)

    return [
        svg_charts.bar_chart(
            "chart-questions", "Questions asked, responded to and solved",
            f"{span} In all {total('questions')} asked, {total('responded')} responded to, {total('solved')} solved.",
            labels, [series("Asked", lambda w: w.questions), series("Responded to", lambda w: w.responded),
                     series("Solved", lambda w: w.solved)],
            svg_charts.Axes(week_axis, "Questions", whole=True)),
        svg_charts.line_chart(
            "chart-rates", "Response rate and solve rate", f"{span} Weeks without questions have no rate.",
            labels, [series("Response rate", lambda w: w.response_rate), series("Solve rate", lambda w: w.solve_rate)],
            svg_charts.Axes(week_axis, "Share of questions", format_percent, top=1)),
        svg_charts.line_chart(
            "chart-first-response", "Median time to first response", f"{span} Lower is better.",
            labels, [series("Median first response", lambda w: w.median_first_response_s)],
            svg_charts.Axes(week_axis, "Time to first reply", format_duration, format_duration_tick,
                            steps=DURATION_STEPS)),
        svg_charts.bar_chart(
            "chart-escalations", "Escalations and case SLA breaches",
            f"{span} In all {total('escalated')} questions escalated, {total('cases')} cases opened, "
            f"{total('breached')} answered late.",
            labels, [series("Questions escalated", lambda w: w.escalated), series("Cases opened", lambda w: w.cases),
                     series("SLA breaches", lambda w: w.breached)],
            svg_charts.Axes(week_axis, "Count", whole=True)),
        svg_charts.bar_chart(
            "chart-deflections", "Deflections by articles and solved threads",
            f"{span} In all {total('deflections')} deflections, {total('article_deflections')} by articles "
            "(by the week the suggestion was opened).",
            labels, [series("By articles", lambda w: w.article_deflections),
                     series("By solved threads", lambda w: w.deflections - w.article_deflections)],
            svg_charts.Axes(week_axis, "Deflections", whole=True)),
    ]


def describe(period: Period) -> str:
    """A period as a heading: whole days as "2 Nov 2026 – 8 Nov 2026", otherwise exact UTC times."""
    midnight = all(moment.hour == moment.minute == moment.second == 0 for moment in (period.start, period.end))
    if midnight:
        return f"{_day(period.start)} – {_day(period.end - timedelta(days=1))}"
    return f"{period.start:%d %b %Y %H:%M} – {period.end:%d %b %Y %H:%M} UTC"
