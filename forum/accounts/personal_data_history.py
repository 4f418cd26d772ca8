"""Personal data moved out of a post leaves no copy behind (issue 18, item 7).

Moving a post's personal data into a case (personal_data_moves) replaces its body and rendered
HTML with the redacted version. The same text also sat in other places, each written when the
post was, edited or sent: the post's revisions (its edit history), the audit entries about the
post (a moderator's edit records the body before and after), stored webhook deliveries
(forum.integrations.payload_history), queued jobs and emails, and the search index, which
keeps a replaced document on disk (search.backends.whoosh.index.purge_thread). scrub_post
removes all of them in the mover's transaction; the search rewrite is queued in it for the
worker, and the anonymous page cache drops every stored page when it commits
(forum.http.page_cache), so no rendered copy of the old post is served or kept.
"""

from __future__ import annotations

import html
import json

from markupsafe import escape
from sqlalchemy import or_, select

from forum.accounts import personal_data
from forum.core.extensions import db
from forum.integrations import payload_history
from forum.integrations.payload_history import Replacements, json_needles, scrub_text, scrub_value
from forum.models import AuditEntry, Job, OutboundEmail, Post, PostRevision
from forum.services import indexing


def revisions_of(post: Post) -> list[PostRevision]:
    """Every revision, the ones added in this transaction too (the relationship may be loaded already)."""
    return list(db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)))


def findings_in_history(post: Post) -> list[personal_data.Finding]:
    """The personal data in the post and in each of its earlier versions."""
    findings = personal_data.find(post.body)
    for revision in revisions_of(post):
        findings.extend(personal_data.find(revision.body))
    return findings


def replacements_for(findings: list[personal_data.Finding]) -> Replacements:
    """Each finding as written in source, in HTML (escaped either way) and its placeholder; longest first."""
    pairs: dict[str, str] = {}
    for finding in findings:
        for variant in (finding.text, html.escape(finding.text, quote=False), html.escape(finding.text),
                        str(escape(finding.text))):
            pairs.setdefault(variant, personal_data.PLACEHOLDERS[finding.kind])
    return sorted(pairs.items(), key=lambda pair: (-len(pair[0]), pair[0]))


def scrub_post(post: Post, replacements: Replacements) -> None:
    """Remove the text from everywhere the post's earlier versions were kept; the caller commits.

    Call it once the post itself holds the redacted body: copies of the post in webhook payloads
    take that body.
    """
    for revision in revisions_of(post):
        revision.body = scrub_text(personal_data.redact(revision.body), replacements)
    if replacements:
        _scrub_audit_entries(post, replacements)
        payload_history.scrub_post_deliveries(post, replacements)
        _scrub_queued_jobs(replacements)
        _scrub_emails(post, replacements)
    indexing.purge_thread(post.thread_id)


def _scrub_json(document: str, replacements: Replacements) -> str:
    return json.dumps(scrub_value(json.loads(document), replacements), default=str, sort_keys=True)


def _scrub_audit_entries(post: Post, replacements: Replacements) -> None:
    """The entries about this post: a moderator's edit keeps the body before and after it."""
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.target_type == "post", AuditEntry.target_id == post.id)
    )
    for entry in entries:
        entry.reason = scrub_text(entry.reason, replacements)
        entry.before_json = _scrub_json(entry.before_json, replacements)
        entry.after_json = _scrub_json(entry.after_json, replacements)


def _scrub_queued_jobs(replacements: Replacements) -> None:
    """Jobs carry ids today; any payload that does carry the text loses it before a worker reads it."""
    jobs = db.session.scalars(
        select(Job).where(or_(*(Job.payload_json.contains(needle, autoescape=True)
                                for needle in json_needles(replacements))))
    )
    for job in jobs:
        job.payload_json = _scrub_json(job.payload_json, replacements)


def _scrub_emails(post: Post, replacements: Replacements) -> None:
    """Emails written since the post was (sent ones are kept as a log, queued ones are yet to go)."""
    holding = [column.contains(old, autoescape=True) for old, _new in replacements
               for column in (OutboundEmail.text_body, OutboundEmail.html_body)]
    emails = db.session.scalars(select(OutboundEmail).where(OutboundEmail.created_at >= post.created_at, or_(*holding)))
    for email in emails:
        email.text_body = scrub_text(email.text_body, replacements)
        email.html_body = scrub_text(email.html_body, replacements)
