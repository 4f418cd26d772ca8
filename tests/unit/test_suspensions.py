"""Suspensions: who may suspend whom, what a suspended user may not do, expiry, lifting, history, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forum import accounts
from forum.core import clock
from forum.core.errors import Forbidden, Invalid, NotFound
from forum.models import AuditEntry, Notification, NotificationKind
from forum.services import posting, qa, reading
from forum.services.permissions import Action, can, is_suspended
from moderation.services.suspensions import (
    SuspensionInput,
    active_suspension,
    history,
    lift_suspension,
    suspend_user,
)


@pytest.fixture
def moderator(make):
    return make.make_user(role="moderator")


def days(n: float) -> datetime:
    return clock.now() + timedelta(days=n)


def test_a_suspension_silences_until_its_end_and_then_simply_ends(make, moderator, clock_at):
    member = make.make_user()
    thread = make.make_thread()
    question = reading.question_post(thread)
    suspend_user(moderator, member, SuspensionInput(days(3), "Spamming links"))
    assert is_suspended(member) and (member.suspended_until, member.suspension_reason) == (days(3), "Spamming links")
    for action, target in [(Action.THREAD_CREATE, None), (Action.THREAD_REPLY, thread),
                           (Action.THREAD_ME_TOO, thread), (Action.POST_VOTE, question), (Action.POST_FLAG, question)]:
        assert not can(member, action, target), action
    with pytest.raises(Forbidden):
        posting.reply_to_thread(member, thread, "Still here!")
    with pytest.raises(Forbidden):
        qa.vote_helpful(member, question)
    with pytest.raises(Forbidden):
        qa.add_me_too(member, thread)
    assert can(member, Action.THREAD_VIEW, thread)  # reading stays open
    clock_at.advance(days=3, seconds=1)
    assert not is_suspended(member) and active_suspension(member) is None
    assert posting.reply_to_thread(member, thread, "Back again, thanks for waiting.").id


def test_reason_and_a_future_end_are_required(make, moderator):
    member = make.make_user()
    with pytest.raises(Invalid) as refused:
        suspend_user(moderator, member, SuspensionInput(days(-1), "  "))
    assert set(refused.value.errors) == {"until", "reason"}
    with pytest.raises(Invalid) as naive:
        suspend_user(moderator, member, SuspensionInput(datetime(2030, 1, 1), "Spam"))
    assert "until" in naive.value.errors
    with pytest.raises(Invalid):
        suspend_user(moderator, member, SuspensionInput(days(365 * 20), "Spam"))
    assert not is_suspended(member)


@pytest.mark.parametrize(("actor_role", "target_role", "allowed"), [
    ("member", "member", False), ("advocate", "member", False), ("moderator", "member", True),
    ("moderator", "advocate", True), ("moderator", "moderator", False), ("moderator", "admin", False),
    ("admin", "moderator", True), ("agent", "member", True),
])
def test_moderators_suspend_members_and_only_admins_suspend_staff(make, actor_role, target_role, allowed):
    actor, target = make.make_user(role=actor_role), make.make_user(role=target_role)
    if allowed:
        suspend_user(actor, target, SuspensionInput(days(1), "Cool down"))
        assert is_suspended(target)
    else:
        with pytest.raises(Forbidden):
            suspend_user(actor, target, SuspensionInput(days(1), "Cool down"))


def test_nobody_suspends_themselves(make):
    admin = make.make_user(role="admin")
    with pytest.raises(Forbidden):
        suspend_user(admin, admin, SuspensionInput(days(1), "Oops"))


def test_lifting_ends_it_early_and_history_keeps_both(make, moderator, db):
    member = make.make_user()
    first = suspend_user(moderator, member, SuspensionInput(days(1), "First warning"))
    second = suspend_user(moderator, member, SuspensionInput(days(7), "Second time"))
    assert first.lifted_at is not None and active_suspension(member).id == second.id
    lift_suspension(moderator, member, "Apologised")
    assert not is_suspended(member) and member.suspended_until is None and member.suspension_reason is None
    assert [row.id for row in history(member)] == [second.id, first.id]
    assert all(row.lifted_at is not None for row in history(member))
    with pytest.raises(NotFound):
        lift_suspension(moderator, member)


def test_the_member_is_told_why_until_when_and_when_it_is_lifted(make, moderator, db):
    member = make.make_user()
    suspend_user(moderator, member, SuspensionInput(datetime(2030, 5, 1, 12, 0, tzinfo=UTC), "Rude replies"))
    lift_suspension(moderator, member)
    rows = db.session.scalars(db.select(Notification).where(Notification.user_id == member.id)
                              .order_by(Notification.id)).all()
    assert [row.kind for row in rows] == [NotificationKind.ACCOUNT.value] * 2
    assert rows[0].message == "Your account is suspended until 01 May 2030, 12:00 UTC: Rude replies"
    assert "lifted" in rows[1].message


def test_suspending_and_lifting_are_audited_with_before_and_after(make, moderator, db):
    member = make.make_user()
    suspend_user(moderator, member, SuspensionInput(datetime(2030, 5, 1, tzinfo=UTC), "Rude replies"))
    lift_suspension(moderator, member, "Talked it through")
    entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.target_id == member.id,
                                                             AuditEntry.target_type == "user")
                                 .order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_id, e.reason) for e in entries] == [
        ("user.suspend", moderator.id, "Rude replies"), ("user.unsuspend", moderator.id, "Talked it through")]
    assert '"suspended_until": null' in entries[0].before_json and "2030-05-01" in entries[0].after_json
    assert "2030-05-01" in entries[1].before_json and '"suspended_until": null' in entries[1].after_json


def test_a_suspended_user_can_still_sign_in(make, moderator):
    member = make.make_user(email="quiet@example.com")
    suspend_user(moderator, member, SuspensionInput(days(2), "Cool down"))
    assert accounts.authenticate("quiet@example.com", "correct horse battery staple").id == member.id
