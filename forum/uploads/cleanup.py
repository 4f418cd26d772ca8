"""Letting go of bytes: blobs nobody references, and uploads nothing uses after a day.

A blob is shared by every upload of the same bytes, so it is deleted only once no live upload
(nor a rendition of one) names it, and only after the rows that named it are gone for good
(committed): a crash in between leaves a stray blob, never a row without its bytes.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import String, cast, exists, literal, or_, select

from forum.core import clock
from forum.core.extensions import db
from forum.models import Attachment, Draft, Upload, UploadRendition, User
from forum.services import community_settings
from forum.uploads.storage import current_store

SWEEP_JOB = "uploads.sweep_orphans"
SWEEP_INTERVAL_S = 3600
ORPHAN_AFTER = timedelta(days=1)
SWEEP_BATCH = 500


def blob_names(upload: Upload) -> set[str]:
    return {upload.sha256, *(rendition.sha256 for rendition in upload.renditions)}


def is_referenced(sha256: str) -> bool:
    """Whether a live upload, or a rendition of one, still names this blob."""
    live = Upload.removed_at.is_(None)
    as_upload = exists().where(Upload.sha256 == sha256, live)
    as_rendition = (
        exists().where(UploadRendition.sha256 == sha256, UploadRendition.upload_id == Upload.id, live)
    )
    return bool(db.session.scalar(select(or_(as_upload, as_rendition))))


def release_blobs(names: set[str]) -> list[str]:
    """Delete each named blob no live row references (call after the commit that dropped the rows)."""
    store = current_store()
    deleted = []
    for sha256 in sorted(names):
        if not is_referenced(sha256):
            store.delete(sha256)
            deleted.append(sha256)
    return deleted


def orphaned_uploads(limit: int = SWEEP_BATCH) -> list[Upload]:
    """Uploads older than a day that no post, case message, avatar, saved draft of the uploader's or the site's
    logo (forum.appearance.branding) uses."""
    cutoff = clock.now() - ORPHAN_AFTER
    attached = exists().where(Attachment.upload_id == Upload.id)
    avatar = exists().where(User.avatar_upload_id == Upload.id)
    logo = community_settings.get_setting("branding.logo_upload_id")
    query = select(Upload).where(Upload.created_at < cutoff, ~attached, ~avatar, ~in_a_draft(), Upload.id != logo)
    return list(db.session.scalars(query.order_by(Upload.id).limit(limit)))


def in_a_draft():
    """An upload the uploader's own draft names by its /uploads/<id>/ address (forum.writing.drafts).

    Read from the source text, not the rendering: generous on purpose (a URL inside code also keeps the
    file), as keeping a file a little longer costs nothing and losing one a member is still writing
    around loses their work. Only the uploader's drafts count, as only the uploader's posts attach it.
    """
    address = literal("/uploads/") + cast(Upload.id, String) + literal("/")
    return exists().where(Draft.user_id == Upload.uploader_id, Draft.body.contains(address))


def sweep_orphans(_payload: dict | None = None) -> dict[str, int]:
    """The periodic job: delete unused uploads past their day, then the blobs left without a reference."""
    uploads = orphaned_uploads()
    names: set[str] = set()
    for upload in uploads:
        names |= blob_names(upload)
        db.session.delete(upload)
    db.session.commit()
    deleted = release_blobs(names)
    return {"uploads": len(uploads), "blobs": len(deleted)}
