"""Private conversations between members, and between members and staff.

rules (who may start, read, answer, moderate; installed into the permission layer), starting (a new
conversation: participants, sandbox, daily limit, text checks), messaging (inbox, reading, replying),
notifying (one batched notification per conversation while unread, emailed like the others), flagging
(participants' flags, the moderators' audited look through a flag, hiding a message) and support (a
staff-started conversation becoming a case); pages (/messages, the moderators' flagged view) and api
(/api/v1/conversations) are its routes. Callers outside the package use the names re-exported here.
"""

from __future__ import annotations

from flask import Flask

from forum.conversations.flagging import decide, flag_message, moderated_view, open_flags
from forum.conversations.messaging import (
    conversations_of,
    get_conversation,
    list_conversations,
    messages_by,
    read_conversation,
    reply,
)
from forum.conversations.starting import DailyLimitReached, NewConversation, findings_for, start_conversation
from forum.conversations.support import open_case

__all__ = [
    "DailyLimitReached", "NewConversation", "conversations_of", "decide", "findings_for", "flag_message",
    "get_conversation", "list_conversations", "messages_by", "moderated_view", "open_case", "open_flags",
    "read_conversation", "reply", "start_conversation",
]


def init_app(app: Flask) -> None:
    """The conversation rules, the rate limits of starting and writing, pages and API routes."""
    from forum.conversations import api, pages, rules
    from forum.http import ratelimits
    from forum.services import permissions

    permissions.register_rules(rules.RULES)
    ratelimits.RULES.update({
        "conversations.new": ratelimits.NEW_CONVERSATION,
        "api.start_conversation": ratelimits.NEW_CONVERSATION,
        "conversations.reply": ratelimits.MESSAGE,
        "api.post_conversation_message": ratelimits.MESSAGE,
        # Flags on private messages spend the one daily budget of flags on posts (domain.md: flags 20/day).
        "conversations.flag": ratelimits.FLAG,
        "api.flag_conversation_message": ratelimits.FLAG,
    })
    api.init_app(app)
    pages.init_app(app)
