"""Review findings on ignoring members and the private parts of the export (issue 22, part E): each test
failed before its fix."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta

from sqlalchemy import select

from forum.accounts import data_export
from forum.core import clock
from forum.core.extensions import db
from forum.models import Conversation, ConversationParticipant, DataExport


def _archive(user, run_jobs) -> zipfile.ZipFile:
    data_export.request_export(user)
    run_jobs()
    db.session.expire_all()
    export = db.session.scalars(select(DataExport).where(DataExport.user_id == user.id)
                                .order_by(DataExport.id.desc())).first()
    assert export.status == "ready", export.status
    return zipfile.ZipFile(data_export.exports_dir() / export.file_name)


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
    [exported] = json.loads(_archive(ada, run_jobs).read("conversations.json"))
    departures = {p["username"]: p["left_at"] for p in exported["participants"]}
    assert departures == {"bob": None, "you": "2026-11-20T09:10:00Z", "carol": "2026-11-20T09:05:00Z"}
