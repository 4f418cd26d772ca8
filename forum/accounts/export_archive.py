"""What a member's data export holds, section by section, and what it never holds.

Each section writes one part of the ZIP from rows that belong to the member: their profile and
settings, their posts (Markdown, one file per thread), the votes they gave, their reputation ledger,
their notifications, the customer-visible messages of their own support cases, the files they
uploaded and their signed-in sessions. Other people's private data never goes in: no internal case
notes (not even on the member's own case when they are staff), no voter behind a reputation row, no
one else's email address, and no secrets (password hash, two-factor secret, token digests).

forum.accounts.data_export runs SECTIONS in order and reports progress after each one. Whatever
stores personal data later joins the export by adding a section here and a line to README.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.utils import secure_filename

from forum.core import clock
from forum.core.extensions import db
from forum.models import (
    ApiToken,
    Case,
    CaseMessage,
    MessageVisibility,
    Notification,
    Post,
    ReputationEvent,
    Upload,
    User,
    UserIdentity,
    UserSession,
    Visibility,
    Vote,
)
from forum.services import notifications
from forum.uploads.storage import BlobStore, FilesystemStore, current_store

Section = Callable[[zipfile.ZipFile, User], None]

README = """\
Your data from Horseshoe
========================

This archive holds what the community stores about you, as of {made}.
Times are in UTC (RFC 3339). Texts you wrote are the Markdown you typed.

README.txt          this file
profile.json        your account: username, names, email, role, reputation, suspension if any, sign-in
                    providers and API tokens (their names and dates; a token itself is never stored)
settings.json       your email preferences and time zone
posts/              everything you posted, one Markdown file per thread: each post with the thread title,
                    its date and whether it is public, awaiting review, hidden or deleted
votes.json          the posts you marked as helpful
reputation.json     your reputation ledger: every change, why, and on which post (not who voted)
notifications.json  the notifications you received
cases.json          your support cases and the messages between you and support (staff's internal
                    notes are not part of your conversation, so they are not here)
uploads.json        the files you uploaded; the files themselves are in uploads/
sessions.json       the browsers you signed in with: when, from which IP address, with which browser

Other members' private data (their email addresses, internal notes, who voted for you) is never part
of this archive.
"""
POST_STATES = {Visibility.PUBLIC.value: "public", Visibility.PENDING.value: "awaiting review",
               Visibility.HIDDEN.value: "hidden by a moderator"}


def timestamp(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _json(archive: zipfile.ZipFile, name: str, data: Any) -> None:
    archive.writestr(name, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_readme(archive: zipfile.ZipFile, _user: User) -> None:
    archive.writestr("README.txt", README.format(made=timestamp(clock.now())))


def write_profile(archive: zipfile.ZipFile, user: User) -> None:
    """The account as the member knows it; never the password hash, two-factor secret or token digests."""
    identities = db.session.scalars(select(UserIdentity).where(UserIdentity.user_id == user.id)
                                    .order_by(UserIdentity.id))
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    _json(archive, "profile.json", {
        "id": user.id, "username": user.username, "display_name": user.display_name, "email": user.email,
        "bio": user.bio, "role": user.role, "reputation": user.reputation, "created_at": timestamp(user.created_at),
        "last_seen_at": timestamp(user.last_seen_at), "email_verified_at": timestamp(user.email_verified_at),
        "two_factor_enabled": user.two_factor_enabled, "suspended_until": timestamp(user.suspended_until),
        "suspension_reason": user.suspension_reason, "deletion_scheduled_at": timestamp(user.deletion_scheduled_at),
        "sign_in_providers": [{"issuer": i.issuer, "subject": i.subject, "email": i.email,
                               "linked_at": timestamp(i.created_at), "last_sign_in_at": timestamp(i.last_sign_in_at)}
                              for i in identities],
        "api_tokens": [{"name": t.name, "scope": t.scope, "created_at": timestamp(t.created_at),
                        "last_used_at": timestamp(t.last_used_at), "revoked_at": timestamp(t.revoked_at)}
                       for t in tokens],
    })


def write_settings(archive: zipfile.ZipFile, user: User) -> None:
    _json(archive, "settings.json", {"email_frequency": user.email_frequency, "weekly_digest": user.weekly_digest,
                                     "time_zone": user.time_zone})


def write_posts(archive: zipfile.ZipFile, user: User) -> None:
    """One Markdown file per thread, holding each of the member's posts there in order."""
    posts = db.session.scalars(
        select(Post).options(joinedload(Post.thread)).where(Post.author_id == user.id)
        .order_by(Post.thread_id, Post.created_at, Post.id)
    )
    for _thread_id, group in groupby(posts, key=lambda post: post.thread_id):
        in_thread = list(group)
        thread = in_thread[0].thread
        name = f"posts/{thread.id}-{secure_filename(thread.slug) or 'thread'}.md"
        archive.writestr(name, _thread_markdown(thread.title, thread.id, in_thread))


def _thread_markdown(title: str, thread_id: int, posts: list[Post]) -> str:
    parts = [f"# {title}\n\nThread {thread_id}: /t/{thread_id}\n"]
    for post in posts:
        state = "deleted" if post.is_deleted else POST_STATES.get(post.visibility, post.visibility)
        kind = "Question" if post.is_question else "Reply"
        lines = [f"## {kind} {post.id}", "", f"- Posted: {timestamp(post.created_at)}", f"- Visibility: {state}"]
        if post.edited_at:
            lines.append(f"- Last edited: {timestamp(post.edited_at)}")
        if post.moderation_note:
            lines.append(f"- Moderator's note to you: {post.moderation_note}")
        parts.append("\n".join(lines) + "\n\n" + post.body.rstrip() + "\n")
    return "\n".join(parts)


