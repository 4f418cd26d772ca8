"""Blob stores: uploaded bytes kept once per SHA-256, on this host's disk or in an S3-compatible bucket.

Content addressing makes identical uploads share one blob, and makes a blob immutable: a name
always means the same bytes, so writes are idempotent and readers never see half a file. Whether a
blob may be deleted is the upload rows' business (forum.uploads.cleanup deletes one only when no
live upload or rendition names it); the stores just keep bytes.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

from forum.core.settings import Settings

SHA256 = re.compile(r"[0-9a-f]{64}")
EXTENSION_KEY = "uploads.store"


@dataclass(frozen=True)
class Delivery:
    """How to hand a blob to a browser: stream this local file, or redirect to this (signed) URL."""

    path: Path | None = None
    redirect_url: str | None = None


class BlobStore(Protocol):
    def put(self, sha256: str, source: Path, content_type: str) -> None: ...
    def exists(self, sha256: str) -> bool: ...
    def delete(self, sha256: str) -> None: ...
    def read(self, sha256: str) -> bytes: ...
    def deliver(self, sha256: str, content_type: str, disposition: str) -> Delivery: ...


def checked_name(sha256: str) -> str:
    """A blob name is a hex digest and nothing else, so no name can reach outside the store."""
    if not SHA256.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


class FilesystemStore:
    """Blobs under root/ab/cd/<sha256>: the embedded default, in the data directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        name = checked_name(sha256)
        return self.root / name[:2] / name[2:4] / name

    def put(self, sha256: str, source: Path, content_type: str) -> None:
        """Copy source in under its digest; a crash leaves either no blob or the whole one (rename is atomic)."""
        target = self.path(sha256)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                shutil.copyfileobj(src, out, 1024 * 1024)
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def deliver(self, sha256: str, content_type: str, disposition: str) -> Delivery:
        return Delivery(path=self.path(sha256))


def store_from_settings(settings: Settings) -> BlobStore:
    """HORSESHOE_UPLOAD_STORAGE picks the store: filesystem (default) here; s3 in forum.uploads.s3, which the
    package's init_app imports only when chosen (boto3 is 8 MB in every process, the job worker's too)."""
    if settings.upload_storage == "s3":
        raise ValueError("HORSESHOE_UPLOAD_STORAGE=s3: the store comes from forum.uploads.s3.store_from_settings")
    if settings.upload_storage != "filesystem":
        raise ValueError(f"HORSESHOE_UPLOAD_STORAGE is 'filesystem' or 's3', not {settings.upload_storage!r}")
    return FilesystemStore(settings.data_path / "uploads")


def install(app: Flask, store: BlobStore | None = None) -> None:
    app.extensions[EXTENSION_KEY] = store or store_from_settings(app.config["HORSESHOE"])


def current_store() -> BlobStore:
    return current_app.extensions[EXTENSION_KEY]
