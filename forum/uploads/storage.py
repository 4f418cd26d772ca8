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

import boto3
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


def _checked(sha256: str) -> str:
    """A blob name is a hex digest and nothing else, so no name can reach outside the store."""
    if not SHA256.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return sha256


class FilesystemStore:
    """Blobs under root/ab/cd/<sha256>: the embedded default, in the data directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        name = _checked(sha256)
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


class S3Store:
    """Blobs as objects <prefix><sha256> in one bucket; browsers fetch them through short-lived signed URLs."""

    def __init__(self, client, bucket: str, *, expires_s: int = 300, prefix: str = "uploads/") -> None:
        self.client = client
        self.bucket = bucket
        self.expires_s = expires_s
        self.prefix = prefix

    def key(self, sha256: str) -> str:
        return self.prefix + _checked(sha256)

    def put(self, sha256: str, source: Path, content_type: str) -> None:
        """Upload in parts from the file (never whole in memory); the same digest is the same bytes, so a
        second put of an existing blob is skipped."""
        if self.exists(sha256):
            return
        self.client.upload_file(str(source), self.bucket, self.key(sha256), ExtraArgs={"ContentType": content_type})

    def exists(self, sha256: str) -> bool:
        from_client = self.client.exceptions
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except from_client.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))

    def read(self, sha256: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"].read()

    def deliver(self, sha256: str, content_type: str, disposition: str) -> Delivery:
        """A signed GET that answers with our type and disposition (so a file is still a download there)."""
        url = self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self.key(sha256), "ResponseContentType": content_type,
                    "ResponseContentDisposition": disposition, "ResponseCacheControl": "private, no-store"},
            ExpiresIn=self.expires_s,
        )
        return Delivery(redirect_url=url)


def s3_client(settings: Settings):
    """A boto3 S3 client for the configured endpoint (AWS itself when no endpoint URL is set)."""
    return boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        aws_access_key_id=settings.s3_access_key_id or None,
        aws_secret_access_key=settings.s3_secret_access_key or None,
        region_name=settings.s3_region or None,
    )


def store_from_settings(settings: Settings) -> BlobStore:
    """HORSESHOE_UPLOAD_STORAGE picks the store: filesystem (default) or s3 (HORSESHOE_S3_* settings)."""
    if settings.upload_storage == "s3":
        if not settings.s3_bucket:
            raise ValueError("HORSESHOE_UPLOAD_STORAGE=s3 needs HORSESHOE_S3_BUCKET")
        return S3Store(s3_client(settings), settings.s3_bucket, expires_s=settings.s3_url_expiry_s)
    if settings.upload_storage != "filesystem":
        raise ValueError(f"HORSESHOE_UPLOAD_STORAGE is 'filesystem' or 's3', not {settings.upload_storage!r}")
    return FilesystemStore(settings.data_path / "uploads")


def install(app: Flask, store: BlobStore | None = None) -> None:
    app.extensions[EXTENSION_KEY] = store or store_from_settings(app.config["HORSESHOE"])


def current_store() -> BlobStore:
    return current_app.extensions[EXTENSION_KEY]
