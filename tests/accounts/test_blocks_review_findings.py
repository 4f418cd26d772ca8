"""Review findings on ignoring members and the private parts of the export (issue 22, part E): each test
failed before its fix."""

from __future__ import annotations

import json
from datetime import timedelta

from forum.core import clock
from forum.core.extensions import db
from forum.models import Conversation, ConversationParticipant
from tests.support.exports import archive_of


def test_the_export_does_not_tell_when_others_left_after_the_member_did(make, run_jobs, clock_at):
    """Others' leaving after the member left was never shown to them; the export told it (to the minute)."""
    ada, bob, carol = make.make_user(username="ada"), make.make_user(username="bob"), make.make_user(username="carol")
    now = clock.now()
    talk = Conversation(title="Router settings", started_by_id=bob.id, created_at=now, last_message_at=now)
    db.session.add(talk)
    db.session.flush()
    left = {ada.id: now + timedelta(minutes=10), bob.id: now + timedelta(minutes=30),
            carol.id: now + timedelta(minutes=5)}
    for person in (bob, ada, carol):
        db.session.add(ConversationParticipant(conversation_id=talk.id, user_id=person.id, joined_at=now,
                                               left_at=left[person.id]))
    db.session.commit()
    [exported] = json.loads(archive_of(ada, run_jobs).read("conversations.json"))
    departures = {p["username"]: p["left_at"] for p in exported["participants"]}
    assert departures == {"bob": None, "you": "2026-11-20T09:10:00Z", "carol": "2026-11-20T09:05:00Z"}
