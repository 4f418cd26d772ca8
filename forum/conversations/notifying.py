"""Telling participants about new messages: one notification per conversation while it is unread.

Like helpful votes, messages are batched: while a participant has an unread MESSAGE notification for a
conversation, a new message bumps its count (and who wrote last) instead of adding a row, so a busy
conversation cannot flood anyone. A new row (the first unread message) goes through
forum.services.notifications.notify, so it is emailed by the notifications.email job like every other
notification to whoever wants email immediately; a bumped row is not emailed again. Someone who ignores
the author hears nothing from them. Reading the conversation marks its notifications read.
"""

from __future__ import annotations

from sqlalchemy import update

from forum.accounts import blocks
from forum.core import clock
from forum.core.extensions import db
from forum.models import Conversation, ConversationMessage, Notification, NotificationKind, User
from forum.services import notifications


def on_message(conversation: Conversation, message: ConversationMessage, author: User) -> None:
    """Bump or create each other participant's MESSAGE notification for this conversation."""
    others = [p.user_id for p in conversation.participants if p.user_id != author.id and p.left_at is None]
    listening = blocks.not_ignoring(author.id, others)
    if not listening:
        return
    bumped = set(db.session.scalars(
        update(Notification)
        .where(Notification.user_id.in_(listening), Notification.conversation_id == conversation.id,
               Notification.kind == NotificationKind.MESSAGE.value, Notification.read_at.is_(None))
        .values(count=Notification.count + 1, created_at=clock.now(), actor_id=author.id)
        .returning(Notification.user_id),
        execution_options={"synchronize_session": False},
    ))
    fresh = [user_id for user_id in listening if user_id not in bumped]
    notifications.notify(fresh, notifications.Event(NotificationKind.MESSAGE, None, actor=author,
                                                     message=conversation.title, conversation_id=conversation.id))


def mark_read(user: User, conversation: Conversation) -> None:
    """The reader's notifications about this conversation are read now (the caller commits)."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.conversation_id == conversation.id,
               Notification.read_at.is_(None))
        .values(read_at=clock.now()), execution_options={"synchronize_session": False})
