"""Uploads: screenshots and files members attach, stored once per content, served only to who may see them.

filetypes (what a file is, by its bytes; safe names), images (re-encoding, renditions), receiving
(a multipart body streamed to disk), limits (sizes, types, daily count), storage (filesystem or
S3-compatible blob stores), service (store, attach, address, remove), linking (attaching what a
saved body references), visibility (who may see an upload), cleanup (unreferenced blobs, the
orphan sweep job) and avatars (members' pictures, uploaded or generated); pages (the /uploads/<id>/<name>
address, the editor's upload, staff removal)
and api (POST/DELETE /api/v1/uploads) are its routes. Callers outside the package use the names
re-exported here.
"""

from __future__ import annotations

from flask import Flask

from forum.models import Attachment, Upload, UploadKind, UploadRendition
from forum.uploads.avatars import avatar_url, remove_avatar, set_avatar, set_avatar_from_stream
from forum.uploads.cleanup import SWEEP_JOB, release_blobs, sweep_orphans
from forum.uploads.filetypes import DailyLimitReached, TooLarge, UnsupportedType
from forum.uploads.images import rendition
from forum.uploads.limits import current_limits
from forum.uploads.linking import (
    hold_count,
    link_article,
    link_case_message,
    link_post,
    markdown_reference,
    own_referenced_count,
    published_posts_with_attachments,
    with_references,
)
from forum.uploads.receiving import ReceivedFile, receive_multipart
from forum.uploads.service import THUMBNAIL, attach, remove_upload, store_stream, store_upload, url_for_upload
from forum.uploads.storage import current_store
from forum.uploads.visibility import can_see, visible_upload

__all__ = [
    "SWEEP_JOB", "THUMBNAIL", "Attachment", "avatar_url", "remove_avatar", "set_avatar", "set_avatar_from_stream",
    "DailyLimitReached", "ReceivedFile", "TooLarge", "UnsupportedType",
    "Upload", "UploadKind", "UploadRendition", "attach", "can_see", "current_limits",
    "current_store", "hold_count", "link_article", "link_case_message", "link_post", "markdown_reference",
    "own_referenced_count",
    "published_posts_with_attachments", "with_references",
    "receive_multipart", "release_blobs", "remove_upload", "rendition", "store_stream", "store_upload",
    "sweep_orphans", "url_for_upload", "visible_upload",
]


def init_app(app: Flask) -> None:
    """The blob store chosen by settings, the orphan sweep job, the file address and the API routes."""
    from forum import hooks
    from forum.uploads import api, cleanup, pages, storage

    settings = app.config["HORSESHOE"]
    if settings.upload_storage == "s3":
        from forum.uploads import s3  # boto3 only where uploads go to a bucket (8 MB in every process)

        storage.install(app, s3.store_from_settings(settings))
    else:
        storage.install(app)
    hooks.register_job(cleanup.SWEEP_JOB, cleanup.sweep_orphans, every_s=lambda: cleanup.SWEEP_INTERVAL_S)
    api.init_app(app)
    pages.init_app(app)
