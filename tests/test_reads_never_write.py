"""Reads never write (issue 10): no GET route runs an INSERT, UPDATE or DELETE, for any caller.

A write inside a GET takes SQLite's single write lock on the busiest path, turns a cacheable read into
a transaction, and lets a crawler change data. The table below is generated against the app's url_map:
a GET route added without an entry here fails test_every_get_route_is_covered.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import event

from forum import cases, incidents, uploads
from forum.accounts import data_export, password_reset
from forum.core import clock, outbox
from forum.core.extensions import db
from forum.integrations import webhooks
from forum.knowledge import articles, lifecycle
from forum.mail import confirmations
from forum.models import InboundMail
from forum.recognition import missions
from forum.recognition.badges import CATALOGUE
from forum.services import notifications
from search import jobs as search_jobs
from tests.conversations.support import seed_conversation
from tests.web import conftest as web_fixtures

# The page tests' seeded community and its callers (signed out, asker, another member, admin).
community, switch_user, act_as = web_fixtures.community, web_fixtures.switch_user, web_fixtures.act_as
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE|UPSERT)\b", re.IGNORECASE)
CALLERS = ["anonymous", "author", "other", "admin"]

# Every GET rule → the URL requested (fields of the seeded Seed below). Rules needing staff are
# requested by everyone anyway: members must be refused without writing either.
ROUTES = {
    "/": "/",
    "/admin": "/admin",
    "/admin/categories": "/admin/categories",
    "/admin/categories/<id:category_id>/edit": "/admin/categories/{category.id}/edit",
    "/admin/delivery": "/admin/delivery",
    "/admin/delivery/<id:job_id>/discard": "/admin/delivery/{dead_job.id}/discard",
    "/admin/helpdesk": "/admin/helpdesk",
    "/admin/helpdesk/<id:category_id>": "/admin/helpdesk/{category.id}",
    "/admin/service-tokens": "/admin/service-tokens",
    "/admin/settings": "/admin/settings",
    "/admin/system": "/admin/system",
    "/admin/system/jobs/<id:job_id>/discard": "/admin/system/jobs/{dead_job.id}/discard",
    "/admin/tags": "/admin/tags",
    "/admin/tags/<id:tag_id>": "/admin/tags/{tag_id}",
    "/admin/users": "/admin/users",
    "/admin/users/<id:user_id>/anonymize": "/admin/users/{other.id}/anonymize",
    "/admin/watched-words": "/admin/watched-words",
    "/admin/webhooks": "/admin/webhooks",
    "/admin/webhooks/deliveries": "/admin/webhooks/deliveries",
    "/api/v1/badges": "/api/v1/badges",
    "/api/v1/cases": "/api/v1/cases",
    "/api/v1/cases/<id:case_id>": "/api/v1/cases/{case.id}",
    "/api/v1/categories": "/api/v1/categories",
    "/api/v1/drafts/<key>": "/api/v1/drafts/reply-{thread.id}",
    "/api/v1/leaderboard": "/api/v1/leaderboard",
    "/api/v1/me": "/api/v1/me",
    "/api/v1/me/blocks": "/api/v1/me/blocks",
    "/api/v1/metrics/summary": "/api/v1/metrics/summary",
    "/api/v1/moderation/audit": "/api/v1/moderation/audit",
    "/api/v1/moderation/queue": "/api/v1/moderation/queue",
    "/api/v1/notifications": "/api/v1/notifications",
    "/api/v1/openapi.json": "/api/v1/openapi.json",
    "/api/v1/posts/<id:post_id>/revisions": "/api/v1/posts/{question.id}/revisions",
    "/api/v1/search": "/api/v1/search?q=charged",
    "/api/v1/search/similar": "/api/v1/search/similar?title=charged+twice",
    "/api/v1/settings": "/api/v1/settings",
    "/api/v1/threads": "/api/v1/threads",
    "/api/v1/threads/<id:thread_id>": "/api/v1/threads/{thread.id}",
    "/api/v1/threads/<id:thread_id>/posts": "/api/v1/threads/{thread.id}/posts",
    "/api/v1/users/<id:user_id>": "/api/v1/users/{author.id}",
    "/api/v1/users/autocomplete": "/api/v1/users/autocomplete?q=a&thread_id={thread.id}",
    "/api/v1/users/<id:user_id>/reputation": "/api/v1/users/{author.id}/reputation",
    "/api/v1/webhooks": "/api/v1/webhooks",
    "/api/v1/webhooks/<id:subscription_id>/deliveries": "/api/v1/webhooks/{subscription.id}/deliveries",
    "/ask": "/ask",
    "/admin/branding": "/admin/branding",
    "/branding.css": "/branding.css?v=0",
    "/branding/logo/<id:upload_id>": "/branding/logo/{upload.id}",
    "/avatars/<id:user_id>/<id:upload_id>/<int:size>": "/avatars/{author.id}/{avatar.id}/64",
    "/avatars/default/<id:user_id>.svg": "/avatars/default/{author.id}.svg",
    "/auth/forgot": "/auth/forgot",
    "/auth/oidc/callback": "/auth/oidc/callback?code=not-a-code&state=not-a-state",
    "/auth/login": "/auth/login",
    "/auth/register": "/auth/register",
    "/auth/reset/<token>": "/auth/reset/{reset_token}",
    "/questions/<id:source_id>": "/questions/{thread.id}",
    "/questions/<id:source_id>/<slug>": "/questions/{thread.id}/{thread.slug}",
    "/a/<id:source_id>": "/a/{reply.id}",
    "/a/<id:source_id>/<id:sharer_id>": "/a/{reply.id}/{author.id}",
    "/claim/<token>": "/claim/not-a-claim-link",
    "/auth/verify/<token>": "/auth/verify/not-a-confirmation-link",
    "/badges": "/badges",
    "/badges/<code>": "/badges/{badge_code}",
    "/c/<slug>": "/c/{category.slug}",
    "/c/<slug>/feed.atom": "/c/{category.slug}/feed.atom",
    "/cases/<id:case_id>": "/cases/{case.id}",
    "/desk": "/desk",
    "/desk/cases/<id:case_id>": "/desk/cases/{case.id}",
    "/feeds/latest.atom": "/feeds/latest.atom",
    "/feeds/articles.atom": "/feeds/articles.atom",
    "/c/<slug>/articles.atom": "/c/{category.slug}/articles.atom",
    "/kb": "/kb?category=billing",
    "/kb/<id:article_id>": "/kb/{article.id}",
    "/kb/<id:article_id>/<slug>": "/kb/{article.id}/{article.slug}",
    "/kb/new": "/kb/new?thread={thread.id}",
    "/kb/<id:article_id>/edit": "/kb/{draft_article.id}/edit",
    "/kb/<id:article_id>/versions": "/kb/{article.id}/versions",
    "/kb/<id:article_id>/diff": "/kb/{article.id}/diff?from=1&to=2",
    "/admin/articles": "/admin/articles?sort=views&order=asc",
    # The ideas report (issue 29, WP6): staff only; members are refused without writing.
    "/admin/ideas": "/admin/ideas",
    "/admin/ideas.csv": "/admin/ideas.csv",
    # The ideas board's pages (issue 29, WP5): the board, the new idea form, the roadmap.
    "/ideas": "/ideas?sort=latest",
    "/ideas/new": "/ideas/new",
    "/roadmap": "/roadmap",
    # The ideas API (issue 29, WP4).
    "/api/v1/ideas": "/api/v1/ideas?sort=latest&status=new",
    "/api/v1/ideas/similar": "/api/v1/ideas/similar?title=Charged+twice+for+my+plan",
    "/api/v1/ideas/<id:idea_id>": "/api/v1/ideas/{idea.thread_id}",
    "/api/v1/articles": "/api/v1/articles?status=draft",
    "/api/v1/articles/<id:article_id>": "/api/v1/articles/{article.id}",
    "/feeds/solved.atom": "/feeds/solved.atom",
    "/feeds/ideas.atom": "/feeds/ideas.atom",
    "/feeds/roadmap.atom": "/feeds/roadmap.atom",
    "/robots.txt": "/robots.txt",
    "/healthz": "/healthz",
    "/readyz": "/readyz",
    "/metrics": "/metrics",
    "/sitemap.xml": "/sitemap.xml",
    "/sitemaps/<any(threads, articles, categories):kind>-<id:number>.xml": "/sitemaps/threads-1.xml",
    "/leaderboard": "/leaderboard",
    "/missions": "/missions",
    "/moderation/audit": "/moderation/audit",
    "/moderation/duplicates": "/moderation/duplicates",
    "/moderation/needs-staff": "/moderation/needs-staff",
    "/moderation/queue": "/moderation/queue",
    "/moderation/threads/<id:thread_id>/split": "/moderation/threads/{thread.id}/split",
    "/moderation/users/<id:user_id>/suspend": "/moderation/users/{other.id}/suspend",
    "/notifications": "/notifications",
    "/p/<id:post_id>/delete": "/p/{reply.id}/delete",
    "/p/<id:post_id>/edit": "/p/{reply.id}/edit",
    "/p/<id:post_id>/history": "/p/{question.id}/history",
    "/privileges": "/privileges",
    "/scorecard": "/scorecard",
    "/search": "/search?q=charged",
    "/settings/notifications": "/settings/notifications",
    "/settings/profile": "/settings/profile",
    "/settings/privacy/delete/confirm/<token>": "/settings/privacy/delete/confirm/not-a-deletion-link",
    "/settings/sessions": "/settings/sessions",
    "/settings/tokens": "/settings/tokens",
    "/settings/ignored": "/settings/ignored",
    "/staff/advocates": "/staff/advocates",
    "/staff/analytics": "/staff/analytics",
    "/staff/analytics/metrics.csv": "/staff/analytics/metrics.csv",
    "/staff/analytics/threads.csv": "/staff/analytics/threads.csv",
    "/staff/incidents": "/staff/incidents",
    "/staff/incidents/<id:incident_id>": "/staff/incidents/{incident.id}",
    "/staff/members/<id:user_id>": "/staff/members/{author.id}",
    "/staff/missions": "/staff/missions",
    "/staff/missions/<id:mission_id>/delete": "/staff/missions/{mission.id}/delete",
    "/staff/missions/<id:mission_id>/edit": "/staff/missions/{mission.id}/edit",
    "/static/<path:filename>": "/static/style.css",
    "/t/<id:thread_id>": "/t/{thread.id}",
    "/t/<id:thread_id>/<slug>": "/t/{thread.id}/{thread.slug}",
    "/t/<id:thread_id>/edit": "/t/{thread.id}/edit",
    "/tags": "/tags",
    "/tags/<name>": "/tags/{tag}",
    "/tags/<name>/feed.atom": "/tags/{tag}/feed.atom",
    "/u/<username>": "/u/{author.username}",
    "/u/<username>/reputation": "/u/{author.username}/reputation",
    "/unsubscribe/<token>": "/unsubscribe/{unsubscribe_token}",
    "/uploads/<id:upload_id>/<filename>": "/uploads/{upload.id}/{upload.filename}",
    "/settings/privacy": "/settings/privacy",
    "/settings/privacy/export/<id:export_id>/download": "/settings/privacy/export/{export.id}/download",
    "/api/v1/me/export": "/api/v1/me/export",
    "/api/v1/me/export/<id:export_id>/archive": "/api/v1/me/export/{export.id}/archive",
    "/settings/two-factor": "/settings/two-factor",
    "/settings/two-factor/enrol": "/settings/two-factor/enrol",
    "/settings/two-factor/challenge": "/settings/two-factor/challenge",
    "/appeal": "/appeal",
    "/messages": "/messages",
    "/messages/new": "/messages/new",
    "/mail/confirm/<token>": "/mail/confirm/{mail_token}",
    "/messages/<id:conversation_id>": "/messages/{conversation.id}",
    "/moderation/conversations/<id:conversation_id>": "/moderation/conversations/{conversation.id}",
    "/api/v1/conversations": "/api/v1/conversations",
    "/api/v1/conversations/<id:conversation_id>": "/api/v1/conversations/{conversation.id}",
}
# GET routes that may write, and why. They are still requested above (never a 500); only their writes are allowed.
MAY_WRITE = {
    # The provider redirects the browser here with a GET (OpenID Connect code flow): finishing the sign-in
    # spends the nonce and may create the account and its identity link.
    "/auth/oidc/callback": "OpenID Connect redirects here by GET; the sign-in it completes writes",
    # Private conversations (issue 22): opening one is what marks it read for its participant (their inbox's
    # unread marker and their message notifications; no write when nothing is unread); a moderator's look
    # through a flag is audited, and the audit entry is the point.
    "/messages/<id:conversation_id>": "reading a conversation marks it read for the participant reading it",
    "/api/v1/conversations/<id:conversation_id>": "reading a conversation marks it read for the participant",
    "/moderation/conversations/<id:conversation_id>": "a moderator's look into a private conversation is audited",
}


class Seed:
    """The community plus one of everything a URL names (case, incident, mission, webhook, tokens)."""

    def __init__(self, community, make) -> None:
        vars(self).update(vars(community))
        self.tag = "wifi"
        self.tag_id = make.make_thread(author=community.author, category=community.category, tags=[self.tag]).tags[0].id
        self.case, _ = cases.escalate_thread(community.author, community.thread, "Please refund me")
        self.incident = incidents.open_incident(community.admin, "Double charges", [community.thread.id])
        starts = clock.now()
        self.mission = missions.create_mission(community.admin, missions.MissionInput(
            title="Answer five questions", metric="replies", goal=5, starts_at=starts,
            ends_at=starts + timedelta(days=7), points=10,
        ))
        self.subscription = webhooks.create_subscription(community.admin, webhooks.SubscriptionInput(
            url="http://127.0.0.1:9/horseshoe", events=["thread.created"], allow_private=True,
        ))
        self.badge_code = CATALOGUE[0].code
        self.reset_token = password_reset.reset_serializer().dumps(
            {"uid": community.author.id, "pw": password_reset.password_fingerprint(community.author)}
        )
        self.unsubscribe_token = notifications.unsubscribe_url(community.author).rsplit("/", 1)[1]
        self.avatar = uploads.set_avatar_from_stream(community.author, _png(), "me.png")
        self.upload = uploads.store_stream(community.author, _png(), "screen.png", "image/png")
        self.export = data_export.request_export(community.author)  # built, so its download is read too
        data_export.build_export({"export_id": self.export.id})
        self.conversation = seed_conversation(community.author, [community.other], flagged_by=community.other)
        self.mail_token = _question_waiting_for_its_link(community)
        self.article = _published_article(community)
        self.draft_article = articles.create_article(community.advocate, articles.ArticleDraft(
            title="When a refund reaches your card", body="Three to five working days.",
            category_id=community.category.id))
        self.idea = make.make_idea(author=community.author)  # the ideas board's pages and API read one
        self.dead_job = outbox.enqueue("notifications.email", {"notification_ids": []}, max_attempts=1)
        self.dead_job.status, self.dead_job.attempts, self.dead_job.last_error = "dead", 1, "KeyError: 'x'"
        db.session.commit()
        search_jobs.ensure_index({})  # as the worker does: /readyz answers 200 only once search has an index


def _published_article(community):
    """A knowledge-base article with two versions, published (issue 25): its page, history, diff and feeds."""
    article = articles.create_article(community.advocate, articles.ArticleDraft(
        title="Refunds for a double charge", body="Compare the charges.", category_id=community.category.id))
    articles.edit_article(community.advocate, article, articles.ArticleChange(body="Compare both charges."))
    return lifecycle.publish(community.moderator, article)


def _question_waiting_for_its_link(community) -> str:
    """A question emailed to the category that waits for its sender's confirmation link (issue 24); the token."""
    raw = (f"From: {community.author.email}\r\nTo: ask@example.com\r\nSubject: Charged twice this month\r\n\r\n"
           "My card was charged twice.\r\n").encode()
    mail = InboundMail(digest="d" * 64, channel="smtp", raw=raw, from_address=community.author.email,
                       status="pending", user_id=community.author.id, category_id=community.category.id,
                       received_at=clock.now(), processed_at=clock.now())
    db.session.add(mail)
    db.session.flush()
    return confirmations.link_for(mail).rsplit("/", 1)[1]


