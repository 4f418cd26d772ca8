"""Appeals (issue 20, item 6): a suspended member asks the moderators to look again, from /appeal; the appeal
waits in the review queue, and a moderator who outranks the member lifts the suspension or upholds it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.core import clock
from forum.core.errors import Conflict
from forum.core.extensions import db
from forum.models import AuditEntry, Notification, Thread, User
from moderation.models import Appeal
from moderation.services import appeals, suspensions

REASON = "Posting the same link in every thread"
APPEAL = "Those were answers to real questions; the link is the official manual."


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def people(make):
    """A member and a moderator; the member is suspended for a week by the moderator."""
    member, moderator = make.make_user(username="pat"), make.make_user("moderator", username="moira")
    suspensions.suspend_user(moderator, member, suspensions.SuspensionInput(clock.now() + timedelta(days=7), REASON))
    return member, moderator


@pytest.fixture
def browser(app, db):
    """A fresh signed-in browser per person (each test client keeps its own cookies)."""

    def open_as(user: User):
        from tests import factories

        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = factories.session_key_for(user)
            sess["_fresh"] = True
        return client

    return open_as


def appeals_of(user: User) -> list[Appeal]:
    return list(db.session.scalars(select(Appeal).where(Appeal.user_id == user.id).order_by(Appeal.id)))


def notices(user: User) -> list[str]:
    return list(db.session.scalars(select(Notification.message).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_the_appeal_page_shows_why_and_until_when_and_takes_the_appeal(people, browser):
    member, _moderator = people
    client = browser(member)
    page = text(client.get("/appeal"))
    assert REASON in page and "27 November 2026, 09:00 UTC" in page and 'name="body"' in page
    sent = client.post("/appeal", data={"body": APPEAL})
    assert sent.status_code == 302 and sent.headers["Location"] == "/appeal"
    (appeal,) = appeals_of(member)
    assert appeal.body == APPEAL and appeal.is_open
    assert appeal.suspension_id == suspensions.active_suspension(member).id
    page = text(client.get("/appeal"))
    assert "Your appeal is with the moderators" in page and APPEAL in page and 'name="body"' not in page


def test_appeal_lifted_end_to_end_the_member_takes_part_again_and_is_told(people, browser, make):
    member, moderator = people
    category = make.make_category()
    member_browser, mod_browser = browser(member), browser(moderator)
    refused = member_browser.post("/ask", data={"category_id": category.id, "kind": "question", "tags": "",
                                                "title": "Router drops at night", "body": "Every night at 8."})
    assert refused.status_code == 403
    assert member_browser.post("/appeal", data={"body": APPEAL}).status_code == 302

    queue = text(mod_browser.get("/moderation/queue"))
    assert "Appeals" in queue and APPEAL in queue and REASON in queue and member.name in queue
    assert 'Review queue <span class="queue-count">1' in queue
    appeal = appeals_of(member)[0]
    decided = mod_browser.post(f"/moderation/appeals/{appeal.id}/decide",
                               data={"outcome": "lifted", "note": "Fair enough: the link is the manual."})
    assert decided.status_code == 302 and decided.headers["Location"].endswith("/moderation/queue#appeals")

    db.session.refresh(member)
    db.session.refresh(appeal)
    assert appeal.outcome == "lifted" and appeal.resolved_by_id == moderator.id and not appeal.is_open
    assert suspensions.active_suspension(member) is None and member.suspended_until is None
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == moderator.id)).all()
    assert "appeal.lifted" in actions and "user.unsuspend" in actions
    assert notices(member)[-1] == ("Your appeal was accepted and your suspension is lifted: you can take part "
                                   "again. moira wrote: Fair enough: the link is the manual.")
    assert APPEAL not in text(mod_browser.get("/moderation/queue"))
    posted = member_browser.post("/ask", data={"category_id": category.id, "kind": "question", "tags": "",
                                               "title": "Router drops at night", "body": "Every night at 8."})
    assert posted.status_code == 302
    assert db.session.scalar(select(Thread).where(Thread.author_id == member.id)) is not None
    assert "is suspended until" not in text(member_browser.get("/"))


def test_upholding_needs_a_note_the_member_reads_and_may_appeal_again(people, browser):
    member, moderator = people
    member_browser, mod_browser = browser(member), browser(moderator)
    member_browser.post("/appeal", data={"body": APPEAL})
    appeal = appeals_of(member)[0]
    silent = mod_browser.post(f"/moderation/appeals/{appeal.id}/decide", data={"outcome": "upheld", "note": ""})
    assert silent.status_code == 302
    assert "Say why the suspension stands" in text(mod_browser.get("/moderation/queue"))
    db.session.refresh(appeal)
    assert appeal.is_open
    mod_browser.post(f"/moderation/appeals/{appeal.id}/decide",
                     data={"outcome": "upheld", "note": "The same link in 40 threads is spam."})
    db.session.refresh(appeal)
    db.session.refresh(member)
    assert appeal.outcome == "upheld" and member.suspended_until is not None
    assert notices(member)[-1].startswith("Your appeal was reviewed and the suspension stands until 27 November 2026")
    page = text(member_browser.get("/appeal"))
    assert "the suspension stands" in page and "The same link in 40 threads is spam." in page and 'name="body"' in page
    assert member_browser.post("/appeal", data={"body": "I have removed every one of those links now."}).status_code \
        == 302
    assert [a.is_open for a in appeals_of(member)] == [False, True]


def test_one_appeal_waits_at_a_time_and_its_length_is_checked(people, browser):
    member, _moderator = people
    client = browser(member)
    short = client.post("/appeal", data={"body": "Unfair"})
    assert short.status_code == 422 and "at least 10 characters" in text(short)
    long = client.post("/appeal", data={"body": "x" * 2001})
    assert long.status_code == 422
    assert appeals_of(member) == []
    client.post("/appeal", data={"body": APPEAL})
    again = client.post("/appeal", data={"body": "Please, I really need my account back."}, follow_redirects=True)
    assert "already with the moderators" in text(again)
    assert len(appeals_of(member)) == 1


def test_only_a_suspended_account_appeals(make, browser):
    member = make.make_user()
    client = browser(member)
    assert "Your account is not suspended" in text(client.get("/appeal"))
    refused = client.post("/appeal", data={"body": APPEAL})
    assert refused.status_code == 403 and "yours is not suspended" in text(refused)
    assert appeals_of(member) == []


def test_a_staff_member_s_appeal_is_for_admins_only(make, browser):
    admin, moderator = make.make_user("admin"), make.make_user("moderator")
    agent = make.make_user("agent")
    suspensions.suspend_user(admin, agent, suspensions.SuspensionInput(clock.now() + timedelta(days=3), REASON))
    browser(agent).post("/appeal", data={"body": APPEAL})
    appeal = appeals_of(agent)[0]
    mod_browser, admin_browser = browser(moderator), browser(admin)
    assert APPEAL not in text(mod_browser.get("/moderation/queue"))
    assert mod_browser.post(f"/moderation/appeals/{appeal.id}/decide",
                            data={"outcome": "lifted", "note": ""}).status_code == 403
    db.session.refresh(appeal)
    assert appeal.is_open
    assert APPEAL in text(admin_browser.get("/moderation/queue"))
    assert admin_browser.post(f"/moderation/appeals/{appeal.id}/decide",
                              data={"outcome": "lifted", "note": ""}).status_code == 302
    db.session.refresh(agent)
    assert agent.suspended_until is None


@pytest.mark.parametrize("role", ["member", "advocate"])
def test_people_who_cannot_moderate_cannot_decide(people, browser, make, role):
    member, _moderator = people
    browser(member).post("/appeal", data={"body": APPEAL})
    appeal = appeals_of(member)[0]
    outsider = make.make_user(role)
    assert browser(outsider).post(f"/moderation/appeals/{appeal.id}/decide",
                                  data={"outcome": "lifted", "note": ""}).status_code == 403
    db.session.refresh(member)
    assert appeal.is_open and member.suspended_until is not None


def test_an_appeal_leaves_the_queue_when_its_suspension_ends_and_a_new_one_can_be_appealed(
        people, browser, clock_at):
    member, moderator = people
    browser(member).post("/appeal", data={"body": APPEAL})
    first = appeals_of(member)[0]
    mod_browser = browser(moderator)
    clock_at.advance(days=8)
    assert APPEAL not in text(mod_browser.get("/moderation/queue"))
    late = mod_browser.post(f"/moderation/appeals/{first.id}/decide", data={"outcome": "lifted", "note": ""},
                            follow_redirects=True)
    assert "already ended" in text(late)
    suspensions.suspend_user(moderator, member, suspensions.SuspensionInput(clock.now() + timedelta(days=2),
                                                                            "Spam again"))
    assert browser(member).post("/appeal", data={"body": "This time it was my brother on my laptop."}) \
        .status_code == 302
    assert [a.is_open for a in appeals_of(member)] == [True, True]
    queue = text(mod_browser.get("/moderation/queue"))
    assert "my brother" in queue and APPEAL not in queue


def test_the_review_count_badge_includes_appeals_only_for_moderators(people, browser, make):
    member, moderator = people
    browser(member).post("/appeal", data={"body": APPEAL})
    assert 'Review queue <span class="queue-count">1' in text(browser(moderator).get("/"))
    trusted = make.make_user("advocate", reputation=5000)
    page = text(browser(trusted).get("/"))
    assert "Review queue" in page and "queue-count" not in page


def test_an_appeal_lifts_only_its_own_suspension_never_a_newer_one(make, browser, clock_at):
    """An appeal sent under a suspension kept on the account alone (no history row, as older data has), then a new
    suspension: accepting the old appeal must not lift the new one, and the new one can be appealed."""
    member, moderator = make.make_user(username="quinn"), make.make_user("moderator", username="mona")
    member.suspended_until, member.suspension_reason = clock_at.now + timedelta(days=3), "Old rule"
    db.session.commit()
    assert browser(member).post("/appeal", data={"body": APPEAL}).status_code == 302
    (old,) = appeals_of(member)
    assert old.suspension_id is None
    suspensions.suspend_user(moderator, member, suspensions.SuspensionInput(clock.now() + timedelta(days=30),
                                                                            "Threatened another member"))
    refused = browser(moderator).post(f"/moderation/appeals/{old.id}/decide", data={"outcome": "lifted", "note": ""},
                                      follow_redirects=True)
    assert "The member was suspended again since this appeal; decide the new one" in text(refused)
    with pytest.raises(Conflict, match="suspended again"):
        appeals.decide(moderator, old.id, "lifted")
    db.session.rollback()
    db.session.expire_all()
    assert suspensions.active_suspension(member).reason == "Threatened another member"
    assert appeals_of(member)[0].resolved_at is None
    assert APPEAL not in text(browser(moderator).get("/moderation/queue"))  # nothing left to decide there
    assert browser(member).post("/appeal", data={"body": "It was a quote from a film, not a threat."}) \
        .status_code == 302
    assert [a.suspension_id for a in appeals_of(member)] == [None, suspensions.active_suspension(member).id]


def test_an_appeal_of_a_suspension_outranked_by_a_longer_one_leaves_the_queue(make, browser, clock_at):
    member, moderator = make.make_user(username="rhea"), make.make_user("moderator", username="milo")
    suspensions.suspend_user(moderator, member, suspensions.SuspensionInput(clock.now() + timedelta(days=3),
                                                                            "Spam in billing"))
    assert browser(member).post("/appeal", data={"body": APPEAL}).status_code == 302
    suspensions.suspend_user(moderator, member, suspensions.SuspensionInput(clock.now() + timedelta(days=30),
                                                                            "Threatened another member"))
    assert APPEAL not in text(browser(moderator).get("/moderation/queue"))  # no button that could only refuse
    assert browser(member).post("/appeal", data={"body": "It was a quote from a film, not a threat."}) \
        .status_code == 302
    assert "It was a quote from a film" in text(browser(moderator).get("/moderation/queue"))
