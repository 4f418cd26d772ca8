"""Crash safety (issue 11): SIGKILL the web server and the worker mid-stream, restart them, audit the database.

The web test serves the real app under gunicorn (two sync workers) and fires replies, helpful
votes and escalations at it from several client threads through the API, killing the whole
process group twice while requests are in flight. Whatever was acknowledged must be there
exactly once, whatever was not must be all there or not at all, and every denormalized counter
must equal a recount. The worker test kills `flask worker` inside SMTP's and HTTP's crash
window (the server has the message, the worker has not heard so) and once more at a random
point; every email and webhook must arrive, and a resent copy must carry the same Message-ID or
event id so the receiver can drop it. Leases are expired by moving them into the past, as their
five minutes passing would, rather than waiting.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, insert, select, text, update

from forum import accounts
from forum.core import clock
from forum.core.extensions import db
from forum.integrations import webhooks
from forum.integrations.webhooks import SubscriptionInput
from forum.mail import sending as mail
from forum.models import (
    Case,
    CaseEvent,
    Job,
    JobStatus,
    Notification,
    NotificationKind,
    OutboundEmail,
    Post,
    ReputationEvent,
    Thread,
    User,
    Visibility,
    Vote,
    WebhookDelivery,
)
from forum.models.reputation import VOTE_REASONS
from forum.recognition import reputation
from forum.services import notifications, subscriptions
from tests import factories
from tests.conftest import free_port
from tests.support.crash import StallingSmtpSink, WebServer, Worker, child_env, request, wait_for
from tests.support.receiver import Receiver, running_receiver

SECRET = "crash-test-webhook-secret"
CLIENTS = 4
MEMBERS = 16
THREADS = 4


# --- the web server -------------------------------------------------------------------------------


@dataclass
class Op:
    """One request a user makes, and what the server answered (status None: no answer, the server died)."""

    kind: str  # reply | vote | escalate
    user_id: int
    token: str
    target: int  # a thread id (reply, escalate) or a post id (vote)
    marker: str = ""
    status: int | None = None
    document: dict = field(default_factory=dict)
    error: str = ""

    @property
    def acknowledged(self) -> bool:
        """Answered with success and what the user sees: the new post or case id, or the vote count."""
        key = "vote_count" if self.kind == "vote" else "id"
        return self.status in (200, 201) and isinstance(self.document.get(key), int)

    def send(self, port: int) -> None:
        method, path, body = {
            "reply": ("POST", f"/api/v1/threads/{self.target}/posts", {"body": f"Have you tried {self.marker}?"}),
            "vote": ("POST", f"/api/v1/posts/{self.target}/votes", None),
            "escalate": ("POST", f"/api/v1/threads/{self.target}/escalations", {"reason": "Nobody could help."}),
        }[self.kind]
        self.status, self.document, self.error = None, {}, ""
        try:
            self.status, self.document = request(port, method, path, self.token, body, timeout=30)
        except OSError as exc:  # refused, reset, or the connection closed without an answer
            self.error = f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class Community:
    """Ids only: the test's session lets go of its rows while the server runs."""

    askers: dict[int, int]  # thread id → its asker's id
    questions: list[int]  # the question posts of the threads, in thread order
    answers: list[int]  # one answer per thread
    members: list[int]
    agent: int
    newcomer: int  # writes the first post after the last restart
    tokens: dict[int, str]  # user id → bearer token


