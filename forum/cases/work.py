"""Working a case: status, priority and assignment, the private conversation, and the resolution.

Agents (and admins) work cases; the customer may only write customer-visible messages on
their own case. Every status change lands on the public timeline and tells the asker. The
resolution goes back to the thread as a staff answer, so the next customer finds it.
"""

from __future__ import annotations

from dataclasses import dataclass

from forum import uploads
from forum.cases.state import (
    CUSTOMER_WROTE,
    INTERNAL_NOTE,
    PRIORITY_WORDS,
    SUPPORT_WROTE,
    add_event,
    first_response_due,
    set_status,
    tell,
)
from forum.core import clock, events, i18n
from forum.core.errors import Conflict, ErrorCollector, Forbidden
from forum.core.extensions import db
from forum.core.i18n import _, _l
from forum.models import (
    Case,
    CaseMessage,
    CasePriority,
    CaseStatus,
    MessageVisibility,
    Post,
    Thread,
    ThreadKind,
    ThreadStatus,
    User,
)
from forum.services import feedback, markup, moderation_state, notifications, qa, sentiment
from forum.services.permissions import Action, is_agent, require

MAX_MESSAGE_CHARS = 20_000
MAX_RESOLUTION_BYTES = 64 * 1024


class _Unset:
    """"Leave as is" for fields where None has a meaning of its own (assignee_id None: unassign)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()


@dataclass(frozen=True)
class CaseChange:
    status: str | None = None
    priority: str | None = None
    assignee_id: int | None | _Unset = UNSET


def _one_of(value: object, choices: type) -> bool:
    return isinstance(value, str) and value in {choice.value for choice in choices}


def _validate_change(change: CaseChange) -> User | None:
    """Every problem with the change at once; returns the new assignee (None: unassign or unchanged)."""
    errors = ErrorCollector()
    if change.status is not None and not _one_of(change.status, CaseStatus):
        errors.add("status", _("Choose new, open, pending_customer, resolved or closed."))
    if change.priority is not None and not _one_of(change.priority, CasePriority):
        errors.add("priority", _("Choose low, normal, high or urgent."))
    assignee = None
    if change.assignee_id is not UNSET and change.assignee_id is not None:
        valid_id = isinstance(change.assignee_id, int) and not isinstance(change.assignee_id, bool)
        assignee = db.session.get(User, change.assignee_id) if valid_id and 0 < change.assignee_id < 2**31 else None
        if assignee is None or not is_agent(assignee):
            errors.add("assignee_id", _("Choose an agent or admin."))
    errors.raise_if_any()
    return assignee


def change_case(actor: User, case: Case, change: CaseChange) -> Case:
    """Apply change (see update_case) and answer the case, as the API does."""
    update_case(actor, case, change)
    return case


def update_case(actor: User, case: Case, change: CaseChange) -> bool:
    """Set status, priority and assignee (agents); a new case someone takes on becomes "in progress".

    A priority change moves the first-response due time (from the case's creation), and each
    status change is on the public timeline and told to the asker. Returns False when the case
    already was so: nothing recorded, nobody told, and the desk says nothing changed.
    """
    require(actor, Action.CASE_WORK, case)
    assignee = _validate_change(change)
    changed = False
    if change.priority is not None and change.priority != case.priority:
        _set_priority(case, actor, change.priority)
        changed = True
    if change.assignee_id is not UNSET and change.assignee_id != case.assignee_id:
        _assign(case, actor, assignee)
        changed = True
    status = change.status
    if status is None and assignee is not None and case.status == CaseStatus.NEW.value:
        status = CaseStatus.OPEN.value
    if status is not None:
        changed = set_status(case, actor, status) or changed
        sync_thread_status(case)
    if changed:
        case.updated_at = clock.now()
    db.session.commit()
    return changed


def _set_priority(case: Case, actor: User | None, priority: str) -> None:
    add_event(case, "priority", actor, public=False, detail=_(
        "Priority %(before)s → %(after)s.", before=PRIORITY_WORDS.get(case.priority, case.priority),
        after=PRIORITY_WORDS.get(priority, priority)))
    case.priority = priority
    case.first_response_due_at = first_response_due(priority, case.created_at, case.thread.category)
    events.publish("case.updated", case_id=case.id, change="priority")


def raise_priority(case: Case, actor: User | None, why: str) -> bool:
    """One step up (low → normal → high → urgent); False when already urgent. The caller commits."""
    order = [p.value for p in CasePriority]
    index = order.index(case.priority)
    if index + 1 >= len(order):
        return False
    _set_priority(case, actor, order[index + 1])
    add_event(case, "note", actor, detail=why, public=False)
    case.updated_at = clock.now()
    return True


def _assign(case: Case, actor: User, assignee: User | None) -> None:
    detail = _("Assigned to %(name)s.", name=assignee.name) if assignee is not None else _("Unassigned.")
    add_event(case, "assigned", actor, detail=detail, public=False)
    case.assignee_id = assignee.id if assignee is not None else None
    events.publish("case.updated", case_id=case.id, change="assignee")
    if assignee is not None:
        tell([assignee.id], case, actor, _l("Case %(reference)s is assigned to you.", reference=case.public_reference))


def sync_thread_status(case: Case) -> None:
    """The thread reads "escalated" while its case is open, and falls back when it ends (unless solved)."""
    thread = case.thread
    if thread.status == ThreadStatus.SOLVED.value:
        return
    if case.is_open:
        thread.status = ThreadStatus.ESCALATED.value
    elif thread.status == ThreadStatus.ESCALATED.value:
        thread.status = qa.status_without_solution(thread)


def claim_case(actor: User, case: Case) -> bool:
    """Take the case on: assign it to yourself. False when it already was yours."""
    return update_case(actor, case, CaseChange(assignee_id=actor.id))


def _validate_message(body: object, visibility: object) -> None:
    errors = ErrorCollector()
    if not isinstance(body, str) or not body.strip():
        errors.add("body", _("Write a message first."))
    elif len(body) > MAX_MESSAGE_CHARS:
        errors.add("body", _("Keep the message under %(most)s characters.",
                             most=i18n.format_number(MAX_MESSAGE_CHARS)))
    if not _one_of(visibility, MessageVisibility):
        errors.add("visibility", _("Choose customer or internal."))
    errors.raise_if_any()


def post_message(actor: User, case: Case, body: str, visibility: str, upload_ids: object = None) -> CaseMessage:
    """Add to the private conversation: agents write either kind, the customer only customer-visible ones.

    The author's uploads the body references, and upload_ids (all the author's own), become the
    message's attachments: seen by exactly those who may see the message.

    The first customer-visible agent message is the case's first response (the SLA clock); a
    customer answering a case that waits on them puts it back in progress. The assignee hears of the
    customer's messages and of colleagues' internal notes, and may answer their email (forum.mail.case_replies).
    """
    require(actor, Action.CASE_VIEW, case)
    staff = is_agent(actor)
    if not staff and visibility == MessageVisibility.INTERNAL.value:
        raise Forbidden(_("Internal notes are for support staff only."))
    _validate_message(body, visibility)
    body = uploads.with_references(actor, body.strip(), upload_ids)
    if case.status == CaseStatus.CLOSED.value:
        raise Conflict(_("This case is closed; ask for help on the thread again to open a new one."))
    moment = clock.now()
    message = CaseMessage(
        case_id=case.id, author_id=actor.id, visibility=visibility, body=body.strip(),
        body_html=markup.render_markdown(body.strip()), created_at=moment,
    )
    db.session.add(message)
    db.session.flush()
    uploads.link_case_message(message)
    events.publish("case.updated", case_id=case.id, change="message", message=message)
    if staff:
        _after_staff_message(case, actor, visibility)
    else:
        if case.status == CaseStatus.PENDING_CUSTOMER.value:
            set_status(case, actor, CaseStatus.OPEN.value, detail=_("The customer answered."))
        tell([case.assignee_id], case, actor, _l(CUSTOMER_WROTE, reference=case.public_reference))
    case.updated_at = moment
    db.session.commit()
    return message


def _after_staff_message(case: Case, actor: User, visibility: str) -> None:
    """A colleague's internal note tells the assignee, unless they are the case's customer (an agent asking
    support on their own thread): customers never hear of internal notes, not even that one exists."""
    if visibility == MessageVisibility.INTERNAL.value:
        if case.assignee_id not in (actor.id, case.customer_id):
            tell([case.assignee_id], case, actor, _l(INTERNAL_NOTE, reference=case.public_reference))
        return
    if case.first_response_at is None:
        case.first_response_at = clock.now()
    if case.status == CaseStatus.NEW.value:
        set_status(case, actor, CaseStatus.OPEN.value)
    tell([case.customer_id], case, actor, _l(SUPPORT_WROTE, reference=case.public_reference))


def _validate_resolution(resolution: object, publish: object) -> str:
    errors = ErrorCollector()
    if not isinstance(resolution, str) or not resolution.strip():
        errors.add("resolution", _("Write the resolution first."))
    elif len(resolution.encode("utf-8")) > MAX_RESOLUTION_BYTES:
        errors.add("resolution", _("Keep the resolution under %(most)d KB.", most=MAX_RESOLUTION_BYTES // 1024))
    if not isinstance(publish, bool):
        errors.add("publish_to_thread", _("Answer true or false."))
    errors.raise_if_any()
    return resolution.strip()


def resolve_case(actor: User, case: Case, resolution: str, publish_to_thread: bool = True) -> Case:
    """Resolve with a written resolution; by default it becomes the thread's accepted staff answer.

    Accepting makes the thread solved by support (unless a peer's answer is already accepted:
    that one stands). The asker is asked "Did this resolve your issue?" again either way.
    """
    require(actor, Action.CASE_WORK, case)
    resolution = _validate_resolution(resolution, publish_to_thread)
    if not case.is_open:
        raise Conflict(_("This case is already resolved or closed."))
    thread = case.thread
    post = _publish(actor, thread, resolution) if publish_to_thread and thread.deleted_at is None else None
    case.resolution = resolution
    case.resolution_post_id = post.id if post is not None else None
    case.first_response_at = case.first_response_at or clock.now()
    set_status(case, actor, CaseStatus.RESOLVED.value, detail=_("Resolved by support."))
    thread.feedback_requested_at = None  # ask again: this answer is new
    db.session.flush()
    if post is not None and thread.kind == ThreadKind.QUESTION.value and thread.accepted_post_id is None:
        qa.accept_solution(actor, thread, post)  # solved_by support, feedback requested; commits all of it
        return case
    sync_thread_status(case)
    db.session.flush()
    feedback.request_feedback(thread)
    db.session.commit()
    return case


def _publish(actor: User, thread: Thread, body: str) -> Post:
    """The resolution as a staff reply on the thread, counted and announced like any reply."""
    post = Post(
        thread_id=thread.id, author_id=actor.id, is_question=False, body=body,
        body_html=markup.render_markdown(body), renderer_version=markup.RENDERER_VERSION,
        created_at=clock.now(), sentiment=sentiment.score(body),
    )
    db.session.add(post)
    db.session.flush()
    moderation_state.count_reply(thread, post, by_asker=actor.id == thread.author_id)
    db.session.refresh(thread)
    notifications.on_reply(thread, post, actor)
    events.publish("post.created", post_id=post.id)
    return post
