"""Missions: staff manage them (audited), progress is counted in the window, completion pays once."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.core.errors import Forbidden, Invalid, NotAuthenticated, NotFound
from forum.core.extensions import db
from forum.models import AuditEntry, LedgerReason, MissionProgress, Notification, ReputationEvent
from forum.recognition import badges, mission_tracking, missions
from forum.recognition.missions import MissionInput
from forum.services import qa
from tests.queries import count_statements


def new_mission(staff, clock_at, **fields) -> missions.Mission:
    values = {"title": "Answer unanswered questions", "metric": "unanswered_answered", "goal": 3,
              "starts_at": clock_at.now, "ends_at": clock_at.now + timedelta(days=7), "points": 50}
    values.update(fields)
    return missions.create_mission(staff, MissionInput(**values))


def ledger_for(mission) -> list[ReputationEvent]:
    return list(db.session.scalars(select(ReputationEvent).where(ReputationEvent.mission_id == mission.id)))


def status_of(mission, user) -> missions.MissionStatus:
    return next(s for s in missions.list_active(user) if s.mission.id == mission.id)


@pytest.mark.parametrize(("role", "error"), [(None, NotAuthenticated), ("member", Forbidden), ("advocate", Forbidden)])
def test_only_staff_create_missions(make, clock_at, role, error):
    with pytest.raises(error):
        new_mission(make.make_user(role) if role else None, clock_at)


def test_creating_a_mission_is_audited(make, clock_at):
    staff = make.make_user("moderator")
    mission = new_mission(staff, clock_at, title="Billing week")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mission.create"))
    assert (entry.actor_id, entry.target_id) == (staff.id, mission.id)
    assert json.loads(entry.after_json)["title"] == "Billing week"


def test_every_problem_with_a_mission_is_reported_at_once(make, clock_at):
    staff = make.make_user("admin")
    with pytest.raises(Invalid) as refused:
        new_mission(staff, clock_at, title="", metric="likes", goal=0, points=-5, badge="champion", category_id=999,
                    ends_at=clock_at.now - timedelta(hours=1))
    assert set(refused.value.errors) == {"title", "metric", "goal", "points", "badge", "category_id", "ends_at"}


def test_a_new_mission_must_end_in_the_future(make, clock_at):
    with pytest.raises(Invalid) as refused:
        new_mission(make.make_user("admin"), clock_at, starts_at=clock_at.now - timedelta(days=3),
                    ends_at=clock_at.now - timedelta(days=1))
    assert list(refused.value.errors) == ["ends_at"]


def test_updating_and_deleting_are_audited_with_before_and_after(make, clock_at):
    staff = make.make_user("agent")
    mission = new_mission(staff, clock_at, goal=3)
    change = MissionInput(title=mission.title, metric="replies", goal=10, starts_at=mission.starts_at,
                          ends_at=mission.ends_at, points=5)
    missions.update_mission(staff, mission, change)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mission.update"))
    assert json.loads(entry.before_json)["goal"] == 3 and json.loads(entry.after_json)["goal"] == 10
    mission_id = mission.id
    missions.delete_mission(staff, mission)
    with pytest.raises(NotFound):
        missions.get_mission(mission_id)
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "mission.delete")) == 1


def test_unanswered_questions_answered_first_count_in_the_missions_category(make, clock_at):
    staff, helper = make.make_user("moderator"), make.make_user()
    billing, shipping = make.make_category(name="Billing"), make.make_category(name="Shipping")
    mission = new_mission(staff, clock_at, category_id=billing.id, goal=5)
    make.make_reply(make.make_thread(category=billing), author=helper)
    make.make_reply(make.make_thread(category=shipping), author=helper)  # another category
    answered = make.make_thread(category=billing)
    make.make_reply(answered)
    make.make_reply(answered, author=helper)  # someone else answered first
    make.make_reply(make.make_thread(category=billing, kind="discussion"), author=helper)  # not a question
    assert mission_tracking.progress_of(mission, helper.id) == 1
    assert status_of(mission, helper).progress == 1


@pytest.mark.parametrize("metric", ["replies", "solutions", "helpful_votes"])
def test_each_metric_counts_what_it_says(make, clock_at, metric):
    staff, helper = make.make_user("moderator"), make.make_user()
    mission = new_mission(staff, clock_at, metric=metric, goal=10)
    thread = make.make_thread()
    first, second = make.make_reply(thread, author=helper), make.make_reply(thread, author=helper, body="Also...")
    qa.accept_solution(thread.author, thread, first)
    qa.vote_helpful(thread.author, first)
    qa.vote_helpful(make.make_user(), second)
    expected = {"replies": 2, "solutions": 1, "helpful_votes": 2}[metric]
    assert mission_tracking.progress_of(mission, helper.id) == expected


def test_a_withdrawn_solution_stops_counting(make, clock_at):
    mission = new_mission(make.make_user("moderator"), clock_at, metric="solutions")
    thread = make.make_thread()
    reply = make.make_reply(thread)
    qa.accept_solution(thread.author, thread, reply)
    assert mission_tracking.progress_of(mission, reply.author_id) == 1
    qa.unaccept_solution(thread.author, thread)
    assert mission_tracking.progress_of(mission, reply.author_id) == 0


def test_reaching_the_goal_completes_the_mission_once_with_points_badge_and_message(make, clock_at, run_jobs):
    mission = new_mission(make.make_user("moderator"), clock_at, goal=2, points=40, badge="trailblazer")
    helper = make.make_user()
    make.make_reply(make.make_thread(), author=helper)
    run_jobs()
    assert status_of(mission, helper).progress == 1 and status_of(mission, helper).completed_at is None
    make.make_reply(make.make_thread(), author=helper)
    make.make_reply(make.make_thread(), author=helper)
    run_jobs()
    db.session.refresh(helper)
    rows = ledger_for(mission)
    assert [(r.user_id, r.delta, r.reason) for r in rows] == [(helper.id, 40, LedgerReason.MISSION.value)]
    assert helper.reputation == 40
    assert "trailblazer" in badges.held_codes(helper.id)
    messages = list(db.session.scalars(select(Notification.message).where(
        Notification.user_id == helper.id, Notification.kind == "mission")))
    assert messages == ["You completed the mission “Answer unanswered questions”. "
                        "You earned 40 reputation and the Trailblazer badge."]
    status = status_of(mission, helper)
    assert status.completed_at is not None and status.progress == 2  # capped at the goal
    mission_tracking.sweep_open_missions()
    run_jobs()
    assert len(ledger_for(mission)) == 1  # never paid twice


def test_work_after_the_deadline_does_not_count(make, clock_at, run_jobs):
    mission = new_mission(make.make_user("moderator"), clock_at, goal=1, ends_at=clock_at.now + timedelta(days=1))
    helper = make.make_user()
    clock_at.advance(days=1, minutes=1)
    make.make_reply(make.make_thread(), author=helper)
    run_jobs()
    assert mission_tracking.progress_of(mission, helper.id) == 0
    assert ledger_for(mission) == []
    assert mission not in [s.mission for s in missions.list_active(helper)]


def test_work_done_before_the_deadline_completes_even_if_the_worker_is_a_little_late(make, clock_at):
    mission = new_mission(make.make_user("moderator"), clock_at, goal=1, ends_at=clock_at.now + timedelta(days=1))
    helper = make.make_user()
    make.make_reply(make.make_thread(), author=helper)
    clock_at.advance(days=1, minutes=30)
    assert mission_tracking.evaluate_user(helper.id) == [mission]
    clock_at.advance(days=1)
    assert mission not in mission_tracking.open_missions()


def test_work_done_before_the_deadline_still_completes_after_a_worker_outage_of_hours(make, clock_at):
    mission = new_mission(make.make_user("moderator"), clock_at, goal=1, ends_at=clock_at.now + timedelta(days=1))
    helper = make.make_user()
    make.make_reply(make.make_thread(), author=helper)
    clock_at.advance(days=1, hours=5)  # the worker was down across the deadline and the hourly sweep
    assert mission_tracking.sweep_open_missions() == 1
    assert [(r.user_id, r.delta) for r in ledger_for(mission)] == [(helper.id, 50)]


def test_a_mission_badge_already_held_is_not_announced_again_and_a_new_one_only_once(make, clock_at, run_jobs):
    staff, helper = make.make_user("moderator"), make.make_user()
    first = new_mission(staff, clock_at, title="First reply", metric="replies", goal=1, points=5, badge="challenger")
    make.make_reply(make.make_thread(), author=helper)
    run_jobs()
    new_mission(staff, clock_at, title="Second reply", metric="replies", goal=2, points=5, badge="challenger")
    make.make_reply(make.make_thread(), author=helper)
    run_jobs()
    told = list(db.session.scalars(select(Notification.message).where(
        Notification.user_id == helper.id, Notification.kind.in_(["mission", "badge"]),
        Notification.message.contains("Challenger") | Notification.message.contains("mission"))
        .order_by(Notification.id)))
    assert told == [f"You completed the mission “{first.title}”. You earned 5 reputation and the Challenger badge.",
                    "You completed the mission “Second reply”. You earned 5 reputation."]


def test_the_missions_page_costs_the_same_queries_however_many_missions_run(make, clock_at):
    staff, helper = make.make_user("moderator"), make.make_user()
    make.make_reply(make.make_thread(), author=helper)
    for metric in ("solutions", "unanswered_answered", "replies", "helpful_votes"):
        new_mission(staff, clock_at, metric=metric, goal=2)
    with count_statements() as few:
        statuses = missions.list_active(helper)
    assert [s.progress for s in statuses] == [0, 1, 1, 0]
    for _ in range(6):
        new_mission(staff, clock_at, metric="replies", goal=2)
    with count_statements() as many:
        assert len(missions.list_active(helper)) == 10
    assert len(many) == len(few)


def test_the_sweep_completes_a_mission_created_after_the_work_was_done(make, clock_at):
    helper = make.make_user()
    make.make_reply(make.make_thread(), author=helper)
    mission = new_mission(make.make_user("moderator"), clock_at, goal=1, starts_at=clock_at.now - timedelta(days=1))
    assert mission_tracking.sweep_open_missions() == 1
    progress = db.session.get(MissionProgress, (mission.id, helper.id))
    assert progress.completed_at is not None and progress.progress == 1


def test_members_see_active_missions_with_their_progress_and_visitors_without(make, clock_at):
    staff, helper = make.make_user("moderator"), make.make_user()
    running = new_mission(staff, clock_at, goal=4)
    later = new_mission(staff, clock_at, starts_at=clock_at.now + timedelta(days=2))
    make.make_reply(make.make_thread(), author=helper)
    shown = missions.list_active(helper)
    assert [s.mission.id for s in shown] == [running.id] and later.id not in [s.mission.id for s in shown]
    assert (shown[0].progress, shown[0].label) == (1, "unanswered questions answered first")
    assert missions.list_active(None)[0].progress == 0


def test_staff_list_missions_with_completion_counts(make, clock_at):
    staff = make.make_user("moderator")
    mission = new_mission(staff, clock_at, goal=1)
    make.make_reply(make.make_thread())
    mission_tracking.sweep_open_missions()
    assert missions.list_missions(staff) == [(mission, 1)]
    with pytest.raises(Forbidden):
        missions.list_missions(make.make_user())


@pytest.mark.parametrize("role", ["moderator", "agent", "admin"])
def test_staff_answering_as_their_job_complete_no_mission(make, clock_at, run_jobs, role):
    mission = new_mission(make.make_user("admin"), clock_at, metric="replies", goal=1)
    staff = make.make_user(role)
    make.make_reply(make.make_thread(), author=staff)
    run_jobs()
    assert mission_tracking.sweep_open_missions() == 0
    assert ledger_for(mission) == [] and db.session.get(MissionProgress, (mission.id, staff.id)) is None


def test_the_sweep_writes_only_progress_that_changed(make, clock_at):
    mission = new_mission(make.make_user("moderator"), clock_at, metric="replies", goal=5)
    helpers = [make.make_user() for _ in range(3)]
    for helper in helpers:
        make.make_reply(make.make_thread(), author=helper)
    mission_tracking.sweep_open_missions()
    make.make_reply(make.make_thread(), author=helpers[0])
    with count_statements() as statements:
        mission_tracking.sweep_open_missions()
    writes = [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]
    assert len(writes) == 1  # only the helper who replied again
    assert db.session.get(MissionProgress, (mission.id, helpers[0].id)).progress == 2
