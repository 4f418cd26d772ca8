"""/staff/incidents: the detector's alerts and the incidents agents run from them.

Agents and admins only (Action.CASE_WORK), like the desk. Forms post back and re-show the page
with their errors (422); the thread page shows the incident publicly (see thread_page).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import login_required
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from forum.core.errors import Conflict, Invalid, NotFound
from forum.core.i18n import _, _l
from forum.http.auth import acting_user
from forum.http.feedback import report
from forum.http.forms import FlaskForm, errors_in_one_line, show_errors
from forum.incidents import alerts, management, queries
from forum.models import AlertStatus, IncidentAlert
from forum.services.permissions import Action, can, require
from forum.web.forms import ConfirmForm

bp = Blueprint("incidents", __name__)
RECENT_RESOLVED = 20


class IncidentForm(FlaskForm):
    title = StringField(_l("Incident title (customers see it)"), validators=[DataRequired(), Length(max=200)])


class NewIncidentForm(IncidentForm):
    thread_ids = StringField(_l("Question numbers or links"), validators=[DataRequired(), Length(max=4000)])


class AddToIncidentForm(FlaskForm):
    incident_id = SelectField(_l("Running incident"), validate_choice=False)


class LinkThreadsForm(FlaskForm):
    thread_ids = StringField(_l("Question numbers or links"), validators=[DataRequired(), Length(max=4000)])


class UpdateForm(FlaskForm):
    body = TextAreaField(_l("Update for every linked thread"), validators=[DataRequired(), Length(max=20000)],
                         render_kw={"rows": 4})


class ResolveIncidentForm(FlaskForm):
    resolution = TextAreaField(_l("Resolution (posted and accepted on every linked question)"),
                               validators=[DataRequired(), Length(max=20000)], render_kw={"rows": 4})


def incident_alert_count() -> int:
    """Alerts waiting for an agent, for the staff menu; at most one query per request."""
    if "incident_alert_count" not in g:
        g.incident_alert_count = alerts.waiting_alert_count() if can(acting_user(), Action.CASE_WORK) else 0
    return g.incident_alert_count


@bp.app_context_processor
def inject_incident_alert_count() -> dict[str, Any]:
    return {"incident_alert_count": incident_alert_count}


def _agent():
    viewer = acting_user()
    require(viewer, Action.CASE_WORK)
    return viewer


@bp.get("/staff/incidents")
@login_required
def index(new_form: NewIncidentForm | None = None, status: int = 200):
    _agent()
    waiting = queries.waiting_alerts()
    running = queries.open_incidents()
    resolved = queries.recently_resolved(RECENT_RESOLVED)
    alert_threads = queries.alert_threads([a.id for a in waiting])
    incident_threads = queries.incident_threads([i.id for i in running + resolved])
    add_form = AddToIncidentForm(formdata=None)
    add_form.incident_id.choices = [(str(i.id), f"#{i.id} {i.title}") for i in running]
    page = render_template(
        "incidents/index.html", alerts=waiting, running=running, resolved=resolved, alert_threads=alert_threads,
        incident_threads=incident_threads, title_form=IncidentForm(formdata=None), add_form=add_form,
        dismiss_form=ConfirmForm(formdata=None), new_form=new_form or NewIncidentForm(formdata=None),
    )
    return page, status


@bp.post("/staff/incidents")
@login_required
def create():
    viewer = _agent()
    form = NewIncidentForm()
    if form.validate_on_submit():
        try:
            thread_ids = management.parse_thread_ids(form.thread_ids.data)
            incident = management.open_incident(viewer, form.title.data, thread_ids)
        except Invalid as exc:
            show_errors(form, exc)
        else:
            flash(_("The incident is open; post updates here and every linked thread hears them."), "success")
            return redirect(url_for("incidents.show", incident_id=incident.id))
    return index(new_form=form, status=422)


def _alert_or_404(alert_id: int) -> IncidentAlert:
    viewer = _agent()
    alert = alerts.get_alert(viewer, alert_id)
    if alert.status != AlertStatus.NEW.value:
        raise NotFound(_("This alert was already handled."))
    return alert


@bp.post("/staff/incidents/alerts/<id:alert_id>/open")
@login_required
def open_from_alert(alert_id: int):
    alert = _alert_or_404(alert_id)
    form = IncidentForm()
    if form.validate_on_submit():
        try:
            incident = management.open_incident(acting_user(), form.title.data, alert=alert)
        except Invalid as exc:
            show_errors(form, exc)
        except Conflict as exc:
            flash(exc.detail, "error")
            return redirect(url_for("incidents.index")), 303
        else:
            flash(_("The incident is open with the alert's questions."), "success")
            return redirect(url_for("incidents.show", incident_id=incident.id))
    flash(errors_in_one_line(form), "error")
    return redirect(url_for("incidents.index")), 303


@bp.post("/staff/incidents/alerts/<id:alert_id>/add")
@login_required
def add_alert(alert_id: int):
    alert = _alert_or_404(alert_id)
    form = AddToIncidentForm()
    chosen = form.incident_id.data or ""
    incident = queries.find_incident(int(chosen)) if chosen.isascii() and chosen.isdigit() and len(chosen) < 10 \
        else None
    if not form.validate_on_submit() or incident is None:
        flash(_("Choose a running incident."), "error")
        return redirect(url_for("incidents.index")), 303
    try:
        management.add_alert_to_incident(acting_user(), alert, incident)
    except Conflict as exc:
        flash(exc.detail, "error")
        return redirect(url_for("incidents.index")), 303
    flash(_("The alert's questions joined the incident."), "success")
    return redirect(url_for("incidents.show", incident_id=incident.id))


@bp.post("/staff/incidents/alerts/<id:alert_id>/dismiss")
@login_required
def dismiss(alert_id: int):
    alert = _alert_or_404(alert_id)
    if ConfirmForm().validate_on_submit():
        alerts.dismiss_alert(acting_user(), alert)
        flash(_("Alert dismissed; these questions will not be alerted again."), "success")
    return redirect(url_for("incidents.index"))


@bp.get("/staff/incidents/<id:incident_id>")
@login_required
def show(incident_id: int, given: dict[str, FlaskForm] | None = None, status: int = 200):
    viewer = _agent()
    incident = management.get_incident(viewer, incident_id)
    threads = queries.incident_threads([incident.id]).get(incident.id, [])
    updates = queries.updates_newest_first(incident)
    forms = {"link": LinkThreadsForm(formdata=None), "post_update": UpdateForm(formdata=None),
             "resolve": ResolveIncidentForm(formdata=None), "unlink": ConfirmForm(formdata=None)} | (given or {})
    return render_template("incidents/show.html", incident=incident, threads=threads, updates=updates,
                           forms=forms), status


def _submit(incident_id: int, name: str, form: FlaskForm, act, done: str, unchanged: str = ""):
    """Run act; when it answers 0 (nothing linked) or False, the page says nothing changed, with unchanged."""
    viewer = _agent()
    incident = management.get_incident(viewer, incident_id)
    if form.validate_on_submit():
        try:
            outcome = act(viewer, incident, form)
        except (Invalid, Conflict) as exc:
            show_errors(form, exc)
        else:
            report(outcome is not False and outcome != 0, done, unchanged)
            return redirect(url_for("incidents.show", incident_id=incident.id, _anchor=f"{name}-heading"))
    return show(incident_id, {name: form}, status=422)


@bp.post("/staff/incidents/<id:incident_id>/threads")
@login_required
def link(incident_id: int):
    return _submit(incident_id, "link", LinkThreadsForm(), lambda viewer, incident, form: management.link_threads(
        viewer, incident, management.parse_thread_ids(form.thread_ids.data)), _("Linked."),
        _("every one of those questions is already part of this incident."))


@bp.post("/staff/incidents/<id:incident_id>/threads/<id:thread_id>/unlink")
@login_required
def unlink(incident_id: int, thread_id: int):
    return _submit(incident_id, "unlink", ConfirmForm(), lambda viewer, incident, _form: management.unlink_thread(
        viewer, incident, thread_id), _("The question is no longer part of this incident."))


@bp.post("/staff/incidents/<id:incident_id>/updates")
@login_required
def update(incident_id: int):
    return _submit(incident_id, "post_update", UpdateForm(), lambda viewer, incident, form: management.post_update(
        viewer, incident, form.body.data), _("Posted; every linked thread gets it within seconds."))


@bp.post("/staff/incidents/<id:incident_id>/resolve")
@login_required
def resolve(incident_id: int):
    return _submit(incident_id, "resolve", ResolveIncidentForm(), lambda viewer, incident, form:
                   management.resolve_incident(viewer, incident, form.resolution.data),
                   _("Resolved; the resolution goes to every linked thread and their cases."))

