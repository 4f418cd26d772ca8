"""Who hears of an idea's new status: its voters (also once their vote was given back) and its watchers, once
each, never the staff member who changed it nor a member who muted it; email and digest as each member chose."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.core import clock
from forum.core.extensions import db
from forum.ideas import notifying, voting
from forum.ideas.status import change_status
from forum.models import Idea, IdeaStatusChange, IdeaVote, Notification, NotificationKind, OutboundEmail, Post, User
from forum.services import digests, moderation_state, subscriptions
from tests.queries import count_statements
from tests.web.helpers import text

SUBJECT = "News on the idea “Export invoices as CSV”"


def _told(user: User) -> list[str]:
    """The messages of the idea notifications the member got, oldest first."""
    return list(db.session.scalars(
        select(Notification.message).where(Notification.user_id == user.id,
                                           Notification.kind == NotificationKind.IDEA.value)
        .order_by(Notification.id)))


def _emails_to(user: User) -> list[str]:
    return list(db.session.scalars(select(OutboundEmail.subject).where(
        OutboundEmail.to_address == user.email, OutboundEmail.subject != "You earned a badge")
        .order_by(OutboundEmail.id)))


@pytest.fixture
def crowd(make, idea: Idea, staff: User) -> dict[str, User]:
    """Voters, a member who votes and watches, a plain watcher, a muted voter; staff watch the idea too."""
    people = {"voter": make.make_user(), "fan": make.make_user(), "watcher": make.make_user(),
              "muted": make.make_user()}
    for name in ("voter", "fan", "muted"):
        voting.vote(people[name], idea)
    subscriptions.watch(people["fan"], idea.thread)
    subscriptions.watch(people["watcher"], idea.thread)
    subscriptions.watch(staff, idea.thread)
    subscriptions.mute(people["muted"], idea.thread)
    return people


def test_voters_and_watchers_are_told_once_each_and_the_staff_member_is_not(crowd, idea, idea_author, staff):
    change_status(staff, idea, "planned", note="We start in May.")
    for name in ("voter", "fan", "watcher"):
        assert _told(crowd[name]) == ["Status: Planned — We start in May."], name
    assert _told(idea_author) == ["Status: Planned — We start in May."]  # the author watches their idea
    assert _told(staff) == [] and _told(crowd["muted"]) == []
    [row] = db.session.scalars(select(Notification).where(Notification.user_id == crowd["voter"].id))
    assert (row.thread_id, row.actor_id) == (idea.thread_id, staff.id)


def test_voters_whose_vote_came_back_still_hear_of_later_changes(crowd, idea, staff):
    change_status(staff, idea, "shipped", note="In 4.2.")
    change_status(staff, idea, "in_progress", note="Reopened: the export misses credit notes.")
    assert _told(crowd["voter"]) == ["Status: Shipped — In 4.2.",
                                     "Status: In progress — Reopened: the export misses credit notes."]


def test_a_note_only_edit_tells_nobody(crowd, idea, staff):
    change_status(staff, idea, "planned")
    change_status(staff, idea, "planned", note="Now with a date: May.")
    assert _told(crowd["voter"]) == ["Status: Planned"]


def test_the_voters_of_a_merged_idea_hear_where_it_went(make, crowd, idea, ideas_category, staff):
    target = make.make_idea(category=ideas_category, title="CSV and Excel exports")
    change_status(staff, idea, "duplicate", duplicate_of=target)
    assert _told(crowd["voter"]) == ["Merged into “CSV and Excel exports”"]
    assert _told(target.thread.author) == []  # nothing happened to their idea


def test_email_follows_each_members_preference_and_the_digest_takes_the_daily_ones(make, idea, staff, run_jobs):
    now, daily, off = (make.make_user(email_frequency=frequency) for frequency in ("immediately", "daily", "off"))
    for member in (now, daily, off):
        voting.vote(member, idea)
    change_status(staff, idea, "under_review")
    run_jobs()
    assert _emails_to(now) == [SUBJECT]
    body = db.session.scalar(select(OutboundEmail.text_body).where(OutboundEmail.to_address == now.email))
    assert "Status: Under review" in body and f"/t/{idea.thread_id}/" in body
    assert _emails_to(daily) == [] and _emails_to(off) == []
    assert digests.send_daily_digests() == 1
    assert _emails_to(daily) == ["Your Horseshoe digest: 1 updates"] and _emails_to(off) == []


def test_telling_a_hundred_voters_costs_what_telling_one_does(make, ideas_category, staff):
    def statements(voters: int) -> int:
        idea = make.make_idea(category=ideas_category)
        for _ in range(voters):
            db.session.add(IdeaVote(user_id=make.make_user().id, idea_id=idea.thread_id,
                                              created_at=clock.now()))
        change = IdeaStatusChange(idea_id=idea.thread_id, from_status="new", to_status="planned",
                                  actor_id=staff.id, created_at=clock.now())
        db.session.add(change)
        db.session.flush()
        with count_statements() as seen:
            notifying.tell_status(idea, change, staff)
        return len(seen)

    assert statements(1) == statements(100)


def test_the_voters_notifications_page_says_what_changed_and_links_the_idea(login_as, crowd, idea, staff):
    change_status(staff, idea, "planned", note="We start in May.")
    page = text(login_as(crowd["voter"]).get("/notifications"))
    assert SUBJECT in page and "Status: Planned — We start in May." in page
    assert f'href="/t/{idea.thread_id}/{idea.thread.slug}"' in page


def test_while_the_idea_is_hidden_only_its_author_and_staff_hear(make, crowd, idea, idea_author, staff):
    other_staff = make.make_user(role="agent")
    subscriptions.watch(other_staff, idea.thread)
    question = db.session.scalars(select(Post).where(Post.thread_id == idea.thread_id, Post.is_question)).one()
    moderation_state.hide_post(question, staff, "spam")
    db.session.commit()
    change_status(staff, idea, "declined", note="Not something we will build.")
    assert _told(idea_author) == ["Status: Declined — Not something we will build."]
    assert _told(other_staff) == ["Status: Declined — Not something we will build."]
    assert [_told(crowd[name]) for name in ("voter", "fan", "watcher")] == [[], [], []]
