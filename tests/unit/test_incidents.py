"""Incidents: similar questions in a window raise one alert; updates and the resolution reach every thread."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum import incidents
from forum.cases import escalate_thread
from forum.core.errors import Conflict, Forbidden, Invalid
from forum.core.extensions import db
from forum.models import (
    AlertStatus,
    CaseStatus,
    Incident,
    IncidentAlert,
    IncidentThread,
    Notification,
    NotificationKind,
    Post,
    ThreadStatus,
)
from forum.services import community_settings, posting, reading
from search import incident_detection as detector

OUTAGE = [
    ("Error 503 when I try to log in", "Since this morning the app shows error 503 at the login screen."),
    ("Login fails with error 503", "I type my password and get error 503. Is the service down?"),
    ("Can't log in: 503 error", "The login page says 503 Service Unavailable on my phone and laptop."),
    ("Getting a 503 error on login today", "Every login attempt ends with error 503 since about 8am."),
    ("App login broken, error 503", "My login keeps failing with a 503 error, tried reinstalling the app."),
]
UNRELATED = [
    ("How do I change my billing address?", "I moved house and need the invoices to show the new address."),
    ("Router drops Wi-Fi every evening", "The wireless connection drops around 9pm each night."),
    ("Refund for a duplicate charge", "I was charged twice for the same order last week."),
]


@pytest.fixture
def window(make, clock_at):
    category = make.make_category("Accounts")

    def ask(questions, minutes_apart: int = 10):
        threads = []
        for title, body in questions:
            clock_at.advance(minutes=minutes_apart)
            threads.append(make.make_thread(category=category, title=title, body=body))
        return threads

    return ask


def _alerts():
    return list(db.session.scalars(select(IncidentAlert)))


def test_five_similar_questions_in_two_hours_raise_one_alert_and_tell_the_agents(window, make):
    agent = make.make_user("agent")
    window(UNRELATED)
    outage = window(OUTAGE)
    assert detector.detect() == 1
    [alert] = _alerts()
    assert incidents.alert_thread_ids(alert) == sorted(thread.id for thread in outage)
    assert "503" in alert.shared_terms
    told = db.session.scalars(select(Notification).where(Notification.user_id == agent.id)).all()
    assert [note.kind for note in told] == [NotificationKind.INCIDENT.value]
    assert detector.detect() == 0  # the same questions are never alerted twice


def test_fewer_than_five_or_spread_over_more_than_two_hours_is_no_incident(window, clock_at):
    window(OUTAGE[:4])
    assert detector.detect() == 0
    clock_at.advance(hours=3)
    window(OUTAGE[4:])
    assert detector.detect() == 0 and _alerts() == []


def test_a_sixth_similar_question_joins_the_waiting_alert(window):
    window(OUTAGE)
    detector.detect()
    [late] = window([("Still error 503 at login", "Login gives me error 503 again, any news?")])
    assert detector.detect() == 0
    [alert] = _alerts()
    assert late.id in incidents.alert_thread_ids(alert)


def test_updates_and_the_resolution_reach_every_linked_thread(window, make, run_jobs):
    agent = make.make_user("agent")
    threads = window(OUTAGE)
    detector.detect()
    [alert] = _alerts()
    case, _ = escalate_thread(threads[0].author, threads[0], "I need this fixed")
    incident = incidents.open_incident(agent, "Login error 503", alert=alert)
    assert alert.status == AlertStatus.LINKED.value and alert.incident_id == incident.id

    incidents.post_update(agent, incident, "We know about it and are restarting the login servers.")
    run_jobs()
    for thread in threads:
        replies = db.session.scalars(select(Post).where(Post.thread_id == thread.id, Post.is_question.is_(False)))
        assert [post.body.splitlines()[0] for post in replies] == ["**Update on a known issue — Login error 503:**"]

    incidents.resolve_incident(agent, incident, "Fixed: the login servers are back. Sign in again.")
    run_jobs()
    for thread in threads:
        db.session.refresh(thread)
        assert thread.status == ThreadStatus.SOLVED.value and thread.solved_by == "support"
    db.session.refresh(case)
    assert case.status == CaseStatus.RESOLVED.value
    with pytest.raises(Conflict):
        incidents.post_update(agent, incident, "One more thing")


def test_fan_out_resumes_without_posting_twice(window, make, run_jobs):
    agent = make.make_user("agent")
    threads = window(OUTAGE[:2])
    incident = incidents.open_incident(agent, "Login error 503", [thread.id for thread in threads])
    update = incidents.post_update(agent, incident, "Working on it.")
    incidents.fan_out({"incident_id": incident.id})  # as if the worker died after this run…
    run_jobs()  # …and the queued job ran again
    counts = [db.session.scalar(select(Post.id).where(Post.thread_id == t.id, Post.is_question.is_(False))
                                .order_by(Post.id)) is not None for t in threads]
    assert counts == [True, True]
    replies = db.session.scalars(select(Post).where(Post.thread_id.in_([t.id for t in threads]),
                                                    Post.is_question.is_(False))).all()
    assert len(replies) == 2
    db.session.refresh(update)
    assert update.threads_reached == 2


def test_linking_rules(window, make):
    agent, member = make.make_user("agent"), make.make_user()
    first, second = window(OUTAGE[:2])
    incident = incidents.open_incident(agent, "Login error 503", [first.id])
    with pytest.raises(Invalid) as refused:
        incidents.open_incident(agent, "Duplicate", [first.id, 999999])
    assert refused.value.errors["thread_ids"] == [
        f"Question #{first.id} is already part of incident #{incident.id}.", "There is no question #999999."]
    assert incidents.parse_thread_ids(f"{second.id}, http://localhost/t/{first.id}/slug") == [second.id, first.id]
    with pytest.raises(Invalid):
        incidents.parse_thread_ids("12; DROP TABLE")
    with pytest.raises(Forbidden):
        incidents.open_incident(member, "Mine", [second.id])
    incidents.unlink_thread(agent, incident, first.id)
    assert db.session.get(IncidentThread, first.id) is None


def test_a_thread_linked_later_gets_future_updates_only(window, make, run_jobs):
    agent = make.make_user("agent")
    first, second = window(OUTAGE[:2])
    incident = incidents.open_incident(agent, "Login error 503", [first.id])
    incidents.post_update(agent, incident, "First update.")
    run_jobs()
    incidents.link_threads(agent, incident, [second.id])
    incidents.post_update(agent, incident, "Second update.")
    run_jobs()
    bodies = [post.body for post in db.session.scalars(select(Post).where(Post.thread_id == second.id,
                                                                          Post.is_question.is_(False)))]
    assert len(bodies) == 1 and bodies[0].endswith("Second update.")


def test_a_locked_thread_still_hears_from_staff_and_a_deleted_one_is_skipped(window, make, run_jobs):
    agent = make.make_user("agent")
    locked, gone = window(OUTAGE[:2])
    locked.locked = True
    db.session.commit()
    incident = incidents.open_incident(agent, "Login error 503", [locked.id, gone.id])
    posting.delete_post(gone.author, reading.question_post(gone))
    update = incidents.post_update(agent, incident, "Working on it.")
    run_jobs()
    assert db.session.scalar(select(Post.id).where(Post.thread_id == locked.id, Post.is_question.is_(False)))
    assert db.session.scalar(select(Post.id).where(Post.thread_id == gone.id, Post.is_question.is_(False))) is None
    db.session.refresh(update)
    assert update.threads_reached == 1


def test_the_window_is_a_setting(window, make):
    window(OUTAGE, minutes_apart=40)  # spread over 3 h 20 min
    assert detector.detect() == 0
    community_settings.update_settings(make.make_user("admin"), {"incident.window_hours": 4})
    assert detector.detect() == 1


def test_an_alert_can_be_taken_by_one_agent_only(window, make):
    first_agent, second_agent = make.make_user("agent"), make.make_user("agent")
    window(OUTAGE)
    detector.detect()
    [alert] = _alerts()
    incidents.open_incident(first_agent, "Login error 503", alert=alert)
    with pytest.raises(Conflict):
        incidents.open_incident(second_agent, "Same thing", alert=alert)
    assert db.session.scalar(select(func.count(Incident.id))) == 1
