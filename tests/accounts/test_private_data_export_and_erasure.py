"""Drafts, conversations and ignores in the member's data export, and what erasing the member does to them
(issue 22). Rows are made directly: the features that write them are built beside this one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.accounts import blocks, deletion
from forum.core import clock
from forum.core.extensions import db
from forum.models import (
    Block,
    Conversation,
    ConversationMessage,
    ConversationParticipant,
    Draft,
    User,
)
from forum.services import markup
from moderation.services.anonymize import anonymize_user
from tests import factories
from tests.support.exports import archive_of, read_json

PASSWORD = factories.PASSWORD


def conversation(title: str, starter: User, *others: User) -> Conversation:
    now = clock.now()
    row = Conversation(title=title, started_by_id=starter.id, created_at=now, last_message_at=now)
    db.session.add(row)
    db.session.flush()
    for person in (starter, *others):
        db.session.add(ConversationParticipant(conversation_id=row.id, user_id=person.id, joined_at=now))
    db.session.flush()
    return row


def message(where: Conversation, author: User, body: str, *, minutes: int, hidden: bool = False):
    moment = clock.now() + timedelta(minutes=minutes)
    row = ConversationMessage(conversation_id=where.id, author_id=author.id, body=body,
                              body_html=markup.render_markdown(body), created_at=moment,
                              hidden_at=moment if hidden else None)
    db.session.add(row)
    db.session.flush()
    return row


def draft(user: User, key: str, body: str, title: str = "") -> Draft:
    row = Draft(user_id=user.id, key=key, title=title, body=body, created_at=clock.now(), updated_at=clock.now())
    db.session.add(row)
    return row


@pytest.fixture
def people(make):
    return {"ada": make.make_user(username="ada", email="ada.private@example.com"),
            "bob": make.make_user(username="bob", email="bob.private@example.com"),
            "carol": make.make_user(username="carol", email="carol.private@example.com")}


@pytest.fixture
def private_life(people):
    """Ada's drafts, two conversations (one she left), one without her, whom she ignores and who ignores her."""
    ada, bob, carol = people["ada"], people["bob"], people["carol"]
    draft(ada, "reply:1", "ADA-DRAFT-REPLY")
    draft(ada, "thread:2", "ADA-DRAFT-QUESTION", title="ADA-DRAFT-TITLE")
    draft(bob, "reply:1", "BOB-DRAFT")
    talk = conversation("Router settings", ada, bob)
    message(talk, ada, "ADA-MESSAGE: call me on +44 20 7946 0958 or ada.home@example.org", minutes=1)
    message(talk, bob, "BOB-MESSAGE", minutes=2)
    message(talk, bob, "BOB-HIDDEN-MESSAGE", minutes=3, hidden=True)
    message(talk, ada, "ADA-HIDDEN-MESSAGE", minutes=4, hidden=True)
    left = conversation("Old chat", bob, ada)
    message(left, bob, "BOB-BEFORE-ADA-LEFT", minutes=1)
    db.session.scalar(select(ConversationParticipant).where(ConversationParticipant.conversation_id == left.id,
                                                            ConversationParticipant.user_id == ada.id)
                      ).left_at = clock.now() + timedelta(minutes=5)
    message(left, bob, "BOB-AFTER-ADA-LEFT", minutes=10)
    elsewhere = conversation("Not ada's", bob, carol)
    message(elsewhere, bob, "BOB-TO-CAROL", minutes=1)
    db.session.commit()
    blocks.ignore(ada, carol)
    blocks.ignore(carol, ada)
    blocks.ignore(bob, carol)
    return {"talk": talk, "left": left, "elsewhere": elsewhere}


def test_the_export_holds_the_members_drafts_conversations_and_ignores(people, private_life, run_jobs):
    archive = archive_of(people["ada"], run_jobs)
    readme = archive.read("README.txt").decode()
    assert "drafts.json" in readme and "conversations.json" in readme and "ignored.json" in readme

    drafts = read_json(archive, "drafts.json")
    assert {(d["key"], d["title"], d["body"]) for d in drafts} == {
        ("reply:1", "", "ADA-DRAFT-REPLY"), ("thread:2", "ADA-DRAFT-TITLE", "ADA-DRAFT-QUESTION")}

    talks = {c["title"]: c for c in read_json(archive, "conversations.json")}
    assert set(talks) == {"Router settings", "Old chat"}  # never a conversation she is not in
    talk = talks["Router settings"]
    assert talk["started_by"] == "you" and [p["username"] for p in talk["participants"]] == ["you", "bob"]
    assert [(m["from"], m["body"].split(":")[0], m.get("hidden_by_moderator", False)) for m in talk["messages"]] == [
        ("you", "ADA-MESSAGE", False), ("bob", "BOB-MESSAGE", False), ("you", "ADA-HIDDEN-MESSAGE", True)]
    old = talks["Old chat"]
    assert [m["body"] for m in old["messages"]] == ["BOB-BEFORE-ADA-LEFT"] and old["you_left_at"]

    assert read_json(archive, "ignored.json") == [{"username": "carol", "since": "2026-11-20T09:00:00Z"}]
    everything = b"".join(archive.read(name) for name in archive.namelist())
    for secret in (b"bob.private@", b"carol.private@", b"BOB-HIDDEN", b"BOB-AFTER", b"BOB-TO-CAROL", b"BOB-DRAFT"):
        assert secret not in everything, secret


def test_a_member_with_none_of_it_gets_empty_sections(make, run_jobs):
    archive = archive_of(make.make_user(), run_jobs)
    assert [read_json(archive, name) for name in ("drafts.json", "conversations.json", "ignored.json")] == [[], [], []]


def _assert_erased(people, private_life) -> None:
    ada, bob = people["ada"], people["bob"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Draft.id)).where(Draft.user_id == ada.id)) == 0
    assert db.session.scalar(select(func.count(Draft.id)).where(Draft.user_id == bob.id)) == 1  # bob's stays
    pairs = set(db.session.execute(select(Block.blocker_id, Block.blocked_id)).all())
    assert pairs == {(bob.id, people["carol"].id)}  # ada's ignores both ways are gone, nobody else's
    mine = db.session.scalars(select(ConversationMessage).where(ConversationMessage.author_id == ada.id)
                              .order_by(ConversationMessage.id)).all()
    assert len(mine) == 2  # kept for bob, under the anonymous account
    assert mine[0].author.username.startswith("deleted-user-") and mine[0].author.name == "Former member"
    assert "7946" not in mine[0].body and "ada.home@" not in mine[0].body and "ADA-MESSAGE" in mine[0].body
    assert "7946" not in mine[0].body_html and "ada.home@" not in mine[0].body_html
    assert db.session.scalar(select(func.count(ConversationMessage.id))
                             .where(ConversationMessage.author_id == bob.id)) == 5  # bob's untouched


def test_anonymising_a_member_deletes_drafts_and_ignores_and_scrubs_their_messages(people, private_life, make):
    anonymize_user(make.make_user(role="admin"), people["ada"], "asked by email")
    _assert_erased(people, private_life)


def test_a_members_own_deletion_does_the_same_when_it_falls_due(people, private_life, clock_at, run_jobs):
    deletion.start(people["ada"], PASSWORD, remove_unanswered=False)
    db.session.commit()
    clock_at.advance(days=8)
    run_jobs()
    _assert_erased(people, private_life)
