"""What a member's data export holds, section by section, and what it never holds.

Each section writes one part of the ZIP from rows that belong to the member: their profile and
settings, their posts (Markdown, one file per thread), the votes they gave, their reputation ledger,
their notifications, the customer-visible messages of their own support cases, their files and their
signed-in sessions (and, in profile.json, the bounce record of their current email address). Other
people's private data never goes in: no internal case notes (not even on the member's own case when
they are staff), no file from a case that is not the member's own (an agent's upload to someone
else's case is that customer's), no voter behind a reputation row or a "found helpful" notification,
no one else's email address, and no secrets (password hash, two-factor secret, token digests).

Sections that can hold many rows (posts, votes, the ledger, notifications, cases, sessions) are
read in batches (yield_per) and written item by item into their file in the ZIP, so an archive of
a member with years of activity never sits in memory whole.

forum.accounts.data_export runs SECTIONS in order (drafts, conversations, ignored members, email received
and articles are forum.accounts.export_private's, ideas and idea votes forum.ideas.export's) and reports
progress after each one.
Whatever stores personal data later joins the export by adding a section here or there and a line to README.
"""

from __future__ import annotations

import zipfile
from itertools import chain, groupby
from typing import Any

from sqlalchemy import Select, exists, false, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.utils import secure_filename

from forum.accounts import export_private
from forum.accounts.export_format import BATCH, Section, streamed, timestamp, write_json, write_json_array
from forum.core import clock
from forum.core.extensions import db
from forum.ideas import export as idea_export
from forum.models import (
    ApiToken,
    Attachment,
    Case,
    CaseMessage,
    MailAddressHealth,
    MessageVisibility,
    Notification,
    NotificationKind,
    Post,
    ReputationEvent,
    Subscription,
    Upload,
    User,
    UserIdentity,
    UserSession,
    Visibility,
    Vote,
)
from forum.services import notifications
from forum.services.permissions import Action, can, visible_posts
from forum.uploads.storage import BlobStore, FilesystemStore, current_store

README = """\
Your data from Horseshoe
========================

This archive holds what the community stores about you, as of {made}.
Times are in UTC (RFC 3339). Texts you wrote are the Markdown you typed.

README.txt          this file
profile.json        your account: username, names, email, role, reputation, suspension if any, sign-in
                    providers and API tokens (their names and dates; a token itself is never stored), and
                    whether mail to your address bounced (how often, and since when notifications stopped)
settings.json       your email preferences, time zone, and the threads, categories and tags you follow
                    or muted
posts/              everything you posted, one Markdown file per thread: each post with the thread title,
                    its date and whether it is public, awaiting review, hidden or deleted
votes.json          the posts you marked as helpful
reputation.json     your reputation ledger: every change, why, and on which post (not who voted)
notifications.json  the notifications you received (for "found helpful" ones, not who voted)
cases.json          your support cases and the messages between you and support (staff's internal
                    notes are not part of your conversation, so they are not here)
uploads.json        your picture, the files you uploaded to your posts and articles or have not used yet,
                    and the files you and support exchanged on your cases; the files themselves are in uploads/
sessions.json       the browsers you signed in with: when, from which IP address, with which browser
drafts.json         the texts you started and have not published yet
conversations.json  your private conversations: who took part and the messages you could read there,
                    other people's under their username, as you saw them
ignored.json        the members you ignore, and since when
email_received.json the email you sent us (replies, questions): when, from and to which address, the
                    subject, the text we kept (without quotes and signature), what became of it (the ids
                    of the thread, post, case message or private message) or why it was refused
articles.json       the knowledge-base articles you wrote or proposed, in any status, as they are now
article_versions.json each version of an article you saved
article_feedback.json your "did this help?" answers to articles, with your comments
ideas.json          the ideas you posted: their status, the team's note and how many votes they have
idea_votes.json     the ideas you voted for: when, and when the vote was given back to you (the idea
                    shipped, was declined or was merged)

Other members' private data (their email addresses, internal notes, files on other people's cases,
who voted for you) is never part of this archive.
"""
POST_STATES = {Visibility.PUBLIC.value: "public", Visibility.PENDING.value: "awaiting review",
               Visibility.HIDDEN.value: "hidden by a moderator"}
# Who voted is the voter's business: these notifications are exported without the member who triggered them.
ANONYMOUS_KINDS = {NotificationKind.VOTES.value}


def write_readme(archive: zipfile.ZipFile, _user: User) -> None:
    archive.writestr("README.txt", README.format(made=timestamp(clock.now())))


def write_profile(archive: zipfile.ZipFile, user: User) -> None:
    """The account as the member knows it; never the password hash, two-factor secret or token digests."""
    identities = db.session.scalars(select(UserIdentity).where(UserIdentity.user_id == user.id)
                                    .order_by(UserIdentity.id))
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    write_json(archive, "profile.json", {
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
        "email_delivery": _email_delivery(user),
    })


