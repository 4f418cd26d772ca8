"""Who may start, read, answer and moderate a private conversation (installed with permissions.register_rules).

A conversation belongs to its participants: everyone else, staff included, gets a 404 for it. The one
exception is a moderator acting on a flag: a participant who flags a message hands the conversation to
the moderators, and only then may a moderator open it (through the flag's page, audited): while the flag
is open and for ACCESS_AFTER_DECISION after the last one was decided. New accounts
are sandboxed: they may not start a conversation until conversations.min_account_days have passed;
staff are exempt, and no one may write while suspended or unconfirmed (is_active).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select

from forum.core import clock
from forum.core.extensions import db
from forum.models import Conversation, User
from forum.models.conversations import ConversationFlag
from forum.services import community_settings
from forum.services.permissions import Action, is_active, is_moderator, is_staff, signed_in


def enabled() -> bool:
    return bool(community_settings.cached_setting("conversations.enabled"))


def sandboxed(user: User | None) -> bool:
    """A member too new to start a conversation (the new-member sandbox); staff never are."""
    if not signed_in(user) or is_staff(user):
        return False
    days = community_settings.cached_setting("conversations.min_account_days")
    return clock.now() - user.created_at < timedelta(days=days)


def may_start(user: User | None, _target: Any = None) -> bool:
    return enabled() and is_active(user) and not sandboxed(user)


def may_view(user: User | None, conversation: Conversation | None) -> bool:
    return signed_in(user) and conversation is not None and conversation.has_participant(user.id)


def may_reply(user: User | None, conversation: Conversation | None) -> bool:
    return enabled() and is_active(user) and may_view(user, conversation)


# How long after its last flag was decided a moderator may still open a conversation (to answer an appeal
# or a follow-up flag); after that it is private again, whatever was flagged in it once.
ACCESS_AFTER_DECISION = timedelta(days=7)


def is_flagged(conversation_id: int) -> bool:
    """Whether a flag on one of its messages is open, or was decided less than ACCESS_AFTER_DECISION ago."""
    recent = clock.now() - ACCESS_AFTER_DECISION
    return db.session.scalar(
        select(ConversationFlag.id).where(
            ConversationFlag.conversation_id == conversation_id,
            or_(ConversationFlag.resolved_at.is_(None), ConversationFlag.resolved_at > recent),
        ).limit(1)
    ) is not None


def may_moderate(user: User | None, conversation: Conversation | None) -> bool:
    """Moderators; on one conversation only when one of its messages carries a flag (None: the queue itself)."""
    if not is_moderator(user):
        return False
    return conversation is None or is_flagged(conversation.id)


RULES = {
    Action.CONVERSATION_START: may_start,
    Action.CONVERSATION_VIEW: may_view,
    Action.CONVERSATION_REPLY: may_reply,
    Action.CONVERSATION_MODERATE: may_moderate,
}
