""""Did this resolve your issue?": asking the asker, and recording the answer.

Asked when a reply is accepted, or 24 h after the first reply. A "no" is where the
customer is offered escalation to the support team (the escalation issue plugs in via
offers_escalation).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from forum import cases
from forum.core import clock, i18n
from forum.core.errors import ErrorCollector, Forbidden
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Feedback, NotificationKind, Thread, User
from forum.services import notifications
from forum.services.permissions import Action, require

MAX_COMMENT = 2000


@dataclass(frozen=True)
class FeedbackInput:
    resolved: object
    rating: object = None
    comment: object = ""


def request_feedback(thread: Thread) -> bool:
    """Ask the asker once per thread; the caller commits. Returns whether it asked now."""
    claimed = db.session.execute(  # a conditional UPDATE: two sweeping workers never both ask
        update(Thread)
        .where(Thread.id == thread.id, Thread.feedback_requested_at.is_(None))
        .values(feedback_requested_at=clock.now())
    ).rowcount
    if not claimed:
        return False
    db.session.refresh(thread)
    notifications.notify([thread.author_id], notifications.Event(NotificationKind.FEEDBACK_REQUEST, thread))
    return True


def _validate(data: FeedbackInput) -> None:
    errors = ErrorCollector()
    if not isinstance(data.resolved, bool):
        errors.add("resolved", _("Answer yes (true) or no (false)."))
    if data.rating is not None and (
        isinstance(data.rating, bool) or not isinstance(data.rating, int) or not 1 <= data.rating <= 5
    ):
        errors.add("rating", _("Rate from 1 to 5."))
    if not isinstance(data.comment or "", str):
        errors.add("comment", _("The comment must be text."))
    elif len(data.comment or "") > MAX_COMMENT:
        errors.add("comment", _("Keep the comment under %(most)s characters.", most=i18n.format_number(MAX_COMMENT)))
    errors.raise_if_any()


def give_feedback(actor: User | None, thread: Thread, data: FeedbackInput) -> Feedback:
    """Record the asker's answer; only the asker may give it, and a new answer replaces the old one.

    One row per asker and thread keeps satisfaction metrics honest however often they click.
    """
    require(actor, Action.THREAD_VIEW, thread)
    if actor is None or actor.id != thread.author_id:
        raise Forbidden(_("Only the person who asked can say whether it was resolved."))
    _validate(data)
    row = latest_feedback(thread) or Feedback(thread_id=thread.id, user_id=actor.id)
    row.resolved, row.rating = data.resolved, data.rating
    row.comment, row.created_at = (data.comment or "").strip(), clock.now()
    db.session.add(row)
    thread.feedback_requested_at = thread.feedback_requested_at or row.created_at
    if data.resolved is False:
        _reopen_resolved_case(actor, thread)
    db.session.commit()
    return row


def _reopen_resolved_case(actor: User, thread: Thread) -> None:
    """A "no" after support resolved the question sends the case back to them, not to a new queue entry."""
    case = cases.latest_case(thread.id)
    if case is not None:
        cases.reopen_case(actor, case, "The customer says this did not resolve the issue.", commit=False)


def offers_escalation(feedback: Feedback) -> bool:
    """A customer who says "not resolved" is offered the support team."""
    return not feedback.resolved


def latest_feedback(thread: Thread) -> Feedback | None:
    return db.session.scalar(
        db.select(Feedback).where(Feedback.thread_id == thread.id).order_by(Feedback.id.desc()).limit(1)
    )
