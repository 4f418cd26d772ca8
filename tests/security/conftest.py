"""One seeded community per security module, and requests that each run in a savepoint rolled back afterwards.

The matrix sends about 1,700 requests; a fresh community per request (or per test) would cost minutes,
so the community is built once per module inside an outer transaction, and every request runs inside
a SAVEPOINT on that connection that is rolled back as soon as the response is in. So every request,
even an admin deleting the thread, meets the same pristine community, and nothing is ever committed.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import Connection, func, orm, select, update

from forum import cases, incidents, tagging, uploads, writing
from forum.accounts import data_export, deletion, password_reset
from forum.accounts import tokens as api_tokens
from forum.core import outbox
from forum.core.extensions import db as _db
from forum.findability import sitemaps
from forum.importing import people as imported_people
from forum.importing import records as imported_records
from forum.integrations import helpdesk, webhooks
from forum.knowledge import articles, lifecycle
from forum.models import Category, ConversationMessage, JobStatus, Notification, Subscription, User, WebhookDelivery
from forum.recognition import missions
from forum.services import notifications, reading, subscriptions
from moderation.models import ReviewKind
from moderation.services import appeals, review_queue, suspensions, watched_words
from search import jobs as search_jobs
from tests import factories
from tests.conversations.support import seed_conversation

PUBLIC_URL = "https://93.184.215.14/hooks"  # an IP literal: never resolved, never contacted (no jobs run)
SUSPENDED_UNTIL = datetime(2099, 1, 1, tzinfo=UTC)
# Columns any authenticated call may touch, refused or not: when a bearer token was last used (api.md's token list).
BOOKKEEPING = {"api_token": {"last_used_at"}}


@dataclass
class World:
    """Ids and names of one small community: everything a URL in the route table can name."""

    # role -> user id. "suspended" is the owner under an active suspension (applied per request): the same
    # person and content, so any difference from "owner" is the suspension's doing and nothing else.
    users: dict[str, int] = field(default_factory=dict)
    session_ids: dict[str, str] = field(default_factory=dict)  # role -> Flask-Login session id
    tokens: dict[str, str] = field(default_factory=dict)  # role -> raw write-scope bearer token
    read_token: str = ""  # the owner's read-scope bearer token
    ids: dict[str, int | str] = field(default_factory=dict)  # named objects -> id (or slug/name/token)
    connection: Connection | None = None  # the module's connection; every request runs in a savepoint on it
    baselines: dict[str, dict[str, str]] = field(default_factory=dict)  # fingerprints of the untouched community

    def param(self, name: str) -> int | str:
        return self.ids[name]


def _seed_people(world: World) -> dict[str, User]:
    people = {
        "owner": factories.make_user(username="asker"),
        "other": factories.make_user(username="helper"),
        "advocate": factories.make_user(role="advocate", username="advo"),
        "moderator": factories.make_user(role="moderator", username="mod"),
        "agent": factories.make_user(role="agent", username="agentsmith"),
        "admin": factories.make_user(role="admin", username="boss"),
    }
    people["suspended"] = people["owner"]
    for role, user in people.items():
        world.users[role] = user.id
        world.session_ids[role] = factories.session_key_for(user)
    factories.session_key_for(people["owner"])  # a second browser of the owner's, for the sessions page to end
    world.ids["session_id"] = people["owner"].current_session_id
    for role, user in people.items():
        if role != "suspended":
            world.tokens[role] = api_tokens.create_personal_token(user, api_tokens.TokenInput("matrix", "write")).raw
    world.tokens["suspended"] = world.tokens["owner"]
    world.read_token = api_tokens.create_personal_token(people["owner"], api_tokens.TokenInput("reader", "read")).raw
    return people


def _seed_content(world: World, people: dict[str, User]) -> None:
    owner, other, admin = people["owner"], people["other"], people["admin"]
    category = factories.make_category(name="Billing", slug="billing")
    spare = factories.make_category(name="Accounts", slug="accounts")
    hook = webhooks.create_subscription(admin, webhooks.SubscriptionInput(PUBLIC_URL, ["post.created"],
                                                                          "matrix-secret-1234"))
    thread = factories.make_thread(author=owner, category=category, title="Charged twice for my plan",
                                   tags=["refund"])
    reply = factories.make_reply(thread, author=other, body="Check the invoices page; the second one is a hold.")
    elsewhere = factories.make_thread(author=other, category=spare, title="Cannot sign in after the update")
    subscriptions.watch(owner, thread)
    case, _ = cases.escalate_thread(owner, thread, "Charged twice")
    item = review_queue.open_item(reply, ReviewKind.FLAGGED, "spam")
    upload = uploads.store_stream(owner, io.BytesIO(_tiny_png()), "receipt.png", "image/png")
    removable = uploads.store_stream(owner, io.BytesIO(b"remove me\n"), "notes.txt", "text/plain")
    _db.session.commit()
    world.ids.update(
        category_id=category.id, slug=category.slug, spare_category_id=spare.id, name="refund",
        thread_id=thread.id, thread_slug=thread.slug, post_id=reading.question_post(thread).id, reply_id=reply.id,
        other_thread_id=elsewhere.id, case_id=case.id, item_id=item.id, username=owner.username,
        upload_id=upload.id, upload_filename=upload.filename, removable_upload_id=removable.id, avatar_size=64,
        user_id=owner.id, webhook_id=hook.id, code="first_answer", toggle="lock",
        delivery_id=_db.session.scalar(select(func.max(WebhookDelivery.id))),
        watch_id=_db.session.scalar(select(Subscription.id).where(Subscription.user_id == owner.id).limit(1)),
        tag_id=thread.tags[0].id, synonym_id=tagging.add_synonym(admin, thread.tags[0], "money-back").id,
        sitemap_kind="threads", sitemap_number=(thread.id - 1) // sitemaps.URLS_PER_SITEMAP + 1,  # the thread's file
    )


def _seed_ideas(world: World, people: dict[str, User]) -> None:
    """An ideas category and the owner's idea (its author may not vote for it), linked by staff to the question."""
    from forum.ideas import links

    ideas = factories.make_ideas_category(name="Feature ideas", slug="feature-ideas")
    idea = factories.make_idea(author=people["owner"], category=ideas, title="Export invoices as CSV")
    link = links.attach(people["admin"], idea, thread_id=world.ids["thread_id"])
    world.ids.update(ideas_category_id=ideas.id, idea_id=idea.thread_id, idea_link_id=link.id)


