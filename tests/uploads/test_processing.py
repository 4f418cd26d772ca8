"""POST /api/v1/uploads: each test tries an attack or a mistake and sees it refused or made harmless."""

from __future__ import annotations

import io

from PIL import ExifTags, Image
from sqlalchemy import select

from forum.core import clock
from forum.core.extensions import db
from forum.models import Upload
from forum.uploads import current_limits, current_store
from forum.uploads.filetypes import FILE_TYPES, safe_filename
from tests.uploads.conftest import image_bytes, png_header_only, upload_via_api


def _stored(upload_id: int) -> bytes:
    return current_store().read(db.session.get_one(Upload, upload_id).sha256)


def test_a_png_is_stored_and_described(api_client, make):
    response = upload_via_api(api_client(make.make_user()), image_bytes(size=(40, 30)), "screen.png", "image/png",
                              alt="The error dialog")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["url"] == f"/uploads/{body['id']}/screen.png"
    assert (body["content_type"], body["width"], body["height"]) == ("image/png", 40, 30)
    assert Image.open(io.BytesIO(_stored(body["id"]))).size == (40, 30)


def test_a_png_named_pdf_is_refused_as_a_mismatch(api_client, make):
    response = upload_via_api(api_client(make.make_user()), image_bytes(), "invoice.pdf", "application/pdf")
    assert response.status_code == 422
    assert "PNG" in response.get_json()["detail"]


def test_an_html_file_named_png_is_refused(api_client, make):
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    response = upload_via_api(api_client(make.make_user()), html, "cat.png", "image/png")
    assert response.status_code == 422
    assert "not a valid PNG" in response.get_json()["detail"]


def test_svg_is_never_accepted_whatever_it_is_called(api_client, make):
    client = api_client(make.make_user())
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>'
    assert upload_via_api(client, svg, "logo.svg", "image/svg+xml").status_code == 415
    assert upload_via_api(client, svg, "logo.txt", "text/plain").status_code == 415
    assert upload_via_api(client, b"<!DOCTYPE html><p>hi", "page.log").status_code == 415


def test_a_polyglot_keeps_only_its_pixels(api_client, make):
    """A PNG with a script after its image data: the stored file is a re-encoded PNG with no trace of it."""
    polyglot = image_bytes() + b"<script>alert(document.domain)</script>"
    response = upload_via_api(api_client(make.make_user()), polyglot, "shot.png", "image/png")
    assert response.status_code == 201
    stored = _stored(response.get_json()["id"])
    assert b"<script>" not in stored and stored.startswith(b"\x89PNG")


def test_a_jpeg_loses_its_gps_position_and_stands_upright(api_client, make):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # stored sideways: viewers turn it 90 degrees clockwise
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    photo = image_bytes("JPEG", size=(60, 20), exif=exif.tobytes())
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the attack is real
    response = upload_via_api(api_client(make.make_user()), photo, "IMG_0001.JPG", "image/jpeg")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["width"], body["height"]) == (20, 60)
    stored = Image.open(io.BytesIO(_stored(body["id"])))
    assert stored.size == (20, 60)
    assert not stored.getexif() and b"PhoneMaker" not in _stored(body["id"])


def test_a_decompression_bomb_is_refused_from_its_header(api_client, make):
    bomb = png_header_only(60_000, 60_000)
    assert len(bomb) < 200
    response = upload_via_api(api_client(make.make_user()), bomb, "tiny.png", "image/png")
    assert response.status_code == 422
    assert "million pixels" in response.get_json()["detail"]


def test_an_animated_gif_over_the_frame_limit_is_refused(api_client, make):
    frames = [Image.new("RGB", (4, 4), (i * 2, 255 - i * 2, i)) for i in range(120)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=20)
    response = upload_via_api(api_client(make.make_user()), buffer.getvalue(), "dance.gif", "image/gif")
    assert response.status_code == 422
    assert "frames" in response.get_json()["detail"]


def test_a_large_image_gets_a_thumbnail(api_client, make):
    response = upload_via_api(api_client(make.make_user()), image_bytes(size=(1600, 400)), "wide.png")
    assert response.status_code == 201
    upload = db.session.get_one(Upload, response.get_json()["id"])
    thumbnail = upload.rendition("thumbnail")
    assert (thumbnail.width, thumbnail.height) == (800, 200)


def test_a_pdf_and_a_log_are_accepted_and_other_types_are_not(api_client, make):
    client = api_client(make.make_user())
    pdf = upload_via_api(client, b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", "invoice.pdf")
    assert pdf.status_code == 201 and pdf.get_json()["content_type"] == "application/pdf"
    log = upload_via_api(client, b"2026-11-20 ERROR sync failed\n", "app.log", "text/plain")
    assert log.status_code == 201 and log.get_json()["filename"] == "app.log"
    assert "zip" not in current_limits().allowed_file_types
    assert upload_via_api(client, b"PK\x03\x04" + b"\x00" * 40, "logs.zip").status_code == 415
    assert upload_via_api(client, b"MZ\x90\x00\x03" + b"\x00" * 40, "setup.exe").status_code == 415


def test_filenames_are_sanitised(api_client, make):
    response = upload_via_api(api_client(make.make_user()), b"hello\n", "../../etc/pass\x01wd\x1b.txt")
    assert response.status_code == 201
    assert response.get_json()["filename"] == "passwd.txt"
    assert safe_filename("..\\..\\boot.ini\\screen shot.log", FILE_TYPES["log"]) == "screen-shot.log"
    assert safe_filename(".htaccess", FILE_TYPES["txt"]) == "htaccess.txt"
    assert safe_filename("report.php.pdf", FILE_TYPES["pdf"]) == "report-php.pdf"


def test_the_daily_count_is_enforced(api_client, make):
    user = make.make_user()
    limit = current_limits().daily_count
    template = {"sha256": "0" * 64, "filename": "x.txt", "content_type": "text/plain", "kind": "file", "size": 1}
    db.session.add_all([Upload(uploader_id=user.id, created_at=clock.now(), **template) for _ in range(limit)])
    db.session.commit()
    response = upload_via_api(api_client(user), b"one more\n", "more.txt")
    assert response.status_code == 429
    assert f"({limit})" in response.get_json()["detail"]
    assert db.session.scalar(select(Upload.id).where(Upload.filename == "more.txt")) is None


def test_signing_in_is_required(api_client):
    assert upload_via_api(api_client(), b"hello\n", "a.txt").status_code == 401


def test_a_nul_in_the_alt_text_is_a_422_naming_it_and_nothing_is_stored(api_client, make):
    client = api_client(make.make_user())
    answer = client.post("/api/v1/uploads", content_type="multipart/form-data",
                         data={"file": (io.BytesIO(image_bytes()), "shot.png", "image/png"), "alt": "a\x00b"})
    assert answer.status_code == 422 and "alt" in answer.get_json()["errors"]
    assert db.session.scalar(select(Upload.id)) is None
