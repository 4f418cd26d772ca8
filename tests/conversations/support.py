"""Conversations for tests that need one to exist (the security matrix, reads-never-write), made without the rules.

The service's rules (sandbox, daily limit) are tested in this folder; other suites only need a
conversation between two members, and a flag on one of its messages, to request their URLs.
"""

from __future__ import annotations

from forum.core import clock
from forum.core.extensions import db
from forum.models import Conversation, ConversationMessage, ConversationParticipant, User
from forum.models.conversations import ConversationFlag
from forum.services import markup


def seed_conversation(starter: User, others: list[User], title: str = "About your refund",
                      body: str = "Did the second charge go back?", *, flagged_by: User | None = None) -> Conversation:
    """A conversation with one message from starter (flagged by flagged_by, if given); committed."""
    moment = clock.now()
    conversation = Conversation(title=title, started_by_id=starter.id, staff_started=starter.is_staff,
                                created_at=moment, last_message_at=moment)
    conversation.participants = [ConversationParticipant(user_id=user.id, joined_at=moment)
                                 for user in [starter, *others]]
    message = ConversationMessage(conversation=conversation, author_id=starter.id, body=body,
                                  body_html=markup.render_markdown(body), created_at=moment)
    db.session.add_all([conversation, message])
    db.session.flush()
    if flagged_by is not None:
        db.session.add(ConversationFlag(message_id=message.id, conversation_id=conversation.id,
                                        user_id=flagged_by.id, reason="offensive", note="", created_at=moment))
    db.session.commit()
    return conversation
