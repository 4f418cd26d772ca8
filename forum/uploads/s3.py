"""The S3-compatible blob store (forum.uploads.storage has the protocol and the filesystem store).

A module of its own so boto3, 8 MB resident once imported, is loaded only by deployments that keep
uploads in a bucket: forum.uploads.init_app imports it when HORSESHOE_UPLOAD_STORAGE=s3 (issue 21).
"""

from __future__ import annotations

from pathlib import Path

import boto3

from forum.core.settings import Settings
from forum.uploads.storage import Delivery, checked_name


class S3Store:
    """Blobs as objects <prefix><sha256> in one bucket; browsers fetch them through short-lived signed URLs."""

    def __init__(self, client, bucket: str, *, expires_s: int = 300, prefix: str = "uploads/") -> None:
        self.client = client
        self.bucket = bucket
        self.expires_s = expires_s
        self.prefix = prefix

    def key(self, sha256: str) -> str:
        return self.prefix + checked_name(sha256)

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


def store_from_settings(settings: Settings) -> S3Store:
    """The bucket HORSESHOE_S3_* names (HORSESHOE_UPLOAD_STORAGE=s3)."""
    if not settings.s3_bucket:
        raise ValueError("HORSESHOE_UPLOAD_STORAGE=s3 needs HORSESHOE_S3_BUCKET")
    return S3Store(s3_client(settings), settings.s3_bucket, expires_s=settings.s3_url_expiry_s)