def write_votes(archive: zipfile.ZipFile, user: User) -> None:
    rows = db.session.execute(
        select(Vote.post_id, Vote.created_at, Post.thread_id)
        .join(Post, Post.id == Vote.post_id).where(Vote.user_id == user.id).order_by(Vote.created_at, Vote.post_id)
    )
    _json(archive, "votes.json", [{"post_id": post_id, "thread_id": thread_id, "created_at": timestamp(moment)}
                                  for post_id, moment, thread_id in rows])


def write_reputation(archive: zipfile.ZipFile, user: User) -> None:
    """The ledger without actor_id: who voted is the voter's business, not the author's."""
    rows = db.session.scalars(select(ReputationEvent).where(ReputationEvent.user_id == user.id)
                              .order_by(ReputationEvent.created_at, ReputationEvent.id))
    _json(archive, "reputation.json", [
        {"delta": row.delta, "reason": row.reason, "correction": row.correction, "post_id": row.post_id,
         "thread_id": row.thread_id, "created_at": timestamp(row.created_at)} for row in rows
    ])


def write_notifications(archive: zipfile.ZipFile, user: User) -> None:
    rows = db.session.scalars(
        select(Notification)
        .options(joinedload(Notification.thread), joinedload(Notification.actor), joinedload(Notification.post))
        .where(Notification.user_id == user.id).order_by(Notification.created_at, Notification.id)
    )
    _json(archive, "notifications.json", [
        {"kind": row.kind, "summary": notifications.describe(row), "message": row.message,
         "thread_id": row.thread_id, "post_id": row.post_id, "from": row.actor.username if row.actor else None,
         "created_at": timestamp(row.created_at), "read_at": timestamp(row.read_at)} for row in rows
    ])


def write_cases(archive: zipfile.ZipFile, user: User) -> None:
    """The member's own cases with the customer-visible conversation only: internal notes never."""
    cases = db.session.scalars(select(Case).options(joinedload(Case.thread)).where(Case.customer_id == user.id)
                               .order_by(Case.created_at, Case.id)).all()
    messages = db.session.scalars(
        select(CaseMessage).options(joinedload(CaseMessage.author))
        .where(CaseMessage.case_id.in_([case.id for case in cases]),
               CaseMessage.visibility == MessageVisibility.CUSTOMER.value)
        .order_by(CaseMessage.created_at, CaseMessage.id)
    ) if cases else []
    by_case: dict[int, list[dict[str, Any]]] = {case.id: [] for case in cases}
    for message in messages:
        by_case[message.case_id].append({
            "from": "you" if message.author_id == user.id else (message.author.username if message.author else
                                                                  "Support"),
            "body": message.body, "created_at": timestamp(message.created_at),
        })
    _json(archive, "cases.json", [
        {"reference": case.public_reference, "thread_id": case.thread_id, "thread_title": case.thread.title,
         "status": case.status, "reason": case.reason, "resolution": case.resolution,
         "created_at": timestamp(case.created_at), "resolved_at": timestamp(case.resolved_at),
         "messages": by_case[case.id]} for case in cases
    ])


def write_uploads(archive: zipfile.ZipFile, user: User) -> None:
    """The files the member uploaded, read from the blob store (filesystem or S3 alike)."""
    store = current_store()
    listed = []
    for upload in db.session.scalars(select(Upload).where(Upload.uploader_id == user.id).order_by(Upload.id)):
        entry = {"id": upload.id, "filename": upload.filename, "content_type": upload.content_type,
                 "size": upload.size, "alt": upload.alt, "created_at": timestamp(upload.created_at), "file": None}
        if upload.removed_at is None and store.exists(upload.sha256):
            entry["file"] = f"uploads/{upload.id}-{secure_filename(upload.filename) or 'file'}"
            _copy_blob(archive, store, upload.sha256, entry["file"])
        else:
            entry["note"] = "Staff removed this file, or it is no longer stored."
        listed.append(entry)
    _json(archive, "uploads.json", listed)


def _copy_blob(archive: zipfile.ZipFile, store: BlobStore, sha256: str, name: str) -> None:
    """From disk the file is streamed in; from object storage it is read (uploads are size-limited)."""
    if isinstance(store, FilesystemStore):
        archive.write(store.path(sha256), name)
    else:
        archive.writestr(name, store.read(sha256))


def write_sessions(archive: zipfile.ZipFile, user: User) -> None:
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)
                              .order_by(UserSession.created_at, UserSession.id))
    _json(archive, "sessions.json", [
        {"started_at": timestamp(row.created_at), "last_seen_at": timestamp(row.last_seen_at),
         "ip_address": row.ip_address, "browser": row.user_agent, "ended_at": timestamp(row.ended_at)}
        for row in rows
    ])


SECTIONS: list[tuple[str, Section]] = [
    ("README", write_readme),
    ("profile", write_profile),
    ("settings", write_settings),
    ("posts", write_posts),
    ("votes", write_votes),
    ("reputation", write_reputation),
    ("notifications", write_notifications),
    ("cases", write_cases),
    ("uploads", write_uploads),
    ("sessions", write_sessions),
]
