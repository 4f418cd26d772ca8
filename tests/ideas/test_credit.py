"""What a shipped idea earns its author: one ledger row naming the idea (ideas.shipped_points), taken back exactly
when staff unship it, never paid twice, nothing for staff, and the "Idea shipped" badge."""

from __future__ import annotations

from sqlalchemy import select

from forum import recognition
from forum.core.extensions import db
from forum.ideas.status import change_status
from forum.models import BadgeGrant, Correction, LedgerReason, ReputationEvent, User
from forum.recognition import reputation
from forum.recognition.pages.reputation import ledger_words
from forum.services import community_settings


def _idea_rows(user: User) -> list[ReputationEvent]:
    return list(db.session.scalars(select(ReputationEvent).where(
        ReputationEvent.user_id == user.id, ReputationEvent.reason == LedgerReason.IDEA_SHIPPED.value
    ).order_by(ReputationEvent.id)))


def _badges(user: User) -> set[str]:
    return set(db.session.scalars(select(BadgeGrant.badge).where(BadgeGrant.user_id == user.id)))


def test_shipping_pays_the_author_the_setting_points_with_the_idea_as_cause(idea, idea_author, staff):
    change_status(staff, idea, "shipped", note="In 4.2.")
    [row] = _idea_rows(idea_author)
    assert (row.delta, row.thread_id, row.category_id, row.actor_id, row.reverses_id) == (
        25, idea.thread_id, idea.thread.category_id, staff.id, None)
    db.session.refresh(idea_author)
    assert idea_author.reputation == 25 == reputation.ledger_total(idea_author.id)


def test_unshipping_reverses_the_row_and_shipping_again_pays_once_more(idea, idea_author, staff):
    change_status(staff, idea, "shipped")
    change_status(staff, idea, "planned", note="Pulled from 4.2: it broke imports.")
    paid, reversal = _idea_rows(idea_author)
    assert (reversal.delta, reversal.reverses_id, reversal.thread_id, reversal.correction) == (
        -25, paid.id, idea.thread_id, Correction.WITHDRAWN.value)
    db.session.refresh(idea_author)
    assert idea_author.reputation == 0
    change_status(staff, idea, "shipped")
    assert [row.delta for row in _idea_rows(idea_author)] == [25, -25, 25]
    db.session.refresh(idea_author)
    assert idea_author.reputation == 25  # never more than one standing row


def test_a_note_edit_on_a_shipped_idea_and_a_second_call_pay_nothing_more(idea, idea_author, staff):
    change_status(staff, idea, "shipped")
    change_status(staff, idea, "shipped", note="Also in the mobile app.")
    assert recognition.on_idea_shipped(idea, staff) is None
    assert [row.delta for row in _idea_rows(idea_author)] == [25]


def test_declining_an_idea_that_never_shipped_reverses_nothing(idea, idea_author, staff):
    change_status(staff, idea, "declined", note="Out of scope.")
    assert _idea_rows(idea_author) == []


def test_staff_earn_nothing_for_their_own_ideas(make, ideas_category, staff):
    own = make.make_idea(author=staff, category=ideas_category)
    change_status(make.make_user(role="admin"), own, "shipped")
    assert _idea_rows(staff) == []


def test_the_points_follow_the_setting(idea, idea_author, staff):
    community_settings.update_settings_from_console({"ideas.shipped_points": 40})
    change_status(staff, idea, "shipped")
    assert [row.delta for row in _idea_rows(idea_author)] == [40]


def test_the_ledger_page_names_the_reason(idea, idea_author, staff):
    change_status(staff, idea, "shipped")
    [row] = _idea_rows(idea_author)
    assert "idea" in ledger_words(row).lower()


def test_the_worker_grants_the_idea_shipped_badge_to_the_author(make, idea, idea_author, ideas_category, staff,
                                                                 run_jobs):
    own = make.make_idea(author=staff, category=ideas_category)
    change_status(staff, idea, "shipped")
    change_status(make.make_user(role="admin"), own, "shipped")
    run_jobs()
    assert "idea_shipped" in _badges(idea_author) and "idea_shipped" not in _badges(staff)
