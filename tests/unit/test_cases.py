"""Service cases: escalation, the agents' queue, working a case, its conversation and its resolution."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from forum import cases
from forum.core.errors import Conflict, Forbidden, Invalid, NotFound
from forum.core.extensions import db
from forum.models import Case, CaseEvent, Notification, Post, Thread, User
from forum.services import community_settings, feedback, qa
from tests import factories
from tests.concurrency import race


def case_notes(user: User) -> list[str]:
    return list(db.session.scalars(
        select(Notification.message).where(Notification.user_id == user.id, Notification.kind == "case_update")
        .order_by(Notification.id)
    ))


@pytest.fixture
def agent(make) -> User:
    return make.make_user("agent")


@pytest.fixture
def thread(make) -> Thread:
    return make.make_thread()


def escalate(thread: Thread, actor: User | None = None, **kwargs) -> Case:
    return cases.escalate_thread(actor or thread.author, thread, "Still broken", **kwargs)[0]


# --- escalating ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "source"), [("asker", "customer"), ("agent", "staff"), ("moderator", "staff"),
                                             ("advocate", "advocate")])
def test_each_person_trigger_opens_one_case_with_its_source(make, thread, who, source):
    actor = thread.author if who == "asker" else make.make_user(who)
    case, created = cases.escalate_thread(actor, thread, "Still broken")
    again, created_again = cases.escalate_thread(actor, thread, "Please")
    assert (created, created_again, again.id) == (True, False, case.id)
    assert (case.source, case.status, case.customer_id) == (source, "new", thread.author_id)
    assert case.reason == "Still broken"
    assert thread.status == "escalated"
    assert db.session.scalar(select(func.count(Case.id)).where(Case.thread_id == thread.id)) == 1


def test_a_member_who_is_not_the_asker_cannot_escalate(make, thread):
    with pytest.raises(Forbidden):
        cases.escalate_thread(make.make_user(), thread, "me too")


def test_staff_escalation_tells_the_asker(make, thread):
    case = escalate(thread, make.make_user("agent"))
    assert case_notes(thread.author) == [f"A support agent will look at your question: case {case.public_reference}."]


@pytest.mark.parametrize(("priority", "hours"), [("urgent", 1), ("high", 4), ("normal", 8), ("low", 24)])
def test_the_first_response_is_due_by_priority(thread, clock_at, priority, hours):
    case = escalate(thread, priority=cases.CasePriority(priority))
    assert case.first_response_due_at == clock_at.now + timedelta(hours=hours)


def test_changing_the_priority_moves_the_due_time_and_admins_can_change_the_targets(make, thread, agent, clock_at):
    admin = make.make_user("admin")
    community_settings.update_settings(admin, {"case.first_response_hours.high": 2.5})
    case = escalate(thread)
    clock_at.advance(hours=1)
    cases.change_case(agent, case, cases.CaseChange(priority="high"))
    assert case.first_response_due_at == case.created_at + timedelta(hours=2.5)


# --- working a case ------------------------------------------------------------------------------


def test_every_status_change_is_on_the_public_timeline_and_told_to_the_asker(thread, agent):
    case = escalate(thread)
    cases.change_case(agent, case, cases.CaseChange(status="open"))
    cases.change_case(agent, case, cases.CaseChange(status="pending_customer"))
    cases.change_case(agent, case, cases.CaseChange(priority="high"))  # not a status change: staff-only
    assert [e.kind for e in cases.public_timeline(case)] == ["escalated", "open", "pending_customer"]
    assert case_notes(thread.author) == [f"Your support case {case.public_reference} is in progress.",
                                         f"Your support case {case.public_reference} is waiting on you."]


def test_a_bad_change_names_every_field(thread, agent):
    case = escalate(thread)
    with pytest.raises(Invalid) as caught:
        cases.change_case(agent, case, cases.CaseChange(status="done", priority="asap", assignee_id=thread.author_id))
    assert set(caught.value.errors) == {"status", "priority", "assignee_id"}


@pytest.mark.parametrize("role", ["member", "advocate", "moderator"])
def test_only_agents_and_admins_work_cases(make, thread, role):
    case = escalate(thread)
    with pytest.raises(Forbidden):
        cases.change_case(make.make_user(role), case, cases.CaseChange(status="open"))


def test_claiming_a_new_case_assigns_it_and_puts_it_in_progress(thread, agent, make):
    case = escalate(thread)
    cases.claim_case(agent, case)
    assert (case.assignee_id, case.status) == (agent.id, "open")
    other = make.make_user("admin")
    cases.change_case(other, case, cases.CaseChange(assignee_id=other.id))
    cases.change_case(other, case, cases.CaseChange(assignee_id=None))
    assert case.assignee_id is None


def test_closing_frees_the_thread_for_a_new_case_and_reopening_a_stale_one_conflicts(thread, agent):
    case = escalate(thread)
    cases.change_case(agent, case, cases.CaseChange(status="closed"))
    assert case.open_thread_id is None and thread.status == "open"
    second = escalate(thread)
    assert second.id != case.id
    with pytest.raises(Conflict):
        cases.change_case(agent, case, cases.CaseChange(status="open"))


# --- the private conversation ---------------------------------------------------------------------


def test_the_first_customer_visible_agent_message_is_the_first_response(thread, agent, clock_at):
    case = escalate(thread)
    cases.post_message(agent, case, "Checking our logs.", "internal")
    assert case.first_response_at is None and case.status == "new"
    clock_at.advance(minutes=30)
    cases.post_message(agent, case, "Could you send your **account number**?", "customer")
    assert (case.first_response_at, case.status) == (clock_at.now, "open")
    assert f"Support wrote to you on case {case.public_reference}." in case_notes(thread.author)


def test_a_customer_answer_puts_a_waiting_case_back_in_progress(thread, agent):
    case = escalate(thread)
    cases.change_case(agent, case, cases.CaseChange(status="pending_customer", assignee_id=agent.id))
    message = cases.post_message(thread.author, case, "It is 12345.", "customer")
    assert case.status == "open" and message.body_html.strip() == "<p>It is 12345.</p>"
    assert f"The customer wrote on case {case.public_reference}." in case_notes(agent)


def test_customers_never_write_or_read_internal_notes(make, thread, agent):
    case = escalate(thread)
    cases.post_message(agent, case, "Looks like fraud", "internal")
    cases.post_message(agent, case, "Hello!", "customer")
    with pytest.raises(Forbidden):
        cases.post_message(thread.author, case, "sneaky", "internal")
    assert [m.body for m in cases.messages_for(thread.author, case)] == ["Hello!"]
    assert [m.body for m in cases.messages_for(agent, case)] == ["Looks like fraud", "Hello!"]
    with pytest.raises(NotFound):
        cases.messages_for(make.make_user(), case)
    with pytest.raises(NotFound):
        cases.post_message(make.make_user("moderator"), case, "hi", "customer")


def test_a_bad_message_names_every_field(thread, agent):
    case = escalate(thread)
    with pytest.raises(Invalid) as caught:
        cases.post_message(agent, case, "  ", "public")
    assert set(caught.value.errors) == {"body", "visibility"}


# --- resolution -----------------------------------------------------------------------------------


def test_resolving_publishes_an_accepted_staff_answer_and_asks_the_asker(make, agent, run_jobs):
    thread = make.make_thread(replies=1)
    case = escalate(thread)
    cases.resolve_case(agent, case, "Reset the router to factory settings.")
    post = db.session.get(Post, case.resolution_post_id)
    assert (post.author_id, post.body, thread.accepted_post_id) == (agent.id, "Reset the router to factory settings.",
                                                                  post.id)
    assert (thread.status, thread.solved_by) == ("solved", "support")
    db.session.refresh(agent)
    assert agent.reputation == 0  # case work is the agent's job: no reputation for it
    assert (case.status, case.open_thread_id, case.resolved_at is not None) == ("resolved", None, True)
    kinds = set(db.session.scalars(select(Notification.kind).where(Notification.user_id == thread.author_id)))
    assert {"feedback_request", "case_update"} <= kinds
    assert cases.public_timeline(case)[-1].kind == "resolved"
    assert escalate(thread).id != case.id  # a resolved case no longer blocks a new one


def test_a_resolution_does_not_replace_a_peer_solution_already_accepted(make, agent):
    thread = make.make_thread()
    peer = make.make_reply(thread)
    case = escalate(thread)
    qa.accept_solution(thread.author, thread, peer)
    cases.resolve_case(agent, case, "Also, update the firmware.")
    assert thread.accepted_post_id == peer.id and thread.solved_by == "community"


def test_resolving_without_publishing_leaves_the_thread_unsolved_but_still_asks(thread, agent):
    case = escalate(thread)
    cases.resolve_case(agent, case, "Refunded privately.", publish_to_thread=False)
    assert case.resolution_post_id is None and thread.status == "open" and thread.accepted_post_id is None
    assert thread.feedback_requested_at is not None
    with pytest.raises(Conflict):
        cases.resolve_case(agent, case, "Again", publish_to_thread=False)


def test_a_bad_resolution_names_every_field(thread, agent):
    case = escalate(thread)
    with pytest.raises(Invalid) as caught:
        cases.resolve_case(agent, case, "", publish_to_thread="yes")
    assert set(caught.value.errors) == {"resolution", "publish_to_thread"}


def test_a_no_from_the_customer_reopens_the_resolved_case(thread, agent):
    case = escalate(thread)
    cases.resolve_case(agent, case, "Reset it.")
    feedback.give_feedback(thread.author, thread, feedback.FeedbackInput(resolved=False))
    assert (case.status, case.open_thread_id, case.resolved_at) == ("open", thread.id, None)
    assert cases.public_timeline(case)[-1].kind == "open"


def test_a_yes_from_the_customer_leaves_the_case_resolved(thread, agent):
    case = escalate(thread)
    cases.resolve_case(agent, case, "Reset it.")
    feedback.give_feedback(thread.author, thread, feedback.FeedbackInput(resolved=True, rating=5))
    assert case.status == "resolved"


# --- the desk's reads -----------------------------------------------------------------------------


def test_the_queue_shows_open_cases_first_oldest_due_first_across_pages(make, agent, clock_at):
    low = escalate(make.make_thread(), priority=cases.CasePriority.LOW)
    urgent = escalate(make.make_thread(), priority=cases.CasePriority.URGENT)
    normal = escalate(make.make_thread())
    done = escalate(make.make_thread(), priority=cases.CasePriority.URGENT)
    cases.resolve_case(agent, done, "Fixed", publish_to_thread=False)
    seen, cursor = [], None
    while True:
        page = cases.list_cases(agent, cases.CaseFilters(), limit=1, cursor=cursor)
        seen += [c.id for c in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [urgent.id, normal.id, low.id, done.id]


def test_queue_filters_and_counts(make, agent, clock_at):
    mine = escalate(make.make_thread())
    cases.claim_case(agent, mine)
    waiting = escalate(make.make_thread(), priority=cases.CasePriority.URGENT)
    category = make.make_category()
    in_category = escalate(make.make_thread(category=category))
    clock_at.advance(hours=2)
    ids = lambda filters: [c.id for c in cases.list_cases(agent, filters).items]  # noqa: E731
    assert ids(cases.CaseFilters(assignee="me")) == [mine.id]
    assert ids(cases.CaseFilters(assignee="none")) == [waiting.id, in_category.id]
    assert ids(cases.CaseFilters(priority="urgent")) == ids(cases.CaseFilters(overdue=True)) == [waiting.id]
    assert ids(cases.CaseFilters(category_id=category.id)) == [in_category.id]
    assert ids(cases.CaseFilters(status="open")) == [mine.id]
    assert cases.queue_counts(agent) == {"new": 2, "open": 1, "pending_customer": 0, "overdue": 1, "mine": 1}
    with pytest.raises(Invalid) as caught:
        cases.list_cases(agent, cases.CaseFilters(status="x", priority="y", assignee="bob"))
    assert set(caught.value.errors) == {"status", "priority", "assignee"}
    with pytest.raises(Forbidden):
        cases.queue_counts(make.make_user("moderator"))


def test_a_customer_sees_their_own_case_and_nobody_else_does(make, thread, agent):
    case = escalate(thread)
    assert cases.get_case(thread.author, case.id) is case
    assert cases.get_case(agent, case.id) is case
    for stranger in (None, make.make_user(), make.make_user("moderator")):
        with pytest.raises(NotFound):
            cases.get_case(stranger, case.id)


def test_cases_for_threads_is_one_query_and_prefers_the_open_case(app, make, agent):
    first, second, quiet = make.make_thread(), make.make_thread(), make.make_thread()
    old = escalate(first)
    cases.resolve_case(agent, old, "Done", publish_to_thread=False)
    current = escalate(first)
    other = escalate(second)
    cases.resolve_case(agent, other, "Done", publish_to_thread=False)
    ids = [first.id, second.id, quiet.id]  # loaded before counting
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        found = cases.cases_for_threads(ids)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 1
    assert found == {first.id: current, second.id: other}
    assert cases.case_for_thread(None, first) is current


def test_the_customer_history_lists_their_other_threads_and_cases(make, agent):
    customer = make.make_user()
    older = make.make_thread(author=customer)
    old_case = escalate(older)
    thread = make.make_thread(author=customer)
    case = escalate(thread)
    make.make_thread()  # someone else's
    threads, other_cases = cases.customer_history(case)
    assert [t.id for t in threads] == [older.id] and other_cases == [old_case]


# --- one open case per thread, even when escalations race (real threads, committed data) ---------





def test_concurrent_escalations_meet_on_one_open_case(app, committed):
    thread = factories.make_thread()
    staff = [factories.make_user("agent").id for _ in range(3)]
    actors = [thread.author_id, *staff] * 2
    thread_id = thread.id
    results: list[int] = []

    def escalate_as(user_id: int):
        return lambda: results.append(
            cases.escalate_thread(db.session.get(User, user_id), db.session.get(Thread, thread_id))[0].id
        )

    failures = race(app, [escalate_as(user_id) for user_id in actors])
    assert failures == []
    assert len(set(results)) == 1 and len(results) == len(actors)
    assert db.session.scalar(select(func.count(Case.id)).where(Case.thread_id == thread_id)) == 1
    escalated = db.session.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.kind == "escalated"))
    assert escalated == 1
