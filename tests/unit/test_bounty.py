"""The system-funded bounty: questions nearing their first-response target with no reply get +20 on offer."""

from __future__ import annotations

from forum.core import job_registry
from forum.core.extensions import db
from forum.recognition import bounties
from forum.services import community_settings, posting, qa, reading
from tests.web.helpers import text


def offered(thread) -> bool:
    db.session.refresh(thread)
    return thread.bounty_at is not None


def test_a_question_without_a_reply_gets_a_bounty_at_three_quarters_of_the_target(make, clock_at):
    thread = make.make_thread()
    clock_at.advance(hours=2, minutes=59)
    assert bounties.offer_bounties() == 0 and not offered(thread)
    clock_at.advance(minutes=1)
    assert bounties.offer_bounties() == 1 and offered(thread)
    assert thread.bounty_at == clock_at.now


def test_offering_again_changes_nothing(make, clock_at):
    thread = make.make_thread()
    clock_at.advance(hours=3)
    bounties.offer_bounties()
    first = thread.bounty_at
    clock_at.advance(hours=1)
    assert bounties.offer_bounties() == 0
    db.session.refresh(thread)
    assert thread.bounty_at == first


def test_the_target_follows_the_setting(make, clock_at):
    community_settings.update_settings(make.make_user("admin"), {"sla.first_reply_hours": 2})
    thread = make.make_thread()
    clock_at.advance(hours=1, minutes=30)
    bounties.offer_bounties()
    assert offered(thread)


def test_questions_someone_answered_discussions_and_deleted_ones_get_none(make, clock_at):
    answered = make.make_thread(replies=1)
    discussion = make.make_thread(kind="discussion")
    deleted = make.make_thread()
    posting.delete_post(deleted.author, reading.question_post(deleted))
    clock_at.advance(hours=5)
    bounties.offer_bounties()
    assert not any(offered(t) for t in (answered, discussion, deleted))


def test_the_askers_own_follow_up_is_not_a_reply(make, clock_at):
    thread = make.make_thread()
    posting.reply_to_thread(thread.author, thread, "Any ideas? It still drops every evening.")
    clock_at.advance(hours=3)
    bounties.offer_bounties()
    assert offered(thread)


def test_the_accepted_reply_earns_the_bounty(make, clock_at):
    thread = make.make_thread()
    clock_at.advance(hours=3)
    bounties.offer_bounties()
    early, late = make.make_reply(thread), make.make_reply(thread)
    qa.accept_solution(thread.author, thread, late)
    db.session.refresh(late.author)
    db.session.refresh(early.author)
    assert (late.author.reputation, early.author.reputation) == (35, 0)


def test_lists_and_the_thread_page_show_the_bounty_until_it_is_won(client, make, clock_at):
    category = make.make_category(slug="router")
    thread = make.make_thread(category=category, title="Router reboots at night")
    quiet = make.make_thread(category=category, title="Another question entirely")
    clock_at.advance(hours=1)
    make.make_reply(quiet)
    clock_at.advance(hours=3)
    bounties.offer_bounties()
    listing = text(client.get("/c/router"))
    assert listing.count("Bounty +20") == 1
    assert listing.index("Router reboots at night") < listing.index("Bounty +20")
    assert "Bounty +20" in text(client.get(f"/t/{thread.id}/{thread.slug}"))
    qa.accept_solution(thread.author, thread, make.make_reply(thread))
    assert "Bounty +20" not in text(client.get("/c/router"))


def test_the_sweep_is_registered_on_the_sla_interval(app, db):
    assert job_registry.handler_for(bounties.BOUNTY_JOB) is bounties.offer_bounties
    interval = community_settings.get_setting("sla.sweep_interval_seconds")
    assert job_registry.periodic()[bounties.BOUNTY_JOB]() == interval
