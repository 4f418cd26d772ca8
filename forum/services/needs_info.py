""""Needs more info": advocates or staff ask the asker for details, pausing the response clock."""

from __future__ import annotations

from forum.core import clock
from forum.core.errors import Conflict, ErrorCollector
from forum.core.extensions import db
from forum.core.i18n import _, format_number
from forum.models import NotificationKind, Thread, ThreadKind, ThreadStatus, User
from forum.services import notifications, qa
from forum.services.permissions import Action, require

MAX_NOTE = 1000


def request_info(actor: User | None, thread: Thread, note: object) -> Thread:
    """Put an open or answered question into needs_info with a note, and tell the asker."""
    require(actor, Action.THREAD_REQUEST_INFO, thread)
    errors = ErrorCollector()
    if not isinstance(note, str) or not note.strip():
        errors.add("note", _("Say what information is missing."))
    elif len(note) > MAX_NOTE:
        errors.add("note", _("Keep the note under %(max)s characters.", max=format_number(MAX_NOTE)))
    errors.raise_if_any()
    if thread.kind != ThreadKind.QUESTION.value or thread.status not in {
        ThreadStatus.OPEN.value, ThreadStatus.ANSWERED.value, ThreadStatus.NEEDS_INFO.value
    }:
        raise Conflict(_("Only open questions can wait for more information."))
    thread.needs_info_note = note.strip()
    thread.needs_info_by_id = actor.id
    thread.needs_info_since = thread.needs_info_since or clock.now()
    thread.status = ThreadStatus.NEEDS_INFO.value
    notifications.notify([thread.author_id], notifications.Event(NotificationKind.NEEDS_INFO, thread, actor=actor,
                                                                 message=thread.needs_info_note))
    db.session.commit()
    return thread


def clear_info_request(actor: User | None, thread: Thread, *, commit: bool = True) -> bool:
    """Leave needs_info (asker or staff), adding the paused time to the thread's pause total.

    Returns False when the thread was not waiting for information (nothing changed).
    """
    require(actor, Action.THREAD_CLEAR_INFO, thread)
    waiting = thread.status == ThreadStatus.NEEDS_INFO.value
    if waiting:
        paused = clock.now() - thread.needs_info_since if thread.needs_info_since else None
        thread.paused_seconds += int(paused.total_seconds()) if paused else 0
        thread.needs_info_note = None
        thread.needs_info_by_id = None
        thread.needs_info_since = None
        db.session.flush()
        thread.status = qa.status_without_solution(thread)
    if commit:
        db.session.commit()
    return waiting
