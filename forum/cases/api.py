"""Service cases over the API: escalating a thread, the agents' queue, a case, its messages and resolution.

Who may see a case is checked before its body is read (a stranger gets 404, as if it did not
exist); the services check again, since they hold the rule.
"""

from __future__ import annotations

from flask import request

from forum import cases
from forum.cases import ratings
from forum.core.errors import Invalid
from forum.core.i18n import _
from forum.http import serializers
from forum.http.api import bp
from forum.http.api_requests import field, json_body, optional_json_body, page_params, signed_in_user, viewer
from forum.http.standing import open_while
from forum.models import Case, User
from forum.services import reading
from forum.services.permissions import Action, Restriction, require

TRUE_WORDS = {"1", "true", "yes"}


def _case(case: Case, caller: User | None, *, with_messages: bool = False) -> dict:
    messages = cases.messages_for(caller, case) if with_messages else None
    return serializers.case(case, caller, messages)


@bp.post("/threads/<id:thread_id>/escalations")
@open_while(Restriction.SUSPENDED)
def escalate_thread(thread_id: int):
    """201 with a new case; 200 with the thread's open case when there already is one.

    Open while suspended: the rule lets a suspended asker ask for help with their own thread only.
    """
    user = signed_in_user()
    thread = reading.get_thread(user, thread_id)
    require(user, Action.THREAD_ESCALATE, thread)
    reason = field(optional_json_body(), "reason", str, required=False, default="")
    case, created = cases.escalate_thread(user, thread, reason)
    return _case(case, user), 201 if created else 200


def _filters() -> cases.CaseFilters:
    args = request.args
    category = args.get("category") or None
    if category is not None and not (category.isascii() and category.isdigit() and 0 < int(category) < 2**31):
        raise Invalid({"category": [_("Use a category id.")]})
    return cases.CaseFilters(
        status=args.get("status") or None, priority=args.get("priority") or None,
        assignee=args.get("assignee") or None, category_id=int(category) if category else None,
        overdue=(args.get("overdue") or "").lower() in TRUE_WORDS,
    )


@bp.get("/cases")
def list_cases():
    user = signed_in_user()
    require(user, Action.CASE_WORK)
    limit, cursor = page_params()
    found = cases.list_cases(user, _filters(), limit, cursor)
    return serializers.page(found, lambda case: serializers.case(case, user))


@bp.get("/cases/<id:case_id>")
def show_case(case_id: int):
    caller = viewer()
    return _case(cases.get_case(caller, case_id), caller, with_messages=True)


@bp.patch("/cases/<id:case_id>")
def change_case(case_id: int):
    user = signed_in_user()
    case = cases.get_case(user, case_id)
    require(user, Action.CASE_WORK, case)
    data = json_body()  # the service names every bad field at once
    if "escalation_rating" in data:
        ratings.validate_rating(data["escalation_rating"])  # before anything else is saved
    change = cases.CaseChange(status=data.get("status"), priority=data.get("priority"),
                              assignee_id=data["assignee_id"] if "assignee_id" in data else cases.UNSET)
    if change != cases.CaseChange() or "escalation_rating" not in data:
        case = cases.change_case(user, case, change)
    if "escalation_rating" in data:
        case = ratings.rate_escalation(user, case, data["escalation_rating"])
    return _case(case, user)


@bp.post("/cases/<id:case_id>/messages")
@open_while(Restriction.SUSPENDED)
def post_case_message(case_id: int):
    """Open while suspended: a customer still writes to their own case; a suspended agent finds no other case."""
    user = signed_in_user()
    case = cases.get_case(user, case_id)
    data = json_body()  # the service names every bad field at once
    message = cases.post_message(user, case, data.get("body"), data.get("visibility", "customer"),
                                 data.get("upload_ids"))
    return serializers.case_message(message), 201


@bp.post("/cases/<id:case_id>/resolution")
def resolve_case(case_id: int):
    user = signed_in_user()
    case = cases.get_case(user, case_id)
    require(user, Action.CASE_WORK, case)
    data = json_body()  # the service names every bad field at once
    resolved = cases.resolve_case(user, case, data.get("resolution"), data.get("publish_to_thread", True))
    return _case(resolved, user)