def _seed_articles(world: World, people: dict[str, User]) -> None:
    """A published article by the advocate (who holds the article privilege), and the owner's draft and
    article in review (proposed while the owner held the privilege: made by the advocate, then handed over)."""
    advocate, owner = people["advocate"], people["owner"]

    def proposed(title: str, author: User) -> Any:
        article = articles.create_article(advocate, articles.ArticleDraft(
            title=title, body="Open **Invoices** and compare the two charges.", category_id=world.ids["category_id"]))
        article.author_id = article.owner_id = author.id
        _db.session.commit()
        return article

    published = proposed("Refunds for a double charge", advocate)
    lifecycle.publish(people["moderator"], published)
    draft = proposed("Why a second charge appears", owner)
    waiting = proposed("When a refund reaches your card", owner)
    lifecycle.submit_for_review(owner, waiting)
    world.ids.update(article_id=published.id, article_slug=published.slug, draft_article_id=draft.id,
                     review_article_id=waiting.id)


def _tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def _seed_staff_tools(world: World, people: dict[str, User]) -> None:
    admin, agent = people["admin"], people["agent"]
    now = datetime.now(UTC)
    incident = incidents.open_incident(agent, "Sign-in outage", [world.ids["other_thread_id"]])
    alert, _ = incidents.raise_alert([world.ids["thread_id"]], ["charged"], 1)
    mission = missions.create_mission(people["moderator"], missions.MissionInput(
        title="Billing rescue week", metric="solutions", goal=3, starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=6), points=10))
    silenced = factories.make_user(username="silenced")
    suspensions.suspend_user(people["moderator"], silenced,
                             suspensions.SuspensionInput(now + timedelta(days=365), "Spam"))
    appeal = appeals.submit(silenced, "I posted my own shop once; it will not happen again.")
    word = watched_words.add_watched_word(admin, watched_words.WatchedWordInput("zzzforbidden", "block"))
    service = api_tokens.create_service_token(admin, api_tokens.ServiceTokenInput(
        "helpdesk", "write", new_username="helpdesk-bot", role="agent"))
    helpdesk.save_connector(admin, _db.session.get_one(Category, world.ids["spare_category_id"]),
                                  helpdesk.ConnectorInput(url=PUBLIC_URL, secret="connector-secret-1234"))
    owner = people["owner"]
    personal = api_tokens.list_personal_tokens(owner)[0]
    world.ids.update(
        silenced_id=silenced.id, appeal_id=appeal.id, incident_id=incident.id,
        suspend_until=f"{now + timedelta(days=30):%Y-%m-%dT%H:%M:%SZ}",
        alert_id=alert.id, mission_id=mission.id, word_id=word.id,
        service_token_id=service.token.id, token_id=personal.id,
        notification_id=_db.session.scalar(select(func.max(Notification.id)).where(Notification.user_id == owner.id)),
        unsubscribe_token=notifications.unsubscribe_url(owner).rsplit("/", 1)[1], reset_token=_reset_token(owner),
    )
    # The owner's emailed account-deletion link (issue 20): the token is the credential, like a reset link.
    world.ids["deletion_token"] = deletion.confirmation_token(owner, remove_unanswered=False)
    world.ids["export_id"] = data_export.request_export(owner).id  # the owner's data export, still being built
    # The owner's reply draft on their own thread (issue 22: /api/v1/drafts/{key}, the "Discard draft" button).
    world.ids["draft_key"] = writing.reply_key(world.ids["thread_id"])
    writing.save_draft(owner, world.ids["draft_key"], writing.DraftInput("Half a reply"))
    # A private conversation between owner and other (issue 22), its message (owner's) flagged by other: the
    # flag is what lets moderators open it, on the moderation pages only.
    conversation = seed_conversation(owner, [people["other"]], flagged_by=people["other"])
    world.ids["conversation_id"] = conversation.id
    world.ids["conversation_message_id"] = _db.session.scalar(
        select(func.min(ConversationMessage.id)).where(ConversationMessage.conversation_id == conversation.id))
    world.ids["dead_job_id"] = _dead_job(world)
    world.ids["claim_token"] = _claim_token()  # an account a Stack Exchange import made (issue 28)


