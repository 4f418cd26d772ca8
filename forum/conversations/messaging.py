"""Reading and answering conversations: the inbox, one conversation (which marks it read), a reply.

A conversation that the caller may not see is a NotFound, whoever asks (staff included): moderators
reach a flagged one through forum.conversations.flagging only. Hidden messages (a moderator acted on a
flag) are shown to nobody here; their place says they were hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum.conversations import notifying, starting
from forum.core import clock
from forum.core.errors import ErrorCollector, NotAuthenticated, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.core.pagination import Page, decode_cursor, encode_cursor
from forum.models import Conversation, ConversationMessage, ConversationParticipant, User
from forum.services.permissions import Action, require, signed_in


@dataclass(frozen=True)
class InboxRow:
    """One conversation in someone's inbox, with whether anything in it is new to them."""

    conversation: Conversation
    unread: bool


def get_conversation(viewer: User | None, conversation_id: int) -> Conversation:
    """The conversation if the viewer takes part in it; NotFound otherwise (never a hint that it exists)."""
    conversation = db.session.scalar(
        select(Conversation).options(selectinload(Conversation.participants).selectinload(
            ConversationParticipant.user)).where(Conversation.id == conversation_id))
    if conversation is None:
        raise NotFound(_("That conversation does not exist or is not visible to you."))
    require(viewer, Action.CONVERSATION_VIEW, conversation)
    return conversation


def messages_of(conversation: Conversation) -> list[ConversationMessage]:
    return list(db.session.scalars(
        select(ConversationMessage).options(selectinload(ConversationMessage.author))
        .where(ConversationMessage.conversation_id == conversation.id)
        .order_by(ConversationMessage.created_at, ConversationMessage.id)))


def read_conversation(viewer: User | None, conversation_id: int) -> tuple[Conversation, list[ConversationMessage]]:
    """Open one conversation: its messages, oldest first; it (and its notifications) are read from now on."""
    conversation = get_conversation(viewer, conversation_id)
    messages = messages_of(conversation)
    participant = _participant(conversation, viewer)
    if participant.last_read_at is None or participant.last_read_at < conversation.last_message_at:
        participant.last_read_at = clock.now()
        notifying.mark_read(viewer, conversation)
        db.session.commit()
    return conversation, messages


def _participant(conversation: Conversation, user: User) -> ConversationParticipant:
    return next(p for p in conversation.participants if p.user_id == user.id and p.left_at is None)


def reply(actor: User, conversation_id: int, body: str) -> ConversationMessage:
    """Add a message (active participants only); the others are told."""
    conversation = get_conversation(actor, conversation_id)
    require(actor, Action.CONVERSATION_REPLY, conversation)
    errors = ErrorCollector()
    body = (body or "").strip()
    starting.check_body(errors, body)
    body = starting.reviewed_body(errors, actor, body) if not errors.errors else body
    errors.raise_if_any()
    message = starting.new_message(conversation, actor, body)
    notifying.on_message(conversation, message, actor)
    notifying.mark_read(actor, conversation)
    db.session.commit()
    return message


def list_conversations(viewer: User | None, limit: int, cursor: str | None = None) -> Page[InboxRow]:
    """The viewer's conversations, latest activity first, each marked unread when a message came after reading."""
    if not signed_in(viewer):
        raise NotAuthenticated(_("Sign in to read your messages."))
    statement = (
        select(Conversation, ConversationParticipant.last_read_at)
        .join(ConversationParticipant, ConversationParticipant.conversation_id == Conversation.id)
        .options(selectinload(Conversation.participants).selectinload(ConversationParticipant.user))
        .where(ConversationParticipant.user_id == viewer.id, ConversationParticipant.left_at.is_(None))
    )
    after = decode_cursor(cursor, [datetime, int])
    if after:
        moment, last_id = after
        statement = statement.where(
            (Conversation.last_message_at < moment)
            | ((Conversation.last_message_at == moment) & (Conversation.id < last_id)))
    rows = db.session.execute(
        statement.order_by(Conversation.last_message_at.desc(), Conversation.id.desc()).limit(limit + 1)).all()
    items = [InboxRow(c, read_at is None or read_at < c.last_message_at) for c, read_at in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1][0]
        next_cursor = encode_cursor([last.last_message_at, last.id])
    return Page(items, next_cursor)


def is_unread(conversation: Conversation, user: User) -> bool:
    participant = next((p for p in conversation.participants if p.user_id == user.id), None)
    return participant is not None and (
        participant.last_read_at is None or participant.last_read_at < conversation.last_message_at)


def conversations_of(user: User) -> list[Conversation]:
    """Every conversation the member takes or took part in (for their data export), oldest first."""
    return list(db.session.scalars(
        select(Conversation).join(ConversationParticipant)
        .where(ConversationParticipant.user_id == user.id).order_by(Conversation.id)))


def messages_by(user: User) -> list[ConversationMessage]:
    """Every message the member wrote (for their data export and anonymisation), oldest first."""
    return list(db.session.scalars(
        select(ConversationMessage).where(ConversationMessage.author_id == user.id)
        .order_by(ConversationMessage.created_at, ConversationMessage.id)))
