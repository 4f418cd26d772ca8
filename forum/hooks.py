"""Every extension point in one place: what can plug in where, and what it receives.

Packages plug in from their init_app through the functions below, and each one refuses a name
this index does not document, so the index cannot fall behind the code. Reading posting.py
never tells you who listens; reading this module does.

- Domain events (EVENTS): services publish them with forum.core.events.publish after a change;
  listeners run in the same transaction (integrations: webhooks and the helpdesk connector).
- Worker jobs (JOBS): rows in the outbox, claimed by `flask worker`; the periodic ones say how often.
- Content checks (CONTENT_CHECKS): run on every draft before it is saved (forum.services.policies).
- Moderation holds (POST_HOLD_LISTENERS): told when a post is held for review or deleted.
- Similar-question providers (SUGGESTION_PROVIDERS): suggest solved threads and articles while someone asks.
- Member summary providers (MEMBER_SUMMARY_PROVIDERS): moderation's rows on the member 360 page.
- Readiness checks (READINESS_CHECKS): dependencies GET /readyz asks about beside the database and the jobs.
- Search freshness needs no hook: forum.services.indexing queues an index update for every thread
  a flush touched (see its docstring), whichever write path touched it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from forum.analytics import member_360
from forum.core import events, job_registry
from forum.ideas import similar as similar_ideas
from forum.operations import health
from forum.services import moderation_state, policies, suggestions

EVENTS: dict[str, str] = {
    "thread.created": "thread_id — a new thread is visible (or held: listeners check its visibility)",
    "post.created": "post_id — a reply was posted",
    "post.hidden": "post_id, was_public — a moderator hid a post",
    "thread.solved": "thread_id — the asker or staff accepted a solution",
    "thread.escalated": "thread_id, case_id — a thread became a service case",
    "case.updated": "case_id, change ('status', 'assignee', 'priority', 'message', or 'thread' when a merge "
                    "moved it), message when a message",
    "case.resolved": "case_id, change='status' — an agent resolved the case",
    "article.published": "article_id — a knowledge-base article was published (or published again after "
                         "archiving)",
    "idea.status_changed": "idea_id, from_status, to_status — staff moved an idea along the board (or merged it: "
                           "to_status 'duplicate'); forum.ideas.status",
    "user.deleted": "user_id — an account was erased (its owner's deletion came due, or an admin anonymised it); "
                    "no personal data",
}
JOBS: dict[str, str] = {
    "mail.send": "send one stored email (forum.mail.sending)",
    "mail.process_inbound": "id, envelope_recipients — handle one received email: reply, question, delivery report "
                            "or refusal (forum.mail.inbound)",
    "mail.expire_confirmations": "periodic: drop questions sent by email whose sender never followed the "
                                 "confirmation link (forum.mail.confirmations)",
    "notifications.email": "notification_ids — render and queue the email of each notification whose recipient "
                           "wants email immediately (forum.services.notifications)",
    "qa.sweep": "periodic: feedback requests, reminders to askers, digests (forum.services.sweeps)",
    "cases.sla_sweep": "periodic: escalate threads past their SLA targets (forum.cases.triggers)",
    "reputation.offer_bounties": "periodic: the system bounty on questions near their target (recognition)",
    "recognition.check_user": "user_id — grant newly earned badges, move missions (forum.recognition.awards)",
    "recognition.backfill": "periodic: badges and missions events could not catch (forum.recognition.awards)",
    "reputation.reverse_serial_votes": "periodic: reverse serial voting (forum.recognition.upkeep)",
    "incidents.fan_out": "incident_id, update_id — post an incident update to every linked thread",
    "webhooks.deliver": "delivery_id — one signed delivery, retried with backoff (forum.integrations.delivery)",
    "search.index_thread": "thread_id — bring one thread's search document up to date (search.jobs)",
    "search.purge_thread": "thread_id — update one thread's search document and drop every older copy of it "
                           "(personal data moved out of a post; search.jobs)",
    "search.reindex": "rebuild the whole index (threads and published articles) aside and swap it in (search.jobs)",
    "search.ensure_index": "periodic: build the thread or article index when it is missing (search.jobs)",
    "search.detect_incidents": "periodic: many similar unsolved questions become an alert (search)",
    "uploads.sweep_orphans": "periodic: delete uploads nothing references after a day, then blobs no upload "
                             "names (forum.uploads.cleanup)",
    "accounts.build_export": "export_id — build a member's own-data ZIP with progress, then tell them "
                             "(forum.accounts.data_export)",
    "accounts.sweep_exports": "periodic: delete data-export archives past their 48 hours (forum.accounts.data_export)",
    "accounts.forget_old_addresses": "periodic: drop IP addresses (sessions, sign-in audit entries) older than "
                                     "privacy.ip_retention_days (forum.accounts.address_retention)",
    "accounts.delete_due": "periodic, and queued for each deadline: erase the accounts whose self-service "
                           "deletion grace period is over (forum.accounts.deletion)",
    "analytics.refresh_scorecards": "periodic: recompute the public scorecards pages read "
                                    "(forum.analytics.scorecard_store)",
    "knowledge.remind_reviews": "periodic: tell each owner whose published article passed "
                                "knowledge.review_interval_days since its last review (forum.knowledge.reviews)",
    "knowledge.settle_deflections": "periodic: suggestions opened from the ask page whose window passed become "
                                    "deflections, or not when the asker posted a question (forum.knowledge.deflection)",
    "knowledge.find_links": "periodic: record the threads whose recent posts link to an article "
                            "(forum.knowledge.links)",
    "search.index_article": "article_id — bring one article's search document up to date: written while "
                            "published, removed otherwise; queued by forum.services.indexing (search.jobs)",
    "markup.rerender": "kind, after_id — re-render one batch of posts or messages an older Markdown renderer "
                       "stored, then queue the next batch (forum.writing.rerender)",
    "ideas.reverse_serial_votes": "periodic: give back idea votes one member cast on one author's ideas beyond "
                                  "reputation.serial_vote_limit within its window (forum.ideas.upkeep)",
    "backup.scheduled": "periodic: write a backup archive when backup.schedule_hours have passed since the last "
                        "one, then keep the newest backup.keep (forum.operations.backup_schedule)",
}
CONTENT_CHECKS: dict[str, str] = {
    "moderation.new_user_links": "new members' links are held for review",
    "moderation.new_member_attachments": "a new member's first posts with attachments are held for review",
    "moderation.spam_score": "a draft that scores as spam is held or refused",
    "moderation.watched_words": "admins' watched words block, hold or flag a draft",
}
POST_HOLD_LISTENERS: dict[str, str] = {
    "moderation.review_queue": "a held post opens a review item; a deleted post closes it",
    "ideas.release_votes": "an idea whose text is deleted gives its open votes back (forum.ideas.upkeep)",
}
SUGGESTION_PROVIDERS: dict[str, str] = {
    "search.similar_threads": "(viewer, title) → suggestions.Suggestion items: solved threads and published "
                              "articles whose title and text match the draft title, ranked together, at most 5",
    "search.similar_ideas": "(viewer, title, limit) → ideas whose title and text match a draft idea's title, "
                            "so members vote instead of posting it again (forum.ideas.similar)",
}
MEMBER_SUMMARY_PROVIDERS: dict[str, str] = {
    "moderation.member_summary": "(user_id, limit) → flags on and by the member, and suspensions (member 360)",
}
READINESS_CHECKS: dict[str, str] = {
    "search": "() → None, raising when the configured search backend cannot open and query its index "
              "(GET /readyz, forum.operations.health)",
}


def _documented(index: dict[str, str], name: str, what: str) -> None:
    if name not in index:
        raise ValueError(f"{what} {name!r} is not documented in forum.hooks: add it there first")


def subscribe(listener_name: str, listener: events.Listener) -> None:
    """Hear every domain event in EVENTS, in the publishing transaction."""
    events.subscribe(listener_name, listener)


def register_job(name: str, handler: job_registry.Handler, every_s: Callable[[], float] | None = None) -> None:
    """Handle a job of JOBS by name; every_s makes it periodic (read each time it is scheduled)."""
    _documented(JOBS, name, "Job")
    job_registry.register(name, handler, every_s=every_s)


def add_content_check(name: str, check: policies.Check) -> None:
    """Run check on every draft, after those registered before it."""
    _documented(CONTENT_CHECKS, name, "Content check")
    policies.register(name, check)


def on_post_held(name: str, held: moderation_state.HoldListener, removed: moderation_state.RemovalListener) -> None:
    """Be told when a post is held for review, and when a post is deleted by any path."""
    _documented(POST_HOLD_LISTENERS, name, "Hold listener")
    moderation_state.on_hold(name, held)
    moderation_state.on_removed(name, removed)


def provide_similar_questions(app: Flask, name: str, provider: suggestions.Provider) -> None:
    """Suggest solved threads and articles on the ask page of this app (one provider per app)."""
    _documented(SUGGESTION_PROVIDERS, name, "Suggestion provider")
    suggestions.register(app, provider)


def provide_similar_ideas(app: Flask, name: str, provider: similar_ideas.Provider) -> None:
    """Rank ideas like a draft idea's title on the idea form of this app (one provider per app)."""
    _documented(SUGGESTION_PROVIDERS, name, "Suggestion provider")
    similar_ideas.register(app, provider)


def provide_member_moderation_summary(app: Flask, name: str, provider: member_360.SummaryProvider) -> None:
    """Fill the member 360 page's flags and suspensions (one provider per app)."""
    _documented(MEMBER_SUMMARY_PROVIDERS, name, "Member summary provider")
    member_360.register_moderation_summary(app, provider)


def provide_readiness_check(app: Flask, name: str, check: health.Check) -> None:
    """Have GET /readyz of this app ask check too, reporting it under name (503 naming it when it raises)."""
    _documented(READINESS_CHECKS, name, "Readiness check")
    health.register_check(app, name, check)
