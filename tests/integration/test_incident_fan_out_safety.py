"""Incident fan-out under crashes, concurrent jobs and merges: every linked asker hears each update once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from forum import incidents
from forum.cases import escalate_thread
from forum.core.extensions import db
from forum.models import CaseStatus, Post
from forum.services import posting, qa
from moderation.services import actions as moderation_actions
from tests.concurrency import race


def _replies(thread_id: int) -> list[Post]:
    return list(db.session.scalars(
        select(Post).where(Post.thread_id == thread_id, Post.is_question.is_(False)).order_by(Post.id)))


def test_resolution_settles_the_thread_even_if_the_worker_died_after_posting(make, monkeypatch):
    """README: fan-out is resumable. A worker killed between posting the resolution and accepting it
    must still leave the question solved and its case resolved once the job runs again."""
    agent = make.make_user("agent")
    thread = make.make_thread(title="Login error 503 since this morning")
    case, _ = escalate_thread(thread.author, thread, "Please fix this")
    incident = incidents.open_incident(agent, "Login error 503", [thread.id])
    incidents.resolve_incident(agent, incident, "Fixed: sign in again.")

    real_accept = qa.accept_solution
    calls = {"n": 0}

    def dying_accept(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("worker killed")  # not a DomainError: the process dies here
        return real_accept(*args, **kwargs)

    monkeypatch.setattr(qa, "accept_solution", dying_accept)
    with pytest.raises(RuntimeError):
        incidents.fan_out({"incident_id": incident.id})
    db.session.rollback()
    incidents.fan_out({"incident_id": incident.id})  # the job's retry

    db.session.refresh(thread)
    db.session.refresh(case)
    assert thread.accepted_post_id is not None, "the retry never accepts the resolution"
    assert case.status == CaseStatus.RESOLVED.value, "the retry never resolves the open case"


def test_update_reaches_a_linked_question_after_it_was_merged(make, run_jobs):
    """A linked question merged into another thread: its asker now reads the target thread; the update
    must still reach them there instead of being skipped silently (source is deleted by the merge)."""
    agent = make.make_user("agent")
    moderator = make.make_user("moderator")
    linked = make.make_thread(title="Login error 503 on my phone")
    target = make.make_thread(title="Login broken for everyone")
    incidents.open_incident(agent, "Login error 503", [linked.id])
    incident = db.session.scalar(select(incidents.Incident))
    moderation_actions.merge_threads(moderator, linked, target.id, "Same problem")
    incidents.post_update(agent, incident, "We are restarting the login servers.")
    run_jobs()
    bodies = [post.body for post in _replies(target.id)]
    assert any("restarting the login servers" in body for body in bodies), \
        "the merged question's asker never hears the incident update"


def test_two_fan_out_jobs_at_once_post_each_update_once(app, committed):
    """Two updates posted a second apart queue two fan-out jobs for the same incident; two workers run
    them at once (or a lease expires mid-run). Each thread must still get each update exactly once."""
    from tests import factories

    agent = factories.make_user("agent")
    thread = factories.make_thread(title="Login error 503 again")
    incident = incidents.open_incident(agent, "Login error 503", [thread.id])
    incidents.post_update(agent, incident, "We are restarting the login servers.")
    incident_id, thread_id = incident.id, thread.id

    real_reply = posting.reply_to_thread
    both_read = threading.Barrier(2, timeout=5)

    def reply_after_both_read(*args, **kwargs):
        try:
            both_read.wait()  # both jobs have read the link's last_update_id before either posts
        except threading.BrokenBarrierError:
            pass  # SQLite serialises the two jobs: no overlap to force
        return real_reply(*args, **kwargs)

    posting.reply_to_thread = reply_after_both_read
    try:
        failures = race(app, [lambda: incidents.fan_out({"incident_id": incident_id})] * 2)
    finally:
        posting.reply_to_thread = real_reply
    assert not [f for f in failures if not isinstance(f, threading.BrokenBarrierError)], failures
    copies = [post for post in _replies(thread_id) if "restarting the login servers" in post.body]
    assert len(copies) == 1, f"the update was posted {len(copies)} times on the same thread"