def _png() -> io.BytesIO:
    picture = io.BytesIO()
    Image.new("RGB", (80, 60), (20, 120, 200)).save(picture, "PNG")
    picture.seek(0)
    return picture


@pytest.fixture
def seed(community, make) -> Seed:
    return Seed(community, make)


@contextmanager
def writes(engine) -> Iterator[list[str]]:
    """Every INSERT/UPDATE/DELETE the engine sends while the block runs."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if WRITE.match(statement):
            seen.append(" ".join(statement.split())[:160])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def get_rules(app) -> set[str]:
    return {rule.rule for rule in app.url_map.iter_rules() if "GET" in rule.methods}


def test_every_get_route_is_covered(app):
    """A new GET route must be added to ROUTES (and, if it must write, to MAY_WRITE with the reason)."""
    assert get_rules(app) - set(ROUTES) == set()
    assert set(ROUTES) - get_rules(app) == set(), "ROUTES names rules that no longer exist"
    assert set(MAY_WRITE) <= set(ROUTES)


@pytest.mark.parametrize("caller", CALLERS)
def test_no_get_request_writes_to_the_database(app, db, seed, act_as, caller):
    client = act_as(caller)
    offenders: dict[str, list[str]] = {}
    for rule, template in ROUTES.items():
        url = template.format(**vars(seed))
        with writes(db.engine) as seen:
            response = client.get(url)
            response.get_data()  # streamed bodies (CSV exports) run their queries while being read
            response.close()
        assert response.status_code < 500, (url, response.status_code)
        if seen and rule not in MAY_WRITE:
            offenders[url] = seen
    assert offenders == {}
