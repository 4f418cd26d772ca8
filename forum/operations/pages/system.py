"""/admin/system: how the machinery is doing (forum.operations.figures), admins only.

The job queue by kind with how long its oldest due job has waited, a bar chart of it, the dead jobs (any kind)
with their error, Retry and Discard…, the mail backlog, how far search lags, the uploads' size, versions and the
database's migration revision. Retry and discard are the Delivery problems page's (forum.mail.delivery_problems:
audited, refused while a job runs); only where the admin lands afterwards differs. That page stays the full list,
failing jobs still retrying included; this one links it.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Flask, flash, redirect, render_template, url_for

from forum.analytics import charts
from forum.analytics.pages.dashboard import format_duration
from forum.core import local_time
from forum.core.errors import DomainError
from forum.core.i18n import N_, _, format_decimal, ngettext
from forum.http.auth import acting_user
from forum.http.forms import errors_in_one_line
from forum.mail import delivery_problems
from forum.mail.pages import delivery
from forum.operations import figures
from forum.services.permissions import Action, require

bp = Blueprint("system", __name__)
DEAD_SHOWN = 20  # the newest dead jobs listed here; all of them are on the Delivery problems page
BYTE_UNITS = (N_("%(size)s KB"), N_("%(size)s MB"), N_("%(size)s GB"), N_("%(size)s TB"))


@bp.before_request
def require_admin() -> None:
    """Anonymous visitors are sent to sign in; everyone but admins (moderators and agents too) gets 403."""
    require(acting_user(), Action.ADMIN_VIEW)


@bp.get("/admin/system")
def index():
    """Every figure, the queue's chart, and the newest dead jobs: a fixed number of queries however long the queue."""
    viewer = acting_user()
    found = figures.system_figures()
    dead = delivery_problems.list_problems(viewer, DEAD_SHOWN, dead_only=True)
    zone = local_time.zone_of(getattr(viewer, "time_zone", None))
    return render_template(
        "admin/system.html", figures=found, dead=dead.items, more_dead=dead.next_cursor is not None,
        chart=queue_chart(found.jobs) if found.jobs else None, counts=delivery_problems.summary(),
        age=waited, size=format_bytes(found.uploads_bytes), lag=search_lag(found.search_index_lag_s),
        when=lambda moment: local_time.short_moment(moment, zone) if isinstance(moment, datetime) else "",
    )


@bp.post("/admin/system/jobs/<id:job_id>/retry")
def retry(job_id: int):
    """A dead job back in the queue, due now, its attempts at zero (audited as job.resend)."""
    if delivery.ButtonForm().validate_on_submit():
        try:
            resent = delivery_problems.resend(acting_user(), job_id)
        except DomainError as exc:
            flash(errors_in_one_line(exc), "error")
        else:
            flash(delivery.resent_message(resent), "success")
    return redirect(url_for("system.index"), 303)


@bp.route("/admin/system/jobs/<id:job_id>/discard", methods=["GET", "POST"])
def discard(job_id: int):
    """The Delivery problems page's confirmation step; done or cancelled, the admin comes back here."""
    return delivery.discard_page(job_id, url_for("system.index"))


def queue_chart(jobs: list[figures.JobKindFigure]) -> charts.Chart:
    return charts.bar_chart(
        "system-queue", _("Jobs waiting, by kind"),
        _("Jobs still to run of each kind: due, waiting to retry or to start later, or running now."),
        [figure.kind for figure in jobs],
        [charts.Series(_("Jobs"), [figure.queued for figure in jobs])],
        charts.Axes(x_label=_("Kind of job"), y_label=_("Jobs"), whole=True),
    )


def waited(seconds: float | None) -> str:
    """How long the oldest due job has waited, in words; a dash when none is due."""
    return "—" if seconds is None else format_duration(seconds)


def search_lag(seconds: float | None) -> str:
    return _("Up to date") if seconds is None else _("%(age)s behind", age=format_duration(seconds))


def format_bytes(size: int) -> str:
    """Sizes as file managers show them (1 KB = 1,024 bytes), in the reader's number format."""
    if size < 1024:
        return ngettext("%(num)d byte", "%(num)d bytes", size)
    value = size / 1024
    for unit in BYTE_UNITS[:-1]:
        if value < 1024:
            return _(unit, size=format_decimal(value, "#,##0.#"))
        value /= 1024
    return _(BYTE_UNITS[-1], size=format_decimal(value, "#,##0.#"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
