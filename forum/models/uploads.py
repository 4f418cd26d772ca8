"""Uploads: images and files members attach to posts and case messages, and the pictures of avatars.

An Upload is one member's upload of one file; its bytes live in the blob store under their SHA-256,
so the same screenshot uploaded twice is stored once (forum.uploads.storage). Renditions (the
thumbnail shown inline, an avatar's 32/64/128 px squares) are blobs of their own, owned by the upload.
An Attachment is the only thing that makes an upload visible beyond its uploader and staff: it ties
the upload to the post or case message that its uploader wrote (forum.uploads.visibility).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.core.extensions import db
from forum.models.accounts import User
from forum.models.types import UTCDateTime


class UploadKind(StrEnum):
    IMAGE = "image"  # a raster image (PNG, JPEG, GIF, WebP), re-encoded and shown inline
    FILE = "file"  # anything else allowed (PDF, text...), always served as a download


class Upload(db.Model):
    """One member's upload; the bytes are the blob named by sha256 (shared by identical uploads)."""

    __table_args__ = (Index("ix_upload_uploader_created", "uploader_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    alt: Mapped[str] = mapped_column(Text, default="")
    # Unattached uploads older than a day are swept by this index (forum.uploads.cleanup).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Staff removed it: never served again, and its blobs go once no live upload shares them.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True,
                                                      index=True)

    uploader: Mapped[User] = relationship(foreign_keys=[uploader_id])
    renditions: Mapped[list[UploadRendition]] = relationship(
        back_populates="upload", cascade="all, delete-orphan", order_by="UploadRendition.name"
    )

    @property
    def is_image(self) -> bool:
        return self.kind == UploadKind.IMAGE.value

    def rendition(self, name: str) -> UploadRendition | None:
        return next((r for r in self.renditions if r.name == name), None)


class UploadRendition(db.Model):
    """Another size of an uploaded image: "thumbnail", or an avatar's "avatar-32", "avatar-64", "avatar-128"."""

    __table_args__ = (UniqueConstraint("upload_id", "name", name="uq_upload_rendition_upload_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("upload.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)

    upload: Mapped[Upload] = relationship(back_populates="renditions")


# Exactly one target per attachment, written so SQLite and PostgreSQL read it the same way.
ONE_TARGET = ("(CASE WHEN post_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN case_message_id IS NULL THEN 0 ELSE 1 END)"
              " + (CASE WHEN article_id IS NULL THEN 0 ELSE 1 END) = 1")


class Attachment(db.Model):
    """An upload attached to exactly one post, case message or article (it takes that one's visibility)."""

    __table_args__ = (
        CheckConstraint(ONE_TARGET, name="ck_attachment_one_target"),
        Index("ix_attachment_upload_id", "upload_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("upload.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"), nullable=True, index=True)
    case_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_message.id", ondelete="CASCADE"), nullable=True, index=True
    )
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    upload: Mapped[Upload] = relationship()
