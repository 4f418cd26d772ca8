"""Uploads' fixtures: real images made with Pillow, and a real S3-compatible server (moto's server mode).

The S3 server is started once per session on a free port, as a separate threaded HTTP server that
boto3 talks to over the network; no storage call is mocked. `store` runs a test against the
filesystem store and the S3 store in turn, installed as the app's store for that test.
"""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from flask import Flask
from moto.server import ThreadedMotoServer
from PIL import Image

from forum.core.settings import Settings
from forum.uploads import s3, storage
from tests.conftest import free_port

S3_KEYS = {"s3_access_key_id": "testing", "s3_secret_access_key": "testing", "s3_region": "us-east-1"}


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """The endpoint URL of a real S3-compatible server, for the whole session."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_settings(s3_server: str, tmp_path: Path) -> Settings:
    """Settings naming a fresh bucket on the server (created here, as an operator would)."""
    settings = Settings(data_dir=str(tmp_path), upload_storage="s3", s3_endpoint_url=s3_server,
                        s3_bucket=f"horseshoe-{uuid.uuid4().hex[:12]}", **S3_KEYS)
    s3.s3_client(settings).create_bucket(Bucket=settings.s3_bucket)
    return settings


@pytest.fixture(params=["filesystem", "s3"])
def store(request, app: Flask, tmp_path: Path) -> Iterator[storage.BlobStore]:
    """Each test using it runs twice: with blobs on disk, then in the S3 server's bucket."""
    if request.param == "s3":
        chosen = s3.store_from_settings(request.getfixturevalue("s3_settings"))
    else:
        chosen = storage.store_from_settings(Settings(data_dir=str(tmp_path)))
    original = app.extensions[storage.EXTENSION_KEY]
    app.extensions[storage.EXTENSION_KEY] = chosen
    try:
        yield chosen
    finally:
        app.extensions[storage.EXTENSION_KEY] = original


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30), color=(200, 30, 30), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt, **save)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels: a decompression bomb's calling card."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def upload_via_api(client, data: bytes, filename: str, content_type: str = "application/octet-stream", **fields):
    body = {"file": (io.BytesIO(data), filename, content_type), **fields}
    return client.post("/api/v1/uploads", data=body, content_type="multipart/form-data")


def s3_client_for(settings: Settings):
    return boto3.client("s3", endpoint_url=settings.s3_endpoint_url, aws_access_key_id="testing",
                        aws_secret_access_key="testing", region_name="us-east-1")
