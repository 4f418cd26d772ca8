"""/desk: the agents' case desk — the queue with its filters, and one case with the forms to work it.

Agents and admins only (Action.CASE_WORK): anonymous visitors are sent to sign in, everyone
else gets a 403. Every form posts back here and re-shows the case page with its errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_login import login_required

from forum import cases
from forum.accounts import personal_data, personal_data_moves
from forum.cases import desk_lookups, ratings
from forum.core import clock
from forum.core.errors import Conflict, Invalid
from forum.core.i18n import _
from forum.http.auth import acting_user
from forum.http.feedback import report
from forum.http.forms import FlaskForm, show_errors
from forum.models import Case, User
from forum.services import categories, reading
from forum.services.permissions import Action, require
from forum.web.forms import (
    CaseAssignForm,
    CaseFilterForm,
    CaseMessageForm,
    CasePriorityForm,
    CaseResolveForm,
    CaseStatusForm,
    ConfirmForm,
    EscalationRatingForm,
    MovePostForm,
)

bp = Blueprint("desk", __name__)
QUEUE_PAGE = 50
THREAD_REPLIES = 100  # the whole public thread, as far as one page of the case reaches


def desk_count() -> int:
    """New and overdue cases for the header's Desk link (agents only): one query, at most once a request."""
    if "desk_count" not in g:
        g.desk_count = desk_lookups.attention_count(acting_user())
    return g.desk_count


@bp.app_context_processor
def inject_desk_count() -> dict[str, Any]:
    return {"desk_count": desk_count}


@bp.get("/desk")
@login_required
def index():
    viewer = acting_user()
    require(viewer, Action.CASE_WORK)
    form = CaseFilterForm(request.args)
    form.category.choices = [("", _("Any"))] + [(str(c.id), c.name) for c, _count in categories.list_categories()]
    found, status = None, 200
    try:
        found = cases.list_cases(viewer, _filters(form), QUEUE_PAGE, request.args.get("cursor") or None)
    except Invalid as exc:
        show_errors(form, exc)
        status = 422
    page = render_template(
        "desk/index.html", form=form, found=found, counts=cases.queue_counts(viewer), now=clock.now(),
        args={k: v for k, v in request.args.items() if k != "cursor"},
    )
    return page, status


def _filters(form: CaseFilterForm) -> cases.CaseFilters:
    """The GET form as filters; a category that is not a number matches nothing rather than failing."""
    category = form.category.data or ""
    return cases.CaseFilters(
        status=form.status.data or None,
        priority=form.priority.data or None,
        assignee=form.assignee.data or None,
        category_id=int(category) if category.isascii() and category.isdigit() and len(category) < 10 else None,
        overdue=bool(form.overdue.data),
    )


@bp.get("/desk/cases/<id:case_id>")
@login_required
def case(case_id: int):
    viewer = acting_user()
    require(viewer, Action.CASE_WORK)
    return _render_case(viewer, cases.get_case(viewer, case_id))


def _forms(viewer: User, case: Case, given: dict[str, FlaskForm]) -> dict[str, FlaskForm]:
    """The case page's forms, blank and preset from the case, except the one being re-shown with errors."""
    forms = {
        "claim": ConfirmForm(formdata=None),
        "assign": CaseAssignForm(formdata=None, data={"assignee_id": str(case.assignee_id or "")}),
        "status": CaseStatusForm(formdata=None, data={"status": case.status}),
        "priority": CasePriorityForm(formdata=None, data={"priority": case.priority}),
        "message": CaseMessageForm(formdata=None),
        "resolve": CaseResolveForm(formdata=None),
        "rating": EscalationRatingForm(formdata=None, data={"rating": case.escalation_rating}),
        "move": MovePostForm(formdata=None),
    } | given
    forms["assign"].assignee_id.choices = [("", _("Nobody (unassigned)"))] + [
        (str(agent.id), agent.name) for agent in desk_lookups.assignable_agents(viewer)
    ]
    return forms


def _render_case(viewer: User, case: Case, given: dict[str, FlaskForm] | None = None, status: int = 200):
    thread = case.thread
    threads, other_cases = cases.customer_history(case)
    question = reading.question_post(thread)
    replies = reading.list_replies(viewer, thread, limit=THREAD_REPLIES)
    personal = {post.id for post in (question, *replies.items)
                if post is not None and post.deleted_at is None and personal_data.contains_personal_data(post.body)}
    page = render_template(
        "desk/case.html", case=case, thread=thread, question=question, replies=replies, personal_posts=personal,
        history_threads=threads, history_cases=other_cases,
        messages=cases.messages_for(viewer, case), timeline=desk_lookups.staff_timeline(viewer, case),
        forms=_forms(viewer, case, given or {}), now=clock.now(),
    )
    return page, status


