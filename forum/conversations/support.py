"""From a staff member's private conversation to a service case: support issues stay in cases.

Staff write to a member from the member 360 page. When the exchange turns out to be a support issue,
an agent opens a normal case for the member (through forum.cases' public functions: a case belongs to
one of the member's threads, chosen on the conversation page) and the conversation's text becomes the
case's first message, an internal note, so the agents working it have the whole story without the
member repeating it. The conversation itself is no case: it is never counted in case metrics (those
read only cases), and opening a case from it leaves it as it was.
"""

from __future__ import annotations

from sqlalchemy import select

from forum import cases
from forum.conversations import messaging
from forum.core.errors import Conflict, Invalid
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Case, CaseSource, Conversation, MessageVisibility, Thread, User
from forum.services.permissions import Action, can, is_staff, require

MAX_THREADS = 20
MAX_TRANSCRIPT = 20_000  # what a case message holds (forum.cases.work); the oldest part is cut first


def offers_case(viewer: User | None, conversation: Conversation) -> bool:
    """The "Open a case" button: agents in a conversation staff started with one member."""
    return conversation.staff_started and can(viewer, Action.CASE_WORK) and member_of(conversation) is not None


def member_of(conversation: Conversation) -> User | None:
    """The one participant who is not staff (the customer a case would be for); None if not exactly one."""
    members = [p.user for p in conversation.participants if p.left_at is None and not p.user.is_staff]
    return members[0] if len(members) == 1 else None


def case_threads(member: User) -> list[Thread]:
    """The member's own live threads, newest first: the case is opened on one of them."""
    return list(db.session.scalars(
        select(Thread).where(Thread.author_id == member.id, Thread.deleted_at.is_(None))
        .order_by(Thread.created_at.desc(), Thread.id.desc()).limit(MAX_THREADS)))


def transcript(conversation: Conversation) -> str:
    """The conversation as plain Markdown quoting each message (hidden ones left out)."""
    parts = [_("Private conversation “%(title)s” (conversation %(id)s):", title=conversation.title, id=conversation.id)]
    for message in messaging.messages_of(conversation):
        if message.hidden_at is None:
            quoted = "\n".join(f"> {line}" for line in message.body.splitlines())
            parts.append(_("**%(name)s** wrote:", name=message.author.name) + f"\n\n{quoted}")
    text = "\n\n".join(parts)
    return text if len(text) <= MAX_TRANSCRIPT else "…" + text[-(MAX_TRANSCRIPT - 1):]


def open_case(actor: User, conversation_id: int, thread_id: int | None) -> Case:
    """Open (or reuse) the case on the member's chosen thread and add the conversation to it."""
    conversation = messaging.get_conversation(actor, conversation_id)
    require(actor, Action.CASE_WORK)
    member = member_of(conversation)
    if not conversation.staff_started or member is None or not is_staff(actor):
        raise Conflict(_("Only a conversation staff started with one member can become a case."))
    thread = next((t for t in case_threads(member) if t.id == thread_id), None)
    if thread is None:
        raise Invalid({"thread_id": [_("Choose one of %(name)s's questions for the case.", name=member.name)]})
    case, _created = cases.escalate_thread(actor, thread, _("From the private conversation “%(title)s”",
                                                            title=conversation.title),
                                           source=CaseSource.STAFF)
    cases.post_message(actor, case, transcript(conversation), MessageVisibility.INTERNAL.value)
    return case