def _make_community() -> Community:
    """Askers' questions with one answer each, members and an agent with tokens, a webhook subscriber."""
    admin = factories.make_user("admin")
    webhooks.create_subscription(admin, SubscriptionInput(
        "http://127.0.0.1:9/hook", ["post.created", "thread.escalated"], SECRET, allow_private=True))
    category = factories.make_category()
    threads = [factories.make_thread(author=factories.make_user(), category=category) for _ in range(THREADS)]
    answers = [factories.make_reply(thread, author=factories.make_user()).id for thread in threads]
    questions = [db.session.scalar(select(Post.id).where(Post.thread_id == t.id, Post.is_question.is_(True)))
                 for t in threads]
    members = [factories.make_user() for _ in range(MEMBERS)]
    agent, newcomer = factories.make_user("agent"), factories.make_user()
    people = [*members, agent, newcomer, *(thread.author for thread in threads)]
    tokens = {person.id: accounts.create_api_token(person, name="crash test") for person in people}
    community = Community({t.id: t.author_id for t in threads}, questions, answers, [m.id for m in members],
                          agent.id, newcomer.id, tokens)
    db.session.remove()  # hold no connection (nor SQLite lock) while the server runs
    return community


def _operations(community: Community) -> list[Op]:
    """Every member replies once and votes on every answer and two questions; agent and askers escalate."""
    ops: list[Op] = []
    thread_ids = list(community.askers)
    for n, member in enumerate(community.members):
        token = community.tokens[member]
        ops.append(Op("reply", member, token, thread_ids[n % THREADS], marker=f"crash-marker-{n:03d}"))
        ops += [Op("vote", member, token, post_id) for post_id in community.answers + community.questions[:2]]
    for thread_id, asker in community.askers.items():
        ops.append(Op("escalate", community.agent, community.tokens[community.agent], thread_id))
        ops.append(Op("escalate", asker, community.tokens[asker], thread_id))
    random.Random(11).shuffle(ops)  # the same interleaving every run: replies, votes and escalations all meet the kills
    return ops


class Stream:
    """CLIENTS threads drain the operations; the test kills and restarts the server between acknowledgements."""

    def __init__(self, server: WebServer, ops: list[Op]) -> None:
        self.server = server
        self.pending = deque(ops)
        self.up = threading.Event()
        self.up.set()
        self.lock = threading.Lock()
        self.acknowledged = 0
        self.cut_off = 0  # requests sent before a kill that never got an answer

    def _client(self) -> None:
        while True:
            with self.lock:
                if not self.pending:
                    return
                op = self.pending.popleft()
            if not self.up.wait(timeout=90):
                op.error = "the server never came back"
                continue
            op.send(self.server.port)
            with self.lock:
                self.acknowledged += op.acknowledged
                self.cut_off += op.status is None and "Refused" not in op.error

    def run(self, kill_after: list[int]) -> None:
        """Kill the server (master and workers) once each threshold of acknowledgements is passed."""
        clients = [threading.Thread(target=self._client, daemon=True) for _ in range(CLIENTS)]
        for client in clients:
            client.start()
        for threshold in kill_after:
            wait_for(lambda n=threshold: self.acknowledged >= n, 90, f"{threshold} acknowledged requests")
            self.up.clear()
            self.server.kill()
            self.server.start()
            self.up.set()
        for client in clients:
            client.join(timeout=120)
        assert not any(client.is_alive() for client in clients), "a client never finished"


def _retry_until_acknowledged(port: int, ops: list[Op]) -> None:
    """What a user does when a vote or an escalation got no answer: press again."""
    for op in ops:
        if not op.acknowledged:
            op.send(port)
            assert op.acknowledged, (op.kind, op.status, op.document, op.error)