def _dead_job(world: World) -> int:
    """A job that used its every attempt, for the delivery problems page (issue 24) to resend or discard."""
    job = outbox.enqueue("search.index_thread", {"thread_id": world.ids["thread_id"]})
    job.status, job.attempts, job.last_error = JobStatus.DEAD.value, job.max_attempts, "OSError: disk full"
    _db.session.flush()
    return job.id


def _claim_token() -> str:
    """The claim link's token staff would hand the person behind an imported account."""
    imported_people.add_users("https://example.stackexchange.com", [{"Id": "7", "DisplayName": "Imported Ivy"}])
    _db.session.commit()
    return imported_people.claim_token(imported_records.user_for_source("https://example.stackexchange.com", 7))


def _reset_token(user: User) -> str:
    """The token a reset email would carry (the mail itself is a job that never runs here)."""
    return password_reset.reset_serializer().dumps({"uid": user.id, "pw": password_reset.password_fingerprint(user)})


@pytest.fixture(scope="module")
def world(app: Flask) -> Iterator[World]:
    """Seed the community once for the module in a transaction that is rolled back at the end."""
    with app.app_context():
        connection = _db.engine.connect()
        transaction = connection.begin()
        original = _db.session
        factory = orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        _db.session = orm.scoped_session(factory, scopefunc=original.registry.scopefunc)
        try:
            seeded = World()
            people = _seed_people(seeded)
            _seed_content(seeded, people)
            _seed_articles(seeded, people)
            _seed_ideas(seeded, people)
            with app.test_request_context():
                _seed_staff_tools(seeded, people)
            _db.session.commit()
            search_jobs.ensure_index({})  # as the worker does: GET /readyz answers 200 only once search has an index
            _db.session.close()
            missing = sorted(name for name, value in seeded.ids.items() if value is None)
            assert not missing, f"the seeded community lacks {missing}: a route would test a missing row"
            seeded.connection = connection
            yield seeded
        finally:
            _db.session.remove()
            _db.session = original
            transaction.rollback()
            connection.close()


class Caller:
    """Sends one request as one role, inside a savepoint that is rolled back when the response is in."""

    def __init__(self, app: Flask, world: World) -> None:
        self.app = app
        self.world = world
        self.connection: Connection = world.connection

    def client(self, role: str, *, api: bool) -> FlaskClient:
        client = self.app.test_client()
        if role == "anonymous":
            return client
        if api:
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {self.world.tokens[role]}"
        else:
            with client.session_transaction() as sess:
                sess["_user_id"] = self.world.session_ids[role]
                sess["_fresh"] = True
        return client

    @contextmanager
    def pristine(self, role: str) -> Iterator[None]:
        """A savepoint around one request: the community as seeded, rolled back afterwards."""
        savepoint = self.connection.begin_nested()
        try:
            if role == "suspended":
                self.connection.execute(update(User).where(User.id == self.world.users["owner"]).values(
                    suspended_until=SUSPENDED_UNTIL, suspension_reason="Spamming the billing category"))
            yield
        finally:
            if savepoint.is_active:
                savepoint.rollback()

    def send(self, client: FlaskClient, role: str, method: str, path: str, **kwargs):
        """One request against the pristine community; whatever it changes is undone afterwards."""
        return self.send_and_fingerprint(client, role, method, path, fingerprint=False, **kwargs)[0]

    def send_and_fingerprint(self, client: FlaskClient, role: str, method: str, path: str, *, fingerprint: bool = True,
                             **kwargs) -> tuple[Any, dict[str, str] | None]:
        """Like send(); also the database's fingerprint as the request left it (before the rollback)."""
        with self.pristine(role):
            response = client.open(path, method=method, **kwargs)
            response.get_data()  # drain streamed bodies (CSV exports) while their savepoint still stands
            response.close()
            return response, self.fingerprint() if fingerprint else None

    def pristine_fingerprint(self, role: str) -> dict[str, str]:
        """The fingerprint of the untouched community as role sees it (a suspension is a row change)."""
        key = "suspended" if role == "suspended" else "everyone"
        if key not in self.world.baselines:
            with self.pristine(role):
                self.world.baselines[key] = self.fingerprint()
        return self.world.baselines[key]

    def fingerprint(self) -> dict[str, str]:
        """A digest of every row of every table (as this connection sees it): any insert, update or delete shows."""
        digests = {}
        for table in _db.metadata.sorted_tables:
            columns = [column for column in table.columns if column.name not in BOOKKEEPING.get(table.name, ())]
            rows = self.connection.execute(select(*columns).order_by(*table.primary_key.columns)).all()
            digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
        return digests


@pytest.fixture
def caller(app: Flask, world: World) -> Caller:
    return Caller(app, world)
