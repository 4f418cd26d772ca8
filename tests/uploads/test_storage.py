"""Blob storage on disk and on a real S3-compatible server: content addressing, sharing, letting go."""

from __future__ import annotations

import io
import urllib.request

from forum import uploads
from forum.core.extensions import db
from forum.core.settings import Settings
from forum.models import Upload
from forum.services import reading
from forum.uploads import s3, storage
from tests.uploads.conftest import image_bytes


def _upload(user, data: bytes, name: str = "a.log") -> Upload:
    return uploads.store_stream(user, io.BytesIO(data), name, "")


def test_identical_uploads_share_one_blob_deleted_with_the_last_reference(store, make):
    first, second = make.make_user(), make.make_user()
    a = _upload(first, b"same bytes\n")
    b = _upload(second, b"same bytes\n")
    assert a.sha256 == b.sha256 and a.id != b.id
    assert store.read(a.sha256) == b"same bytes\n"
    moderator = make.make_user(role="moderator")
    uploads.remove_upload(moderator, a.id)
    assert store.exists(a.sha256), "another upload still references the blob"
    uploads.remove_upload(moderator, b.id)
    assert not store.exists(a.sha256)


def test_unreferenced_uploads_are_swept_after_a_day(store, make, clock_at):
    owner = make.make_user()
    orphan = _upload(owner, b"never attached\n")
    kept = uploads.store_stream(owner, io.BytesIO(image_bytes(size=(1000, 900))), "big.png", "image/png")
    uploads.attach(kept, post=reading.question_post(make.make_thread(author=owner)))
    db.session.commit()
    blobs = {orphan.sha256, *(r.sha256 for r in kept.renditions), kept.sha256}
    assert uploads.sweep_orphans() == {"uploads": 0, "blobs": 0}  # not a day old yet
    clock_at.advance(hours=25)
    assert uploads.sweep_orphans() == {"uploads": 1, "blobs": 1}
    assert db.session.get(Upload, orphan.id) is None and not store.exists(orphan.sha256)
    assert all(store.exists(name) for name in blobs - {orphan.sha256})


def test_the_s3_store_is_chosen_by_settings_and_serves_by_signed_redirect(app, s3_settings, make, login_as):
    chosen = s3.store_from_settings(s3_settings)
    assert isinstance(chosen, s3.S3Store)
    original = app.extensions[storage.EXTENSION_KEY]
    app.extensions[storage.EXTENSION_KEY] = chosen
    try:
        owner = make.make_user()
        upload = _upload(owner, b"%PDF-1.4\n%%EOF\n", "invoice.pdf")
        response = login_as(owner).get(uploads.url_for_upload(upload))
        assert response.status_code == 302
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "Signature" in response.headers["Location"]
        with urllib.request.urlopen(response.headers["Location"], timeout=10) as fetched:  # noqa: S310  (local server)
            assert fetched.read() == b"%PDF-1.4\n%%EOF\n"
            assert fetched.headers["Content-Disposition"].startswith("attachment")
        assert login_as(make.make_user()).get(uploads.url_for_upload(upload)).status_code == 404
    finally:
        app.extensions[storage.EXTENSION_KEY] = original


def test_the_filesystem_store_is_the_default_under_the_data_directory(tmp_path):
    chosen = storage.store_from_settings(Settings(data_dir=str(tmp_path)))
    assert isinstance(chosen, storage.FilesystemStore) and chosen.root == tmp_path.resolve() / "uploads"


def test_a_blob_name_cannot_leave_the_store(store):
    for bad in ("../../etc/passwd", "A" * 64, ""):
        try:
            store.exists(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted as a blob name")


def test_an_upload_older_than_its_day_is_swept_only_when_unused(store, make, clock_at):
    owner = make.make_user()
    avatar = _upload(owner, image_bytes(size=(64, 64)), "me.png")
    owner.avatar_upload_id = avatar.id
    db.session.commit()
    clock_at.advance(days=2)
    assert uploads.sweep_orphans()["uploads"] == 0
    assert store.exists(avatar.sha256)
