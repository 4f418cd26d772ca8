"""Flags on private messages: a participant hands a message to the moderators, and only then may they read.

A flag waits in the review queue (the queue page lists open ones next to flagged posts). A moderator
opens the conversation through it, never otherwise (forum.conversations.rules.may_moderate: the
conversation must carry a flag, pending or handled), and every such look is written to the audit log,
so members can trust that private means private. The moderator then hides the message (it stays for
the audit trail, shown to nobody) or dismisses the flags; either settles every open flag on it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from forum.conversations import messaging
from forum.core import clock
from forum.core.errors import Conflict, Forbidden, Invalid, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Conversation, ConversationMessage, User
from forum.models.conversations import ConversationFlag
from forum.services import audit_writer
from forum.services.permissions import Action, can, require

REASONS = ("spam", "offensive", "off_topic", "needs_staff", "other")
DECISIONS = {"hide": "hidden", "dismiss": "dismissed"}
MAX_NOTE = 1000


def flag_message(actor: User, message_id: int, reason: str, note: str = "", *,
                 conversation_id: int | None = None) -> ConversationFlag:
    """Flag another participant's message; one flag per person and message (a second answers Conflict)."""
    message = db.session.get(ConversationMessage, message_id)
    if message is None or conversation_id not in (None, message.conversation_id):
        raise NotFound(_("That message does not exist or is not visible to you."))
    conversation = messaging.get_conversation(actor, message.conversation_id)
    require(actor, Action.CONVERSATION_REPLY, conversation)
    if message.author_id == actor.id:
        raise Forbidden(_("You cannot flag your own message."))
    note = (note or "").strip()
    if reason not in REASONS:
        raise Invalid({"reason": [_("Choose one of: %(reasons)s.", reasons=", ".join(REASONS))]})
    if len(note) > MAX_NOTE:
        raise Invalid({"note": [_("Keep the note under %(num)d characters.", num=MAX_NOTE)]})
    flag = ConversationFlag(message_id=message.id, conversation_id=conversation.id, user_id=actor.id,
                            reason=reason, note=note, created_at=clock.now())
    try:
        with db.session.begin_nested():
            db.session.add(flag)
    except IntegrityError as exc:
        raise Conflict(_("You flagged this message already; a moderator will look at it.")) from exc
    db.session.commit()
    return flag


def flagged_message_ids(user: User, conversation: Conversation) -> set[int]:
    """The messages of conversation that user flagged (their flag buttons show as done)."""
    return set(db.session.scalars(select(ConversationFlag.message_id).where(
        ConversationFlag.conversation_id == conversation.id, ConversationFlag.user_id == user.id)))


def open_flags(viewer: User | None) -> list[ConversationFlag]:
    """Flags waiting for a moderator, oldest first (an empty list for anyone who may not moderate)."""
    if not can(viewer, Action.CONVERSATION_MODERATE):
        return []
    return list(db.session.scalars(
        select(ConversationFlag)
        .options(selectinload(ConversationFlag.message).selectinload(ConversationMessage.author),
                 selectinload(ConversationFlag.conversation), selectinload(ConversationFlag.user))
        .where(ConversationFlag.resolved_at.is_(None)).order_by(ConversationFlag.created_at, ConversationFlag.id)))


def moderated_view(moderator: User | None, conversation_id: int) -> tuple[Conversation, list, list[ConversationFlag]]:
    """A moderator reads a flagged conversation: messages (hidden ones too) and its flags; audited each time.

    Without a flag on it (or for anyone but a moderator) it does not exist: 404, as for everyone else.
    """
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None or not can(moderator, Action.CONVERSATION_MODERATE, conversation):
        raise NotFound(_("That conversation does not exist or is not visible to you."))
    flags = list(db.session.scalars(
        select(ConversationFlag).options(selectinload(ConversationFlag.user))
        .where(ConversationFlag.conversation_id == conversation.id).order_by(ConversationFlag.id)))
    audit_writer.record(moderator, "conversation.view", "conversation", conversation.id,
                        "Read through a flag", after={"flag_ids": [flag.id for flag in flags]})
    db.session.commit()
    return conversation, messaging.messages_of(conversation), flags


def decide(moderator: User | None, message_id: int, action: str, note: str = "") -> ConversationMessage:
    """Hide the flagged message or dismiss its flags; every open flag on it is settled; audited."""
    message = db.session.get(ConversationMessage, message_id)
    if message is None or not can(moderator, Action.CONVERSATION_MODERATE, message.conversation):
        raise NotFound(_("That message does not exist or is not visible to you."))
    if action not in DECISIONS:
        raise Invalid({"action": [_("Choose hide or dismiss.")]})
    note = (note or "").strip()[:MAX_NOTE]
    moment = clock.now()
    before = {"hidden": message.hidden_at is not None}
    if action == "hide" and message.hidden_at is None:
        message.hidden_at = moment
    for flag in db.session.scalars(select(ConversationFlag).where(
            ConversationFlag.message_id == message.id, ConversationFlag.resolved_at.is_(None))):
        flag.resolved_at, flag.resolved_by_id, flag.outcome = moment, moderator.id, DECISIONS[action]
    audit_writer.record(moderator, f"conversation_message.{action}", "conversation_message", message.id, note,
                        before, {"hidden": message.hidden_at is not None})
    db.session.commit()
    return message