def _submit(case_id: int, name: str, form_class: type[FlaskForm], act: Callable, done: str, unchanged: str = ""):
    """Validate the named form, run act(viewer, case, form), and go back to the case, or re-show it with errors.

    An act that returns False changed nothing (the case already was so): the page says so, with unchanged.
    """
    viewer = acting_user()
    require(viewer, Action.CASE_WORK)
    case = cases.get_case(viewer, case_id)
    form = form_class()
    status = 422
    if form.validate_on_submit():
        try:
            changed = act(viewer, case, form)
        except (Invalid, Conflict) as exc:
            show_errors(form, exc)
            status = exc.status
        else:
            report(changed is not False, done, unchanged)
            return redirect(url_for("desk.case", case_id=case.id, _anchor=f"{name}-heading"))
    return _render_case(viewer, case, {name: form}, status=status)


@bp.post("/desk/cases/<id:case_id>/claim")
@login_required
def claim(case_id: int):
    return _submit(case_id, "claim", ConfirmForm, lambda viewer, case, _form: cases.claim_case(viewer, case),
                   _("The case is yours."), _("the case already was yours."))


@bp.post("/desk/cases/<id:case_id>/assign")
@login_required
def assign(case_id: int):
    def act(viewer: User, case: Case, form: CaseAssignForm) -> bool:
        chosen = form.assignee_id.data or ""
        if chosen and not (chosen.isascii() and chosen.isdigit() and len(chosen) < 10):
            raise Invalid({"assignee_id": [_("Choose an agent from the list.")]})
        return cases.update_case(viewer, case, cases.CaseChange(assignee_id=int(chosen) if chosen else None))

    return _submit(case_id, "assign", CaseAssignForm, act, _("The assignment is saved."),
                   _("the case already was assigned like that."))


@bp.post("/desk/cases/<id:case_id>/status")
@login_required
def change_status(case_id: int):
    return _submit(case_id, "status", CaseStatusForm, lambda viewer, case, form: cases.update_case(
        viewer, case, cases.CaseChange(status=form.status.data or "")), _("The status is saved; the customer is told."),
        _("the case already had that status; the customer is not told again."))


@bp.post("/desk/cases/<id:case_id>/priority")
@login_required
def change_priority(case_id: int):
    return _submit(case_id, "priority", CasePriorityForm, lambda viewer, case, form: cases.update_case(
        viewer, case, cases.CaseChange(priority=form.priority.data or "")), _("The priority is saved."),
        _("the case already had that priority."))


@bp.post("/desk/cases/<id:case_id>/messages")
@login_required
def message(case_id: int):
    def act(viewer: User, case: Case, form: CaseMessageForm) -> None:
        cases.post_message(viewer, case, form.body.data, form.visibility.data or "")

    return _submit(case_id, "message", CaseMessageForm, act, _("The message is added."))


@bp.post("/desk/cases/<id:case_id>/resolve")
@login_required
def resolve(case_id: int):
    def act(viewer: User, case: Case, form: CaseResolveForm) -> None:
        cases.resolve_case(viewer, case, form.resolution.data, publish_to_thread=bool(form.publish.data))

    return _submit(case_id, "resolve", CaseResolveForm, act, _("The case is resolved; the customer is told."))


@bp.post("/desk/cases/<id:case_id>/rating")
@login_required
def rate(case_id: int):
    def act(viewer: User, case: Case, form: EscalationRatingForm) -> None:
        ratings.rate_escalation(viewer, case, form.rating.data or "")

    return _submit(case_id, "rating", EscalationRatingForm, act, _("The escalation rating is saved."))


@bp.post("/desk/cases/<id:case_id>/posts/<id:post_id>/move-private")
@login_required
def move_post(case_id: int, post_id: int):
    """Move a thread post's personal data into this case, leaving its redacted version in public."""
    def act(viewer: User, case: Case, form: MovePostForm) -> None:
        post = reading.get_post(viewer, post_id)
        if post.thread_id != case.thread_id:
            raise Invalid({"": [_("That post is not on this case's thread.")]})
        personal_data_moves.move_post_to_case(viewer, post, form.reason.data or "", case=case)

    return _submit(case_id, "move", MovePostForm, act, _("The personal data is in the case conversation now; "
                                                         "the public post shows it as removed."))
