"""The public face of service cases: escalating from the thread page and the customer's own case page.

The customer's case page is where account details go instead of the public thread; it shows
only what the customer may see (never internal notes), and other members get a 404 for it.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required

from forum import cases
from forum.cases import state, triggers
from forum.core.errors import Invalid
from forum.core.i18n import _, _l
from forum.http.auth import acting_user
from forum.http.forms import show_errors
from forum.http.standing import open_while
from forum.http.urls import thread_url
from forum.models import Case, MessageVisibility, User
from forum.services import reading
from forum.services.permissions import Restriction, is_agent
from forum.web import thread_page
from forum.web.forms import CustomerMessageForm, EscalateForm

bp = Blueprint("cases", __name__)

# A case's status in words, as the thread and the customer read it ("waiting on you" for the customer).
STATUS_WORDS = {"new": _l("received, waiting for an agent"), "open": _l("in progress"),
                "pending_customer": _l("waiting on the asker"), "resolved": _l("resolved"), "closed": _l("closed")}
# The public timeline's entries in words; kinds not listed read as their name.
EVENT_WORDS = {"escalated": _l("Escalated to support"), "open": _l("In progress"), "in_progress": _l("In progress"),
               "pending_customer": _l("Waiting on the asker"), "resolved": _l("Resolved"), "reopened": _l("Reopened"),
               "closed": _l("Closed")}
PRIORITY_LABELS = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High"), "urgent": _l("Urgent")}
# Reasons the system gives in English (the sweeper finds its cases by them), shown in the reader's language.
SYSTEM_REASONS = (triggers.NO_REPLY_REASON, triggers.NO_SOLUTION_REASON)


@bp.app_template_filter("case_status")
def case_status(status: str, for_customer: bool = False) -> str:
    if for_customer and status == "pending_customer":
        return _("waiting on you")
    return str(STATUS_WORDS.get(status, status.replace("_", " ")))


@bp.app_template_filter("case_event")
def case_event(kind: str, for_customer: bool = False) -> str:
    if for_customer and kind == "pending_customer":
        return _("Waiting on you")
    return str(EVENT_WORDS.get(kind, kind.replace("_", " ").capitalize()))


@bp.app_template_filter("case_source")
def case_source(source: str) -> str:
    """What escalated a case, in words ("customer", "sla")."""
    return str(state.SOURCE_WORDS.get(source, source))


@bp.app_template_filter("case_priority")
def case_priority(priority: str) -> str:
    return str(PRIORITY_LABELS.get(priority, priority.capitalize()))


@bp.app_template_filter("case_reason")
def case_reason(reason: str) -> str:
    """An escalation's reason: the system's own in the reader's language, a person's as they wrote it."""
    return _(reason) if reason in SYSTEM_REASONS else reason


@bp.post("/t/<id:thread_id>/escalate")
@login_required
@open_while(Restriction.SUSPENDED)
def escalate(thread_id: int):
    """One button for the asker, advocates (a recommendation) and staff; escalating again shows the case.

    Open while suspended: asking support for help is never taken away, and the rule lets a suspended
    account escalate its own thread only (its staff powers and recommendations are gone).
    """
    viewer = acting_user()
    thread = reading.get_thread(viewer, thread_id)
    form = EscalateForm()
    if form.validate_on_submit():
        try:
            case, created = cases.escalate_thread(viewer, thread, form.reason.data or "")
        except Invalid as exc:
            show_errors(form, exc)
        else:
            flash(_escalated_message(viewer, case, created), "success" if created else "info")
            return redirect(thread_url(thread, _anchor="case-banner"))
    return thread_page.render(thread, escalate_form=form, status=422)


def _escalated_message(viewer: User, case: Case, created: bool) -> str:
    if not created:
        return _("This thread already has a support case: case %(reference)s.", reference=case.public_reference)
    if viewer.id == case.customer_id:
        return _("The support team has your question: case %(reference)s. We'll let you know as it moves.",
                 reference=case.public_reference)
    return _("Escalated to the support team: case %(reference)s.", reference=case.public_reference)


@bp.get("/cases/<id:case_id>")
@login_required
def show(case_id: int):
    viewer = acting_user()
    case = cases.get_case(viewer, case_id)
    if is_agent(viewer) and viewer.id != case.customer_id:
        return redirect(url_for("desk.case", case_id=case.id))
    return _render(viewer, case, CustomerMessageForm(formdata=None))


@bp.post("/cases/<id:case_id>/messages")
@login_required
@open_while(Restriction.SUSPENDED)
def write(case_id: int):
    """The customer's message. Open while suspended, so no customer's issue is left unanswered; only a
    case the caller may see is found, so a suspended agent writes to no one else's case."""
    viewer = acting_user()
    case = cases.get_case(viewer, case_id)
    form = CustomerMessageForm()
    if form.validate_on_submit():
        try:
            cases.post_message(viewer, case, form.body.data, MessageVisibility.CUSTOMER.value)
        except Invalid as exc:
            show_errors(form, exc)
        else:
            flash(_("Your message is with the support team. Only they and you can read it."), "success")
            return redirect(url_for("cases.show", case_id=case.id, _anchor="conversation"))
    return _render(viewer, case, form, status=422)


def _render(viewer: User, case: Case, form: CustomerMessageForm, status: int = 200):
    """The customer's view: status, public timeline and the customer-visible conversation only."""
    messages = [m for m in cases.messages_for(viewer, case) if m.visibility == MessageVisibility.CUSTOMER.value]
    page = render_template(
        "cases/show.html", case=case, thread=case.thread, messages=messages,
        timeline=cases.public_timeline(case), form=form,
    )
    return page, status
