"""Storing an upload, attaching it, addressing it and removing it: the rules, free of HTTP.

store_upload takes a file already received to disk (forum.uploads.receiving, or store_stream for
any binary stream), decides its type by content, enforces the limits, re-encodes images, puts the
blobs in the store and records the rows in one commit.
"""

from __future__ import annotations

import codecs
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from sqlalchemy import func, select, update

from forum.core import clock
from forum.core.errors import Forbidden, Invalid, NotFound
from forum.core.extensions import db
from forum.core.i18n import _
from forum.core.text import NUL
from forum.models import Article, Attachment, CaseMessage, Post, Upload, UploadKind, UploadRendition, User
from forum.services import audit_writer
from forum.services.permissions import is_staff, is_suspended
from forum.uploads import cleanup, images, limits
from forum.uploads.filetypes import (
    TEXT_TYPES,
    DailyLimitReached,
    FileType,
    TooLarge,
    resolve_type,
    safe_filename,
    sniff,
)
from forum.uploads.receiving import CHUNK, ReceivedFile, receive_stream
from forum.uploads.storage import current_store

MAX_ALT = 500
THUMBNAIL = "thumbnail"


def incoming_dir() -> Path:
    """Where request bodies are streamed to before they are checked (the system's temporary directory)."""
    return Path(tempfile.gettempdir())


def check_uploader(user: User, upload_limits: limits.UploadLimits | None = None) -> None:
    """403 when uploads are off or the member is suspended, 429 past the daily count: asked before any byte is read."""
    upload_limits = upload_limits or limits.current_limits()
    if not upload_limits.enabled:
        raise Forbidden(_("Uploads are switched off on this site."))
    if is_suspended(user):
        raise Forbidden(_("Suspended members cannot upload files."))
    since = clock.now() - timedelta(days=1)
    count = db.session.scalar(
        select(func.count(Upload.id)).where(Upload.uploader_id == user.id, Upload.created_at >= since)
    )
    if count >= upload_limits.daily_count:
        raise DailyLimitReached(_("You have uploaded %(count)s files in the last 24 hours, the most allowed "
                                  "(%(most)s); try again later.", count=count, most=upload_limits.daily_count))


def _check_size(file_type: FileType, size: int, upload_limits: limits.UploadLimits) -> None:
    most = upload_limits.max_image_bytes if file_type.is_image else upload_limits.max_file_bytes
    if size > most:
        sizes = {"most": f"{most / limits.MB:g}", "size": f"{size / limits.MB:.1f}"}
        if file_type.is_image:
            raise TooLarge(_("An image may be at most %(most)s MB; this one is %(size)s MB.", **sizes))
        raise TooLarge(_("A file may be at most %(most)s MB; this one is %(size)s MB.", **sizes))
    if size == 0:
        raise Invalid({"file": [_("The file is empty.")]})