def test_killing_the_web_server_loses_no_acknowledged_write_and_applies_nothing_twice(app: Flask, committed, tmp_path):
    community = _make_community()
    ops = _operations(community)
    server = WebServer(child_env(app, tmp_path / "web-data"), tmp_path / "gunicorn.log", free_port())
    server.start()
    try:
        stream = Stream(server, ops)
        stream.run(kill_after=[len(ops) // 3, 2 * len(ops) // 3])
        answered = [op for op in ops if op.status is not None]
        assert [(op.kind, op.status, op.document) for op in answered if not op.acknowledged] == []
        assert stream.cut_off, "no request was in flight at either kill: the kills proved nothing"
        _retry_until_acknowledged(server.port, [op for op in ops if op.kind != "reply"])
        _pressing_vote_again_counts_once(server.port, ops)
        _the_api_works_after_restart(server.port, community)
    finally:
        server.kill()
    db.session.expire_all()
    _audit_replies(ops)
    _audit_votes(ops)
    _audit_escalations(ops, community)
    _audit_outbox()


def _pressing_vote_again_counts_once(port: int, ops: list[Op]) -> None:
    """Every vote is in (acknowledged or retried): pressing again leaves each count at one per voter."""
    votes = [op for op in ops if op.kind == "vote"]
    voters = Counter(op.target for op in votes)
    for op in votes[:6]:
        op.send(port)
        assert op.acknowledged and op.document["vote_count"] == voters[op.target], op


def _the_api_works_after_restart(port: int, community: Community) -> None:
    """A new reply succeeds at once (no "database is locked", no stale lock) and is counted."""
    thread_id = next(iter(community.askers))
    status, post = request(port, "POST", f"/api/v1/threads/{thread_id}/posts", community.tokens[community.newcomer],
                           {"body": "Posting after the crash works."})
    assert status == 201, post
    status, shown = request(port, "GET", f"/api/v1/threads/{thread_id}")
    assert status == 200
    assert shown["reply_count"] == _public_reply_count(thread_id)
    db.session.commit()


def _public_reply_count(thread_id: int) -> int:
    return db.session.scalar(select(func.count(Post.id)).where(
        Post.thread_id == thread_id, Post.is_question.is_(False), Post.deleted_at.is_(None),
        Post.visibility == Visibility.PUBLIC.value))


def _audit_replies(ops: list[Op]) -> None:
    """Acknowledged replies exist once; lost ones at most once; counts, activity and outbox rows match."""
    for op in [op for op in ops if op.kind == "reply"]:
        ids = db.session.scalars(select(Post.id).where(Post.body.contains(op.marker))).all()
        if op.acknowledged:
            assert ids == [op.document["id"]], op
        else:
            assert len(ids) <= 1, op
    for thread in db.session.scalars(select(Thread)):
        assert thread.reply_count == _public_reply_count(thread.id), thread.id
        latest = db.session.scalar(select(func.max(Post.created_at)).where(Post.thread_id == thread.id))
        assert thread.last_activity_at >= latest, thread.id
    for post in db.session.scalars(select(Post).where(Post.is_question.is_(False))):
        deliveries = [d for d in _deliveries("post.created") if d["post"]["id"] == post.id]
        assert len(deliveries) == 1, f"post {post.id} has {len(deliveries)} post.created events"
        asker_notes = db.session.scalar(select(func.count(Notification.id)).where(
            Notification.post_id == post.id, Notification.user_id == post.thread.author_id,
            Notification.kind == NotificationKind.REPLY.value))
        assert asker_notes == 1, f"the asker heard {asker_notes} times of post {post.id}"


def _deliveries(event_type: str) -> list[dict]:
    rows = db.session.scalars(select(WebhookDelivery.payload_json).where(WebhookDelivery.event_type == event_type))
    return [json.loads(row) for row in rows]


def _audit_votes(ops: list[Op]) -> None:
    """One vote per user and post; vote counts, question counts on threads, ledger and bell all agree."""
    votes = {tuple(row) for row in db.session.execute(select(Vote.user_id, Vote.post_id))}
    assert {(op.user_id, op.target) for op in ops if op.kind == "vote"} <= votes
    for post in db.session.scalars(select(Post)):
        voters = db.session.scalars(select(Vote.user_id).where(Vote.post_id == post.id)).all()
        assert post.vote_count == len(voters), post.id
        if post.is_question:
            assert post.thread.vote_count == post.vote_count, post.thread_id
        bell = db.session.scalar(select(func.coalesce(func.sum(Notification.count), 0)).where(
            Notification.post_id == post.id, Notification.kind == NotificationKind.VOTES.value))
        assert bell == len(voters), f"the author's bell counts {bell} votes on post {post.id}, not {len(voters)}"
    ledger = Counter(tuple(row) for row in db.session.execute(select(ReputationEvent.actor_id, ReputationEvent.post_id)
                                                              .where(ReputationEvent.reason.in_(VOTE_REASONS),
                                                                     ReputationEvent.correction.is_(None))))
    assert ledger == Counter(votes), "each vote earns its points exactly once"
    for user in db.session.scalars(select(User)):
        total = db.session.scalar(select(func.coalesce(func.sum(ReputationEvent.delta), 0)).where(
            ReputationEvent.user_id == user.id))
        assert user.reputation == total, user.username


def _audit_escalations(ops: list[Op], community: Community) -> None:
    """One open case per escalated thread, the one every acknowledgement named, with all its side effects."""
    escalated = [op for op in ops if op.kind == "escalate"]
    for thread in db.session.scalars(select(Thread).where(Thread.id.in_(community.askers))):
        [case] = db.session.scalars(select(Case).where(Case.thread_id == thread.id)).all()
        assert {op.document["id"] for op in escalated if op.target == thread.id} == {case.id}
        assert case.open_thread_id == thread.id and thread.status == "escalated"
        timeline = db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
        assert timeline.count("escalated") == 1
        told = db.session.scalar(select(func.count(Notification.id)).where(
            Notification.user_id == thread.author_id, Notification.thread_id == thread.id,
            Notification.kind == NotificationKind.CASE_UPDATE.value))
        assert told == (case.escalated_by_id != thread.author_id)  # the asker is told unless it was them
        assert [d["case"]["id"] for d in _deliveries("thread.escalated") if d["thread"]["id"] == thread.id] == [case.id]


def _audit_outbox() -> None:
    """Every stored email, notification to email and webhook delivery has its job: they were committed together."""
    payloads = [(name, json.loads(raw)) for name, raw in db.session.execute(select(Job.name, Job.payload_json))]
    mail_jobs = {p["id"] for name, p in payloads if name == mail.SEND_JOB}
    to_email = [i for name, p in payloads if name == notifications.EMAIL_JOB for i in p["notification_ids"]]
    delivery_jobs = {p["delivery_id"] for name, p in payloads if name == "webhooks.deliver"}
    assert set(db.session.scalars(select(OutboundEmail.id))) == mail_jobs
    assert sorted(to_email) == sorted(db.session.scalars(_wanting_email(select(Notification.id))))
    assert set(db.session.scalars(select(WebhookDelivery.id))) == delivery_jobs


def _wanting_email(statement):
    """Notifications whose recipient asked for email immediately (the worker renders and sends those)."""
    return statement.join(User, User.id == Notification.user_id).where(
        User.email_frequency == "immediately", Notification.kind.not_in(notifications.DIGEST_ONLY_KINDS))


def test_paying_a_user_does_not_wait_on_rows_that_merely_reference_them(app: Flask, committed):
    """Regression, found by the stream above on PostgreSQL: a vote on a question (thread row, then the
    asker's row FOR UPDATE) deadlocked with the asker's escalation (the asker's row key-share locked by
    the new case, then the thread row), and one of them answered 500. The reputation lock must not
    wait for a transaction that only inserted a row pointing at the user."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's: SQLite runs one writer at a time")
    asker_id = factories.make_user().id
    db.session.remove()
    with db.engine.connect() as escalating:
        pending = escalating.begin()
        escalating.execute(insert(Notification).values(user_id=asker_id, kind=NotificationKind.CASE_UPDATE.value,
                                                       count=1, message="", created_at=clock.now()))
        try:
            db.session.execute(text("SET LOCAL lock_timeout = '5s'"))  # a deadline, so a regression fails, not hangs
            reputation.lock_users([asker_id])
            db.session.execute(update(User).where(User.id == asker_id).values(reputation=User.reputation + 10))
        finally:
            db.session.rollback()
            pending.rollback()


# --- the worker -----------------------------------------------------------------------------------


@pytest.fixture
def receiver():
    yield from running_receiver()


@pytest.fixture
def sink(app: Flask):
    settings = app.config["HORSESHOE"]
    running = StallingSmtpSink(settings.mail_server, settings.mail_port).start()
    yield running
    running.release.set()
    running.stop()


def _queue_notifications(receiver_url: str, replies: int = 8) -> int:
    """A watched question gets replies: each one emails the asker and three watchers and fires a webhook.

    Returns how many emails the worker is to send (it renders them from the notifications, then sends them).
    """
    admin = factories.make_user("admin")
    webhooks.create_subscription(admin, SubscriptionInput(receiver_url, ["post.created"], SECRET, allow_private=True))
    thread = factories.make_thread()
    for _ in range(3):
        subscriptions.watch(factories.make_user(), thread)
    helper = factories.make_user()
    for n in range(replies):
        factories.make_reply(thread, author=helper, body=f"Suggestion {n}: check the cable in port {n + 1}.")
    emails = db.session.scalar(_wanting_email(select(func.count(Notification.id))))
    assert emails == replies * 4
    db.session.remove()  # end the transaction: on SQLite it would hold the write lock the worker needs
    return emails


def _expire_leases() -> None:
    """Move the dead worker's job lease and delivery claim into the past: what their minutes passing would do."""
    past = clock.now() - timedelta(seconds=1)
    db.session.execute(update(Job).where(Job.status == JobStatus.RUNNING.value).values(locked_until=past))
    db.session.execute(update(WebhookDelivery).where(WebhookDelivery.claimed_until.is_not(None))
                       .values(claimed_until=past))
    db.session.commit()


def _running_jobs() -> list[Job]:
    db.session.expire_all()
    return list(db.session.scalars(select(Job).where(Job.status == JobStatus.RUNNING.value)))


def _everything_sent() -> bool:
    db.session.expire_all()
    unsent = db.session.scalar(select(func.count(OutboundEmail.id)).where(OutboundEmail.sent_at.is_(None)))
    undelivered = db.session.scalar(select(func.count(WebhookDelivery.id)).where(WebhookDelivery.status != "delivered"))
    db.session.commit()
    return unsent == 0 and undelivered == 0


def test_killing_the_worker_mid_send_loses_no_email_or_webhook(app: Flask, committed, tmp_path: Path,
                                                                sink: StallingSmtpSink, receiver: Receiver):
    emails = _queue_notifications(receiver.url)
    worker = Worker(child_env(app, tmp_path / "worker-data"), tmp_path / "worker.log")

    # 1. The receiver has a webhook but the worker dies before hearing 200. (Webhooks come first: the worker
    #    writes each reply's emails from its notifications, and their mail jobs queue behind the replies' webhooks.)
    receiver.stall.set()
    worker.start()
    wait_for(receiver.arrived.is_set, 60, lambda: f"the first webhook at the receiver:\n{worker.tail()}")
    worker.kill()
    receiver.stall.clear()
    receiver.release.set()
    wait_for(lambda: receiver.received, 10, "the stalled webhook to be recorded")
    [held_delivery] = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.claimed_until.is_not(None)))
    assert held_delivery.status == "pending" and held_delivery.claimed_until > clock.now()
    _expire_leases()

    # 2. The SMTP server has the first email but the worker dies before hearing 250.
    sink.stall.set()
    worker.start()
    wait_for(sink.arrived.is_set, 60, lambda: f"the first email at the SMTP server:\n{worker.tail()}")
    worker.kill()
    sink.stall.clear()
    sink.release.set()
    [held] = _running_jobs()
    assert held.name == mail.SEND_JOB and held.attempts == 1 and held.locked_until > clock.now()
    first_email = db.session.get(OutboundEmail, json.loads(held.payload_json)["id"])
    assert first_email.sent_at is None
    _expire_leases()

    # 3. Killed at whatever point it has reached once half the mail is out.
    sink.delay_s = 0.05
    worker.start()
    wait_for(lambda: len(sink.messages) >= emails // 2 + 2, 60, lambda: f"half the emails:\n{worker.tail()}")
    worker.kill()
    sink.delay_s = 0
    _expire_leases()

    # 4. A fresh worker finishes the rest; nothing stays leased, queued or dead.
    worker.start()
    try:
        wait_for(_everything_sent, 60, lambda: f"every email and webhook to go out:\n{worker.tail()}")
        wait_for(lambda: not _due_jobs(), 30, "the queue to drain")
    finally:
        worker.kill()
    _audit_mail(sink, first_email.id, kills=worker.kills)
    _audit_webhooks(receiver, held_delivery.event_id, kills=worker.kills)
    _audit_jobs(held.id)


def _due_jobs() -> list[tuple[str, str]]:
    db.session.expire_all()
    due = db.session.execute(select(Job.name, Job.status).where(
        (Job.status == JobStatus.RUNNING.value)
        | ((Job.status == JobStatus.QUEUED.value) & (Job.run_at <= clock.now()))
    )).all()
    db.session.commit()
    return [tuple(row) for row in due]


def _audit_mail(sink: StallingSmtpSink, resent_id: int, kills: int) -> None:
    """Every stored email arrived; a copy is byte-for-byte the same email under the same Message-ID."""
    stored = {mail.message_id(email): email for email in db.session.scalars(select(OutboundEmail))}
    arrived = Counter(message["Message-ID"] for message in sink.messages)
    assert set(arrived) == set(stored), "every email arrived, and nothing else"
    assert all(email.sent_at is not None for email in stored.values())
    assert arrived[mail.message_id(_stored_email(stored, resent_id))] == 2, "the email cut off at 250 was sent again"
    assert max(arrived.values()) <= 2 and sum(arrived.values()) - len(arrived) <= kills
    for message_id in [m for m, copies in arrived.items() if copies > 1]:
        copies = [m for m in sink.messages if m["Message-ID"] == message_id]
        assert len({(m["To"], m["Subject"], m.get_body(("plain",)).get_content()) for m in copies}) == 1
    notified = db.session.scalar(select(func.count(Notification.id)).where(Notification.emailed_at.is_not(None)))
    assert len(arrived) == notified, "one email per notification that asked for one"


def _stored_email(stored: dict[str, OutboundEmail], email_id: int) -> OutboundEmail:
    return next(email for email in stored.values() if email.id == email_id)


def _audit_webhooks(receiver: Receiver, resent_event: str, kills: int) -> None:
    deliveries = list(db.session.scalars(select(WebhookDelivery)))
    assert {d.status for d in deliveries} == {"delivered"}
    assert {r.event_id for r in receiver.unique()} == {d.event_id for d in deliveries}
    arrived = Counter(r.event_id for r in receiver.accepted())
    assert arrived[resent_event] == 2, "the webhook cut off before its 200 was sent again, under the same event id"
    assert max(arrived.values()) <= 2 and sum(arrived.values()) - len(arrived) <= kills
    for event_id in [e for e, copies in arrived.items() if copies > 1]:
        assert len({r.body for r in receiver.received if r.event_id == event_id}) == 1


def _audit_jobs(first_job_id: int) -> None:
    """The job cut off first ran again once its lease expired; nothing is left running, due or dead."""
    assert _due_jobs() == []
    assert db.session.scalar(select(func.count(Job.id)).where(Job.status == JobStatus.DEAD.value)) == 0
    rerun = db.session.get(Job, first_job_id)
    assert (rerun.status, rerun.attempts) == (JobStatus.DONE.value, 2)