def _email_delivery(user: User) -> dict[str, Any] | None:
    """Delivery reports counted against the member's current address, or None when mail to it never bounced.

    Counted per address, not per account (forum.mail.bounces): the record of an address they no longer
    use is not looked up, as it may be someone else's now.
    """
    health = db.session.scalar(select(MailAddressHealth).where(MailAddressHealth.address == user.email.lower()))
    if health is None:
        return None
    return {"address": health.address, "bounces": health.bounce_count,
            "last_bounced_at": timestamp(health.last_bounced_at), "last_reason": health.last_reason,
            "notifications_stopped_at": timestamp(health.suppressed_at)}


def write_settings(archive: zipfile.ZipFile, user: User) -> None:
    """Email preferences and time zone, and what the member follows or muted (their choices too)."""
    write_json(archive, "settings.json", {"email_frequency": user.email_frequency,
                                          "weekly_digest": user.weekly_digest, "time_zone": user.time_zone,
                                          "follows": _follows(user)})


def _follows(user: User) -> list[dict[str, Any]]:
    """Each subscription; a followed thread's title only while the member may still read the thread."""
    rows = db.session.scalars(
        select(Subscription)
        .options(joinedload(Subscription.thread), joinedload(Subscription.category), joinedload(Subscription.tag))
        .where(Subscription.user_id == user.id).order_by(Subscription.created_at, Subscription.id)
    )
    follows = []
    for row in rows:
        entry: dict[str, Any] = {"muted": row.muted, "since": timestamp(row.created_at)}
        if row.thread is not None:
            entry.update(thread_id=row.thread_id,
                         thread_title=row.thread.title if can(user, Action.THREAD_VIEW, row.thread) else None)
        elif row.category is not None:
            entry.update(category_id=row.category_id, category=row.category.name)
        elif row.tag is not None:
            entry.update(tag=row.tag.name)
        follows.append(entry)
    return follows


def write_posts(archive: zipfile.ZipFile, user: User) -> None:
    """One Markdown file per thread, holding each of the member's posts there in order, written as read."""
    posts = streamed(
        select(Post).options(joinedload(Post.thread)).where(Post.author_id == user.id)
        .order_by(Post.thread_id, Post.created_at, Post.id)
    )
    for _thread_id, in_thread in groupby(posts, key=lambda post: post.thread_id):
        first = next(in_thread)
        thread = first.thread
        name = f"posts/{thread.id}-{secure_filename(thread.slug) or 'thread'}.md"
        with archive.open(name, "w") as out:
            out.write(f"# {thread.title}\n\nThread {thread.id}: /t/{thread.id}\n".encode())
            for post in chain((first,), in_thread):
                out.write(("\n" + _post_markdown(post)).encode())


def _post_markdown(post: Post) -> str:
    state = "deleted" if post.is_deleted else POST_STATES.get(post.visibility, post.visibility)
    kind = "Question" if post.is_question else "Reply"
    lines = [f"## {kind} {post.id}", "", f"- Posted: {timestamp(post.created_at)}", f"- Visibility: {state}"]
    if post.edited_at:
        lines.append(f"- Last edited: {timestamp(post.edited_at)}")
    if post.moderation_note:
        lines.append(f"- Moderator's note to you: {post.moderation_note}")
    return "\n".join(lines) + "\n\n" + post.body.rstrip() + "\n"


def write_votes(archive: zipfile.ZipFile, user: User) -> None:
    rows = db.session.execute(
        select(Vote.post_id, Vote.created_at, Post.thread_id)
        .join(Post, Post.id == Vote.post_id).where(Vote.user_id == user.id).order_by(Vote.created_at, Vote.post_id)
        .execution_options(yield_per=BATCH)
    )
    write_json_array(archive, "votes.json", (
        {"post_id": post_id, "thread_id": thread_id, "created_at": timestamp(moment)}
        for post_id, moment, thread_id in rows
    ))


def write_reputation(archive: zipfile.ZipFile, user: User) -> None:
    """The ledger without actor_id: who voted is the voter's business, not the author's."""
    rows = streamed(select(ReputationEvent).where(ReputationEvent.user_id == user.id)
                    .order_by(ReputationEvent.created_at, ReputationEvent.id))
    write_json_array(archive, "reputation.json", (
        {"delta": row.delta, "reason": row.reason, "correction": row.correction, "post_id": row.post_id,
         "thread_id": row.thread_id, "created_at": timestamp(row.created_at)} for row in rows
    ))


def write_notifications(archive: zipfile.ZipFile, user: User) -> None:
    rows = streamed(
        select(Notification)
        .options(joinedload(Notification.thread), joinedload(Notification.actor), joinedload(Notification.post))
        .where(Notification.user_id == user.id).order_by(Notification.created_at, Notification.id)
    )
    write_json_array(archive, "notifications.json", (_notification(row) for row in rows))


def _notification(row: Notification) -> dict[str, Any]:
    """A notification as the member got it; for a "found helpful" one, without the member who voted last."""
    anonymous = row.kind in ANONYMOUS_KINDS
    return {
        "kind": row.kind, "summary": notifications.describe(row), "message": "" if anonymous else row.message,
        "thread_id": row.thread_id, "post_id": row.post_id,
        "from": row.actor.username if row.actor and not anonymous else None,
        "created_at": timestamp(row.created_at), "read_at": timestamp(row.read_at),
    }


