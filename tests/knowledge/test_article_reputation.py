"""What a published proposal earns: reputation once per article (a ledger row with its cause), the Author
badge, nothing for staff, and the exact reversal when staff withdraw it."""

from __future__ import annotations

from sqlalchemy import select

from forum.core.extensions import db
from forum.knowledge import lifecycle
from forum.models import ArticleStatus, BadgeGrant, Correction, LedgerReason, ReputationEvent
from forum.recognition import privileges, reputation
from forum.recognition.pages.reputation import ledger_words
from forum.services import community_settings


def _article_rows(user) -> list[ReputationEvent]:
    return list(db.session.scalars(select(ReputationEvent).where(
        ReputationEvent.user_id == user.id, ReputationEvent.reason == LedgerReason.ARTICLE_PUBLISHED.value
    ).order_by(ReputationEvent.id)))


def _badges(user) -> set[str]:
    return set(db.session.scalars(select(BadgeGrant.badge).where(BadgeGrant.user_id == user.id)))


def test_a_members_published_proposal_earns_the_setting_points_once(make_article, proposer, staff, solved_thread):
    article = make_article(author=proposer, source_thread_id=solved_thread.id, status=ArticleStatus.IN_REVIEW)
    lifecycle.publish(staff, article)
    [row] = _article_rows(proposer)
    assert (row.delta, row.article_id, row.thread_id, row.category_id, row.actor_id) == (
        25, article.id, solved_thread.id, solved_thread.category_id, staff.id)
    assert proposer.reputation == 1025 == reputation.ledger_total(proposer.id) + 1000
    assert ledger_words(row) == "Proposed article published in the knowledge base"


def test_publishing_again_after_an_archive_pays_nothing_more(make_article, proposer, staff):
    article = make_article(author=proposer, status=ArticleStatus.PUBLISHED)
    lifecycle.archive(staff, article)
    lifecycle.publish(staff, article)
    assert [row.delta for row in _article_rows(proposer)] == [25]
    assert proposer.reputation == 1025


def test_the_points_follow_the_setting(make_article, proposer, staff):
    community_settings.update_settings_from_console({"knowledge.published_points": 40})
    make_article(author=proposer, status=ArticleStatus.PUBLISHED)
    assert [row.delta for row in _article_rows(proposer)] == [40]


def test_staff_earn_no_reputation_for_articles(make_article, staff):
    make_article(author=staff, status=ArticleStatus.PUBLISHED)
    assert _article_rows(staff) == [] and staff.reputation == 0


def test_a_withdrawal_reverses_the_points_and_publishing_again_pays_again(make_article, proposer, staff):
    article = make_article(author=proposer, status=ArticleStatus.PUBLISHED)
    lifecycle.archive(staff, article, withdrawn=True, reason="Copied from a vendor manual")
    paid, reversal = _article_rows(proposer)
    assert (reversal.delta, reversal.reverses_id, reversal.article_id, reversal.correction) == (
        -25, paid.id, article.id, Correction.WITHDRAWN.value)
    assert proposer.reputation == 1000
    assert ledger_words(reversal) == "Reversed: proposed article published in the knowledge base " \
                                     "(the article was withdrawn)"
    assert reputation.standing_rows(ReputationEvent.article_id == article.id) == []
    lifecycle.publish(staff, article)
    assert [row.delta for row in _article_rows(proposer)] == [25, -25, 25]
    assert proposer.reputation == 1025 and reputation.ledger_total(proposer.id) == 25


def test_archiving_without_withdrawing_keeps_the_points(make_article, proposer, staff):
    article = make_article(author=proposer, status=ArticleStatus.PUBLISHED)
    lifecycle.archive(staff, article)
    assert proposer.reputation == 1025


def test_the_worker_grants_the_author_badge_to_a_member_whose_proposal_is_published(make_article, proposer, staff,
                                                                                   run_jobs):
    make_article(author=proposer, status=ArticleStatus.PUBLISHED)
    make_article(author=staff, status=ArticleStatus.PUBLISHED)
    run_jobs()
    assert "author" in _badges(proposer) and "author" not in _badges(staff)


def test_the_privilege_page_names_the_setting_threshold(make):
    community_settings.update_settings_from_console({"knowledge.propose_reputation": 1500})
    standing = {s.privilege.key: s for s in privileges.standings(make.make_user(reputation=1200))}
    proposing = standing["propose_articles"]
    assert not proposing.has and proposing.points_missing == 300
    assert proposing.privilege.requirement == "Reputation 1,500, or advocate."
    assert {s.privilege.key: s for s in privileges.standings(make.make_user(role="advocate"))}[
        "propose_articles"].has
