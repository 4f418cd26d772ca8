"""Helpers shared by the flag, review queue and moderator action tests."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from forum.core.extensions import db
from forum.models import AuditEntry, Notification, NotificationKind, Post, Thread
from forum.recognition.reputation import ledger_total
from forum.services import policies

HOLD_WORD = "holdme"


def hold_marked_drafts(draft: policies.Draft) -> policies.Verdict | None:
    """A stand-in content check: drafts containing HOLD_WORD wait for approval."""
    if HOLD_WORD in draft.body:
        return policies.Verdict(hold_reason="Contains a word a moderator reviews.")
    return None


@pytest.fixture
def holding(monkeypatch):
    """Add the stand-in check for one test, next to whatever checks moderation registered."""
    monkeypatch.setattr(policies, "_checks", [*policies._checks, ("tests.hold", hold_marked_drafts)])


def audit_entries(action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))


def audit_after(entry: AuditEntry) -> dict:
    return json.loads(entry.after_json)


def moderation_notes(user_id: int) -> list[str]:
    return list(db.session.scalars(
        select(Notification.message).where(Notification.user_id == user_id,
                                           Notification.kind == NotificationKind.MODERATION.value)
        .order_by(Notification.id)
    ))


def notified_kinds(user_id: int) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user_id)))


def exact_counters(thread: Thread) -> tuple[int, object]:
    """(reply_count, first_reply_at) recomputed from the rows, to compare with the stored counters."""
    replies = list(db.session.scalars(select(Post).where(
        Post.thread_id == thread.id, Post.is_question.is_(False), Post.deleted_at.is_(None),
        Post.visibility == "public")))
    firsts = [p.created_at for p in replies if p.author_id != thread.author_id]
    return len(replies), min(firsts) if firsts else None


def reputation_is_consistent(*users) -> bool:
    for user in users:
        db.session.refresh(user)
        if user.reputation != ledger_total(user.id):
            return False
    return True