def _check_text(path: Path) -> None:
    """A text file must be UTF-8 text throughout, not just in the part the type was sniffed from."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        try:
            while chunk := handle.read(CHUNK):
                if NUL.encode() in chunk:
                    raise Invalid({"file": [_("A text file cannot contain NUL bytes.")]})
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise Invalid({"file": [_("A text file must be UTF-8 text throughout.")]}) from exc


def _clean_alt(alt: str | None) -> str:
    alt = (alt or "").strip()
    if NUL in alt:
        raise Invalid({"alt": [_("Remove the NUL character from the alt text.")]})
    if len(alt) > MAX_ALT:
        raise Invalid({"alt": [_("Alt text may be at most %(most)s characters.", most=MAX_ALT)]})
    return alt


def _image_rows(received: ReceivedFile, file_type: FileType, workdir: Path) -> tuple[images.ImageFile, list]:
    """Re-encode the image and make its thumbnail: (the image, [(rendition name, file)])."""
    clean, first_frame = images.reencode(received.path, file_type, workdir / "image")
    renditions = []
    if images.needs_thumbnail(first_frame):
        renditions.append((THUMBNAIL, images.rendition(first_frame, file_type, workdir / THUMBNAIL,
                                                       limits.THUMBNAIL_BOX)))
    return clean, renditions


def _record(user: User, file_type: FileType, filename: str, alt: str, blob, renditions) -> Upload:
    upload = Upload(
        uploader_id=user.id, sha256=blob.sha256, filename=safe_filename(filename, file_type),
        content_type=file_type.content_type, size=blob.size, alt=alt, created_at=clock.now(),
        kind=UploadKind.IMAGE.value if file_type.is_image else UploadKind.FILE.value,
        width=getattr(blob, "width", None), height=getattr(blob, "height", None),
    )
    for name, image in renditions:
        upload.renditions.append(UploadRendition(name=name, sha256=image.sha256, content_type=image.content_type,
                                                 size=image.size, width=image.width, height=image.height))
    db.session.add(upload)
    return upload


def store_upload(user: User, received: ReceivedFile, alt: str | None = "", *, images_only: bool = False) -> Upload:
    """Check, process and store one received file as user's upload; commits. The temporary file is consumed.

    413 too large for its type, 415 a type not allowed, 422 content that is not what its name or type
    says (or an image that does not decode), 429 past the daily count.
    """
    workdir = Path(tempfile.mkdtemp(prefix="horseshoe-upload-"))
    try:
        upload_limits = limits.current_limits()
        check_uploader(user, upload_limits)
        allowed = () if images_only else upload_limits.allowed_file_types
        file_type = resolve_type(sniff(received.head), received.filename, received.content_type, allowed)
        _check_size(file_type, received.size, upload_limits)
        alt = _clean_alt(alt)
        if file_type.is_image:
            blob, renditions = _image_rows(received, file_type, workdir)
        else:
            if file_type.name in TEXT_TYPES:
                _check_text(received.path)
            blob, renditions = received, []
        store = current_store()
        for item in [blob, *(image for _name, image in renditions)]:
            store.put(item.sha256, item.path, getattr(item, "content_type", file_type.content_type))
        upload = _record(user, file_type, received.filename, alt, blob, renditions)
        db.session.commit()
        return upload
    finally:
        received.discard()
        shutil.rmtree(workdir, ignore_errors=True)


def store_stream(user: User, stream: BinaryIO, filename: str, declared_type: str = "", alt: str | None = "",
                 *, images_only: bool = False) -> Upload:
    """store_upload for a file that is not a multipart part (a script, a test): saved to disk with the same cap."""
    check_uploader(user)
    received = receive_stream(stream, filename, declared_type, max_file_bytes=limits.current_limits().max_bytes,
                              workdir=incoming_dir())
    return store_upload(user, received, alt, images_only=images_only)


def url_for_upload(upload: Upload, rendition: str | None = None) -> str:
    """The stable address bodies reference: /uploads/<id>/<name> (a rendition by ?rendition=<name>)."""
    path = f"/uploads/{upload.id}/{quote(upload.filename)}"
    return f"{path}?rendition={quote(rendition)}" if rendition else path


def attach(upload: Upload, *, post: Post | None = None, case_message: CaseMessage | None = None,
           article: Article | None = None, editor: User | None = None) -> Attachment:
    """Attach the upload to one post, case message or article; the caller commits.

    Only the uploader's own writing can publish an upload: an id pasted by somebody else attaches nothing.
    A post or message is written by its author; an article by whoever saved the version (editor), since
    staff and the author write one article together.
    """
    targets = [target for target in (post, case_message, article) if target is not None]
    if len(targets) != 1:
        raise ValueError("attach to exactly one post, case message or article")
    writer_id = editor.id if article is not None and editor is not None else targets[0].author_id
    if upload.removed_at is not None or writer_id != upload.uploader_id:
        raise Invalid({"upload_ids": [_("Upload %(id)s is not one of your uploads.", id=upload.id)]})
    attachment = Attachment(upload_id=upload.id, post_id=post.id if post is not None else None,
                            case_message_id=case_message.id if case_message is not None else None,
                            article_id=article.id if article is not None else None, created_at=clock.now())
    db.session.add(attachment)
    return attachment


def remove_upload(actor: User, upload_id: int, reason: str = "") -> Upload:
    """Staff take an upload down for good (audited); its blobs go once no live upload shares them."""
    if not is_staff(actor):
        raise Forbidden(_("Only staff can remove uploads."))
    upload = db.session.get(Upload, upload_id)
    if upload is None:
        raise NotFound(_("That upload does not exist."))
    if upload.removed_at is not None:
        return upload
    upload.removed_at, upload.removed_by_id = clock.now(), actor.id
    db.session.execute(update(User).where(User.avatar_upload_id == upload.id).values(avatar_upload_id=None))
    audit_writer.record(actor, "upload.remove", "upload", upload.id, reason,
                        before={"filename": upload.filename, "uploader_id": upload.uploader_id,
                                "sha256": upload.sha256, "size": upload.size},
                        after={"removed": True})
    db.session.commit()
    cleanup.release_blobs(cleanup.blob_names(upload))
    return upload
