"""Automatic escalation: the SLA sweeper on a controlled clock, and negative-sentiment follow-ups."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum import cases
from forum.cases import triggers
from forum.core import job_registry, outbox, worker
from forum.core.extensions import db
from forum.models import Case, CaseEvent, Thread
from forum.services import community_settings, needs_info, posting, qa

ANGRY = "This is useless. I am furious, nothing works and your product is terrible!"
CALM = "Thanks, I will try that tonight and report back."


def cases_of(thread: Thread) -> list[Case]:
    return list(db.session.scalars(select(Case).where(Case.thread_id == thread.id).order_by(Case.id)))


def sweep() -> dict[str, int]:
    return triggers.sweep_sla()


# --- the SLA sweeper -------------------------------------------------------------------------------


def test_a_question_nobody_answered_for_four_hours_becomes_one_sla_case(make, clock_at):
    thread = make.make_thread()
    posting.reply_to_thread(thread.author, thread, "Anyone? I also tried a different cable.")  # the asker's own
    clock_at.advance(hours=3, minutes=59)
    assert sweep() == {"no_reply": 0, "no_solution": 0}
    clock_at.advance(minutes=1)
    assert sweep()["no_reply"] == 1
    assert sweep() == {"no_reply": 0, "no_solution": 0}  # idempotent on repeated runs
    [case] = cases_of(thread)
    assert (case.source, case.reason, case.escalated_by_id) == ("sla", triggers.NO_REPLY_REASON, None)
    assert thread.status == "escalated"


def test_a_resolved_sla_case_is_not_opened_again_for_the_same_breach(make, clock_at):
    thread = make.make_thread()
    agent = make.make_user("agent")
    clock_at.advance(hours=5)
    sweep()
    [case] = cases_of(thread)
    cases.resolve_case(agent, case, "We called the customer.", publish_to_thread=False)
    clock_at.advance(hours=1)
    assert sweep()["no_reply"] == 0 and len(cases_of(thread)) == 1
    clock_at.advance(hours=43)  # 49 h after posting, still no accepted solution: another breach
    assert sweep()["no_solution"] == 1
    assert [c.reason for c in cases_of(thread)] == [triggers.NO_REPLY_REASON, triggers.NO_SOLUTION_REASON]
    cases.resolve_case(agent, cases_of(thread)[-1], "Done.", publish_to_thread=False)
    clock_at.advance(days=3)
    assert sweep() == {"no_reply": 0, "no_solution": 0} and len(cases_of(thread)) == 2


def test_an_answered_question_without_a_solution_escalates_after_48_hours(make, clock_at):
    thread = make.make_thread(replies=1)
    clock_at.advance(hours=47)
    assert sweep() == {"no_reply": 0, "no_solution": 0}
    clock_at.advance(hours=1)
    assert sweep() == {"no_reply": 0, "no_solution": 1}
    [case] = cases_of(thread)
    assert (case.source, case.reason) == ("sla", triggers.NO_SOLUTION_REASON)


def test_a_solved_question_is_never_escalated(make, clock_at):
    thread = make.make_thread()
    clock_at.advance(hours=1)
    reply = make.make_reply(thread)
    qa.accept_solution(thread.author, thread, reply)
    clock_at.advance(days=5)
    assert sweep() == {"no_reply": 0, "no_solution": 0}


def test_time_waiting_for_the_askers_information_is_off_the_clock(make, clock_at):
    thread = make.make_thread()
    clock_at.advance(hours=1)
    needs_info.request_info(make.make_user("advocate"), thread, "Which router model?")
    clock_at.advance(hours=5)  # 6 h since posting, but 5 h of them waiting on the asker
    assert sweep()["no_reply"] == 0
    needs_info.clear_info_request(thread.author, thread)
    assert thread.paused_seconds == 5 * 3600
    clock_at.advance(hours=2, minutes=59)
    assert sweep()["no_reply"] == 0
    clock_at.advance(minutes=1)
    assert sweep()["no_reply"] == 1


def test_discussions_hidden_threads_and_already_escalated_questions_are_left_alone(make, clock_at):
    discussion = make.make_thread(kind="discussion")
    hidden = make.make_thread()
    hidden.visibility = "hidden"
    escalated = make.make_thread()
    cases.escalate_thread(escalated.author, escalated, "Help")
    db.session.commit()
    clock_at.advance(hours=50)
    assert sweep() == {"no_reply": 0, "no_solution": 0}
    assert cases_of(discussion) == cases_of(hidden) == [] and len(cases_of(escalated)) == 1


def test_the_targets_are_settings(make, clock_at):
    admin = make.make_user("admin")
    community_settings.update_settings(admin, {"sla.first_reply_hours": 0.5})
    thread = make.make_thread()
    clock_at.advance(minutes=31)
    assert sweep()["no_reply"] == 1 and len(cases_of(thread)) == 1


def test_the_sweeper_runs_from_the_worker_on_the_sla_interval(make, clock_at):
    assert job_registry.periodic()[triggers.SWEEP_JOB]() == 60
    thread = make.make_thread()
    clock_at.advance(hours=4)
    outbox.enqueue(triggers.SWEEP_JOB, {})
    worker.run_until_empty()
    assert [c.source for c in cases_of(thread)] == ["sla"]


# --- sentiment ------------------------------------------------------------------------------------


def test_every_post_stores_its_sentiment_on_write_and_edit(make):
    thread = make.make_thread(body=CALM)
    question = db.session.scalar(select(posting.Post).where(posting.Post.thread_id == thread.id))
    assert question.sentiment > 0.2
    posting.edit_post(thread.author, question, ANGRY)
    assert question.sentiment <= -0.6


def test_an_angry_follow_up_from_the_asker_opens_one_sentiment_case(make):
    thread = make.make_thread(replies=1)
    posting.reply_to_thread(thread.author, thread, ANGRY)
    [case] = cases_of(thread)
    assert (case.source, case.priority, case.escalated_by_id) == ("sentiment", "normal", None)
    assert thread.status == "escalated"


def test_an_angry_follow_up_on_an_open_case_raises_its_priority_one_step(make):
    thread = make.make_thread()
    case, _ = cases.escalate_thread(thread.author, thread, "Help please")
    due = case.first_response_due_at
    posting.reply_to_thread(thread.author, thread, ANGRY)
    assert (case.priority, len(cases_of(thread))) == ("high", 1)
    assert case.first_response_due_at < due
    posting.reply_to_thread(thread.author, thread, ANGRY)
    posting.reply_to_thread(thread.author, thread, ANGRY)
    assert case.priority == "urgent"  # and it stays there
    kinds = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id, CaseEvent.kind == "priority"))
    assert len(list(kinds)) == 2


@pytest.mark.parametrize("situation", ["calm", "someone_else", "solved", "discussion"])
def test_sentiment_escalates_only_an_angry_asker_on_an_unsolved_question(make, situation):
    thread = make.make_thread(kind="discussion" if situation == "discussion" else "question")
    if situation == "solved":
        qa.accept_solution(thread.author, thread, make.make_reply(thread))
    author = make.make_user() if situation == "someone_else" else thread.author
    posting.reply_to_thread(author, thread, CALM if situation == "calm" else ANGRY)
    assert cases_of(thread) == []


def test_the_sentiment_threshold_is_a_setting(make):
    community_settings.update_settings(make.make_user("admin"), {"sentiment.escalate_below": -0.99})
    thread = make.make_thread()
    posting.reply_to_thread(thread.author, thread, ANGRY)
    assert cases_of(thread) == []
    assert db.session.scalar(select(func.count(Case.id))) == 0



def test_a_staff_answer_on_the_thread_is_the_cases_first_response(make, clock_at):
    thread = make.make_thread()
    case, _ = cases.escalate_thread(thread.author, thread, "Still broken")
    clock_at.advance(hours=1)
    make.make_reply(thread, make.make_user())  # a peer's reply does not answer for support
    assert case.first_response_at is None
    clock_at.advance(hours=1)
    make.make_reply(thread, make.make_user("agent"), "We fixed the billing sync; please check again.")
    db.session.refresh(case)
    assert case.first_response_at == clock_at.now