def write_cases(archive: zipfile.ZipFile, user: User) -> None:
    """The member's own cases with the customer-visible conversation only: internal notes never."""
    cases = streamed(select(Case).options(joinedload(Case.thread)).where(Case.customer_id == user.id)
                     .order_by(Case.created_at, Case.id))
    write_json_array(archive, "cases.json", (
        {"reference": case.public_reference, "thread_id": case.thread_id, "thread_title": case.thread.title,
         "status": case.status, "reason": case.reason, "resolution": case.resolution,
         "created_at": timestamp(case.created_at), "resolved_at": timestamp(case.resolved_at),
         "messages": _case_messages(case, user)} for case in cases
    ))


def _case_messages(case: Case, user: User) -> list[dict[str, Any]]:
    messages = db.session.scalars(
        select(CaseMessage).options(joinedload(CaseMessage.author))
        .where(CaseMessage.case_id == case.id, CaseMessage.visibility == MessageVisibility.CUSTOMER.value)
        .order_by(CaseMessage.created_at, CaseMessage.id)
    )
    return [{"from": "you" if message.author_id == user.id else (message.author.username if message.author else
                                                                  "Support"),
             "body": message.body, "created_at": timestamp(message.created_at)} for message in messages]


def exportable_uploads(user: User) -> Select:
    """The files that are the member's to take: exactly what they can see as theirs, nothing of anyone else's.

    Their picture; their uploads not attached anywhere yet; their uploads on their own posts that
    they can still see; their uploads on articles (only the uploader's own save attaches one); and the
    files on customer-visible messages of their own cases, whoever sent them (their own, and what
    support sent them), as forum.uploads.visibility shows them.
    Never a file on an internal note, and never one on another customer's case, even one the
    member uploaded there as an agent.
    """
    attached = exists().where(Attachment.upload_id == Upload.id)
    on_own_post = (
        visible_posts(user).with_only_columns(Post.id)
        .join(Attachment, Attachment.post_id == Post.id)
        .where(Attachment.upload_id == Upload.id, Post.author_id == user.id, Upload.uploader_id == user.id)
        .exists()
    )
    on_own_case = (
        select(Attachment.id)
        .join(CaseMessage, CaseMessage.id == Attachment.case_message_id)
        .join(Case, Case.id == CaseMessage.case_id)
        .where(Attachment.upload_id == Upload.id, Case.customer_id == user.id,
               CaseMessage.visibility == MessageVisibility.CUSTOMER.value,
               CaseMessage.author_id == Upload.uploader_id)
        .exists()
    )
    on_article = exists().where(Attachment.upload_id == Upload.id, Attachment.article_id.is_not(None))
    unattached_own = (Upload.uploader_id == user.id) & ~attached
    own_on_article = (Upload.uploader_id == user.id) & on_article
    avatar = Upload.id == user.avatar_upload_id if user.avatar_upload_id is not None else false()
    return select(Upload).where(or_(avatar, unattached_own, own_on_article, on_own_post, on_own_case)
                                ).order_by(Upload.id)


def write_uploads(archive: zipfile.ZipFile, user: User) -> None:
    """The member's files (exportable_uploads), read from the blob store (filesystem or S3 alike)."""
    store = current_store()
    listed = []
    for upload in db.session.scalars(exportable_uploads(user)):
        entry = {"id": upload.id, "filename": upload.filename, "content_type": upload.content_type,
                 "size": upload.size, "alt": upload.alt, "created_at": timestamp(upload.created_at),
                 "from": "you" if upload.uploader_id == user.id else "support", "file": None}
        if upload.removed_at is None and store.exists(upload.sha256):
            entry["file"] = f"uploads/{upload.id}-{secure_filename(upload.filename) or 'file'}"
            _copy_blob(archive, store, upload.sha256, entry["file"])
        else:
            entry["note"] = "Staff removed this file, or it is no longer stored."
        listed.append(entry)
    write_json(archive, "uploads.json", listed)


def _copy_blob(archive: zipfile.ZipFile, store: BlobStore, sha256: str, name: str) -> None:
    """From disk the file is streamed in; from object storage it is read (uploads are size-limited)."""
    if isinstance(store, FilesystemStore):
        archive.write(store.path(sha256), name)
    else:
        archive.writestr(name, store.read(sha256))


def write_sessions(archive: zipfile.ZipFile, user: User) -> None:
    rows = streamed(select(UserSession).where(UserSession.user_id == user.id)
                    .order_by(UserSession.created_at, UserSession.id))
    write_json_array(archive, "sessions.json", (
        {"started_at": timestamp(row.created_at), "last_seen_at": timestamp(row.last_seen_at),
         "ip_address": row.ip_address, "browser": row.user_agent, "ended_at": timestamp(row.ended_at)}
        for row in rows
    ))


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
    *export_private.SECTIONS,
    *idea_export.SECTIONS,
]
