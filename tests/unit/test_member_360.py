"""Member 360: every section holds the member's own rows, newest first, capped with a total; staff only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from forum.analytics import member_360
from forum.cases import escalate_thread
from forum.core.errors import NotFound
from forum.core.extensions import db
from forum.models import User
from forum.recognition import badges
from forum.services import feedback, posting, qa
from moderation.services import actions, flags, suspensions
from tests.queries import count_statements


@dataclass
class Relationship:
    member: User
    helper: User
    moderator: User


def build_relationship(make, clock_at, activity: int) -> Relationship:
    """A member with `activity` threads, replies, flags received and flags given, plus one of everything else.

    The member's first thread is escalated to a case and answered with feedback (resolved, 4 of 5);
    the helper accepts the member's first reply (+15) and votes on every reply (+10 each); the
    member flags each of the helper's replies as off topic; the helper flags each of the member's
    replies as spam, and a moderator hides the first one (its flag upheld); the moderator suspends
    the member for a week.
    """
    category = make.make_category()
    member, helper = make.make_user(username=f"pat{activity}"), make.make_user()
    moderator = make.make_user("moderator")
    for n in range(activity):
        clock_at.advance(minutes=10)
        own = make.make_thread(member, category, title=f"My own question number {n + 1}")
        helpers_reply = posting.reply_to_thread(helper, own, f"Helper's answer number {n + 1}")
        flags.flag_post(member, helpers_reply, flags.NewFlag("off_topic"))
        theirs = make.make_thread(helper, category, title=f"The helper's question number {n + 1}")
        reply = posting.reply_to_thread(member, theirs, f"The member's answer number {n + 1}")
        qa.vote_helpful(helper, reply)
        flags.flag_post(helper, reply, flags.NewFlag("spam", note=f"Looks like an advert {n + 1}"))
        if n == 0:
            qa.accept_solution(helper, theirs, reply)
            actions.hide_post(moderator, reply, "Advertising")
            escalate_thread(member, own, "Nobody could fix my invoice")
            feedback.give_feedback(member, own, feedback.FeedbackInput(resolved=True, rating=4, comment="Sorted."))
    badges.grant(member.id, badges.BY_CODE["first_solution"])
    suspensions.suspend_user(moderator, member, suspensions.SuspensionInput(clock_at.now + timedelta(days=7),
                                                                            "Posting adverts"))
    return Relationship(member, helper, moderator)


@pytest.fixture
def relationship(make, clock_at) -> Relationship:
    return build_relationship(make, clock_at, activity=3)


def test_staff_see_every_section_of_the_relationship(relationship, make):
    member, helper = relationship.member, relationship.helper
    view = member_360.member_360(make.make_user("agent"), member.id)
    assert (view.user.id, view.suspended) == (member.id, True)
    assert [t.title for t in view.threads.items] == [f"My own question number {n}" for n in (3, 2, 1)]
    assert view.threads.total == 3
    assert [p.body for p in view.replies.items] == [f"The member's answer number {n}" for n in (3, 2, 1)]
    (case,) = view.cases.items
    assert (case.thread.title, case.status, case.priority, case.source) == (
        "My own question number 1", "new", "normal", "customer")
    received = [(f.reason, f.note, f.other.id, f.outcome) for f in view.flags_received.items]
    assert received == [("spam", "Looks like an advert 3", helper.id, None),
                        ("spam", "Looks like an advert 2", helper.id, None),
                        ("spam", "Looks like an advert 1", helper.id, "upheld")]
    assert [(f.reason, f.other.id, f.thread.title) for f in view.flags_given.items] == [
        ("off_topic", helper.id, f"My own question number {n}") for n in (3, 2, 1)]
    assert [(row.delta, row.reason) for row in view.ledger.items][-2:] == [(15, "reply_accepted"), (10, "reply_voted")]
    assert sum(row.delta for row in view.ledger.items) == member.reputation
    assert [held.badge.code for held in view.badges] == ["first_solution"]
    (answer,) = view.feedback.items
    assert (answer.thread.title, answer.feedback.resolved, answer.feedback.rating, answer.feedback.comment) == (
        "My own question number 1", True, 4, "Sorted.")
    (suspension,) = view.suspensions.items
    assert (suspension.reason, suspension.created_by.id, suspension.lifted_at) == (
        "Posting adverts", relationship.moderator.id, None)
    assert [(entry.action, entry.actor.id) for entry in view.audit.items] == [
        ("user.suspend", relationship.moderator.id)]


def test_flags_and_suspensions_come_from_the_provider_moderation_registers(app, relationship, make, monkeypatch):
    """forum reads no moderation table: without moderation's provider those sections are empty."""
    staff = make.make_user("moderator")
    view = member_360.member_360(staff, relationship.member.id)
    assert (view.flags_received.total, view.flags_given.total, view.suspensions.total) == (3, 3, 1)
    monkeypatch.delitem(app.extensions, member_360.EXTENSION)
    view = member_360.member_360(staff, relationship.member.id)
    assert (view.flags_received, view.flags_given, view.suspensions) == (member_360.Section([], 0),) * 3
    assert view.threads.total == 3  # forum's own sections are untouched


def test_someone_elses_rows_never_appear(relationship, make):
    view = member_360.member_360(relationship.moderator, relationship.helper.id)
    assert [t.title for t in view.threads.items][-1] == "The helper's question number 1"
    assert all(f.other.id == relationship.member.id for f in view.flags_received.items + view.flags_given.items)
    assert (view.cases.total, view.feedback.total, view.suspensions.total, view.badges) == (0, 0, 0, [])


def test_each_list_shows_the_latest_twenty_with_the_total(make, clock_at):
    member = make.make_user()
    category = make.make_category()
    for n in range(23):
        clock_at.advance(minutes=1)
        make.make_thread(member, category, title=f"Question in a long series {n + 1}")
    view = member_360.member_360(make.make_user("admin"), member.id)
    assert (len(view.threads.items), view.threads.total, view.threads.more) == (20, 23, 3)
    assert view.threads.items[0].title == "Question in a long series 23"


@pytest.mark.parametrize("role", ["member", "advocate"])
def test_members_and_advocates_are_told_it_does_not_exist_even_for_themselves(relationship, make, role):
    caller = make.make_user(role)
    for target in (relationship.member, caller):
        with pytest.raises(NotFound):
            member_360.member_360(caller, target.id)
    with pytest.raises(NotFound):
        member_360.member_360(None, relationship.member.id)


def test_an_unknown_member_is_not_found_for_staff(make):
    with pytest.raises(NotFound):
        member_360.member_360(make.make_user("moderator"), 999_999)


def test_the_view_costs_the_same_statements_for_a_quiet_and_a_busy_member(make, clock_at):
    quiet = build_relationship(make, clock_at, activity=2)
    busy = build_relationship(make, clock_at, activity=15)
    staff = make.make_user("admin")
    counts = []
    for who in (quiet, busy):
        db.session.expire_all()  # nothing cached from building the data: every lazy load would show
        with count_statements() as statements:
            view = member_360.member_360(staff, who.member.id)
            touched = [(t.category.name, p.thread.title, c.thread.title, c.assignee, f.thread.title, f.other.name)
                       for t in view.threads.items for p in view.replies.items[:1] for c in view.cases.items
                       for f in view.flags_received.items[:1]]
        assert touched
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 14
