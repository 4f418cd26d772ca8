"""Avatars (issue 19): an uploaded picture cropped to three squares, or generated initials; never missing."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from PIL import Image

from forum import uploads
from forum.core import clock
from forum.core.extensions import db
from forum.uploads import avatars
from tests.uploads.conftest import image_bytes

GREEN = (20, 160, 40)


def _striped_png() -> bytes:
    """300 x 100: red, green, blue thirds; its centred square is the green one."""
    image = Image.new("RGB", (300, 100), (220, 20, 20))
    image.paste(GREEN, (100, 0, 200, 100))
    image.paste((20, 20, 220), (200, 0, 300, 100))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _put(client, data: bytes, filename: str, content_type: str = "application/octet-stream"):
    body = {"file": (io.BytesIO(data), filename, content_type)}
    return client.put("/api/v1/me/avatar", data=body, content_type="multipart/form-data")


def _picture(app, url: str) -> Image.Image:
    response = app.test_client().get(url)
    assert response.status_code == 200, url
    return Image.open(io.BytesIO(response.data))


def _close(pixel, colour, slack=30) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(pixel[:3], colour, strict=True))


def test_an_uploaded_picture_is_cropped_to_centred_squares_of_32_64_and_128(app, make, api_client):
    user = make.make_user()
    response = _put(api_client(user), _striped_png(), "wide.png")
    assert response.status_code == 200
    url = response.get_json()["avatar_url"]
    assert url == f"/avatars/{user.id}/{user.avatar_upload_id}/64"
    for size in (32, 64, 128):
        square = _picture(app, uploads.avatar_url(user, size)).convert("RGB")
        assert square.size == (size, size)
        for point in [(1, 1), (size - 2, size // 2), (size // 2, size // 2)]:
            assert _close(square.getpixel(point), GREEN), (size, point, square.getpixel(point))


def test_a_pictures_metadata_is_stripped(app, make, api_client):
    user = make.make_user()
    exif = Image.Exif()
    exif[0x0110] = "SecretPhone 9"  # camera model
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.0)}  # GPS position
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), GREEN).save(buffer, "JPEG", exif=exif)
    assert b"SecretPhone" in buffer.getvalue()
    assert _put(api_client(user), buffer.getvalue(), "me.jpg", "image/jpeg").status_code == 200
    for size in (32, 64, 128):
        served = app.test_client().get(uploads.avatar_url(user, size))
        assert b"SecretPhone" not in served.data
        assert not Image.open(io.BytesIO(served.data)).getexif()


@pytest.mark.parametrize(("data", "name", "kind", "status"), [
    (b"%PDF-1.4\n%...\n", "cv.pdf", "application/pdf", 415),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "me.svg", "image/svg+xml", 415),
    (b"just some text, not a picture\n", "me.png", "image/png", 415),
    (b"\x89PNG\r\n\x1a\n" + b"not really a picture" * 10, "me.png", "image/png", 422),  # does not decode
])
def test_anything_but_an_image_is_refused_and_the_picture_stays(make, api_client, data, name, kind, status):
    user = make.make_user()
    client = api_client(user)
    assert _put(client, image_bytes(size=(80, 80)), "first.png").status_code == 200
    before = user.avatar_upload_id
    response = _put(client, data, name, kind)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    db.session.refresh(user)
    assert user.avatar_upload_id == before


def test_removing_the_picture_falls_back_to_the_default(app, make, api_client):
    user = make.make_user()
    client = api_client(user)
    old = _put(client, image_bytes(size=(80, 80)), "me.png").get_json()["avatar_url"]
    assert client.delete("/api/v1/me/avatar").status_code == 204
    now = client.get("/api/v1/me").get_json()["avatar_url"]
    assert now.startswith(f"/avatars/default/{user.id}.svg?v=")
    gone = app.test_client().get(old)  # an old page or cache still naming the picture gets the current one
    assert gone.status_code == 302 and gone.headers["Location"] == now
    assert client.delete("/api/v1/me/avatar").status_code == 204  # nothing to remove is no error


def test_a_replaced_picture_is_left_to_the_orphan_sweep(make, api_client, clock_at):
    user = make.make_user()
    client = api_client(user)
    _put(client, image_bytes(size=(80, 80)), "one.png")
    first = user.avatar_upload_id
    _put(client, image_bytes(size=(90, 90), color=(0, 0, 200)), "two.png")
    clock_at.advance(days=2)
    assert uploads.sweep_orphans()["uploads"] == 1
    assert db.session.get(uploads.Upload, first) is None
    assert db.session.get(uploads.Upload, user.avatar_upload_id) is not None


def test_the_default_is_the_same_every_time_and_escapes_the_name(app, make):
    user = make.make_user(display_name="\"><script>alert('x')</script> & O'Brien")
    url = uploads.avatar_url(user)
    assert url == uploads.avatar_url(user, 128) == avatars.default_url(user)
    first, second = app.test_client().get(url), app.test_client().get(url)
    assert first.data == second.data
    assert first.mimetype == "image/svg+xml"
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in first.headers["Content-Security-Policy"]
    assert "sandbox" in first.headers["Content-Security-Policy"]
    body = first.get_data(as_text=True)
    assert "<script" not in body and "alert" not in body
    drawing = ET.fromstring(body)
    (text,) = drawing.iter("{http://www.w3.org/2000/svg}text")
    assert text.text == "SO"


def test_the_default_keeps_its_colour_and_changes_its_address_with_the_initials(make):
    user = make.make_user(display_name="Ada Lovelace")
    url, colour = avatars.default_url(user), avatars.colour(user)
    assert avatars.initials(user) == "AL"
    user.display_name = "Grace Hopper"
    assert avatars.default_url(user) != url and avatars.colour(user) == colour
    assert avatars.initials(make.make_user(username="zed")) == "Z"


def test_every_api_user_summary_carries_an_avatar_url(make, api_client):
    pictured, plain = make.make_user(), make.make_user()
    uploads.set_avatar_from_stream(pictured, io.BytesIO(image_bytes(size=(64, 64))), "me.png")
    thread = make.make_thread(author=pictured)
    make.make_reply(thread, author=plain)
    client = api_client()
    assert client.get(f"/api/v1/threads/{thread.id}").get_json()["author"]["avatar_url"] == \
        f"/avatars/{pictured.id}/{pictured.avatar_upload_id}/64"
    replies = client.get(f"/api/v1/threads/{thread.id}/posts").get_json()["items"]
    assert all(post["author"]["avatar_url"] for post in replies)
    profile = client.get(f"/api/v1/users/{plain.id}").get_json()
    assert profile["avatar_url"].startswith(f"/avatars/default/{plain.id}.svg?v=")


def test_only_active_members_put_up_or_take_down_a_picture(app, make, api_client):
    """The picture is part of the profile, which a suspended member may not change (issue 20)."""
    assert _put(app.test_client(), image_bytes(), "me.png").status_code == 401
    assert app.test_client().delete("/api/v1/me/avatar").status_code == 401
    user = make.make_user()
    client = api_client(user)
    _put(client, image_bytes(size=(80, 80)), "me.png")
    user.suspended_until = clock.now() + timedelta(days=3)
    db.session.commit()
    picture = user.avatar_upload_id
    assert _put(client, image_bytes(size=(70, 70)), "new.png").status_code == 403
    assert client.delete("/api/v1/me/avatar").status_code == 403
    db.session.refresh(user)
    assert user.avatar_upload_id == picture
    user.suspended_until = None
    db.session.commit()
    assert client.delete("/api/v1/me/avatar").status_code == 204
    db.session.refresh(user)
    assert user.avatar_upload_id is None


def test_staff_removing_the_upload_takes_the_picture_down(app, make, api_client):
    user = make.make_user()
    _put(api_client(user), image_bytes(size=(80, 80)), "me.png")
    picture = uploads.avatar_url(user)
    uploads.remove_upload(make.make_user(role="moderator"), user.avatar_upload_id, "offensive")
    db.session.refresh(user)
    assert uploads.avatar_url(user) == avatars.default_url(user)
    assert app.test_client().get(picture).headers["Location"] == avatars.default_url(user)


def _profile_csrf_token(client) -> str:
    page = client.get("/settings/profile").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_profile_page_uploads_a_picture_without_javascript_and_the_thread_shows_it(make, login_as):
    user = make.make_user()
    thread = make.make_thread(author=user)
    client = login_as(user)
    body = {"csrf_token": _profile_csrf_token(client), "file": (io.BytesIO(_striped_png()), "me.png", "image/png")}
    response = client.post("/settings/profile/avatar", data=body, content_type="multipart/form-data", csrf=False)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "/settings/profile"
    db.session.refresh(user)
    assert user.avatar_upload_id is not None
    page = client.get(f"/t/{thread.id}/{thread.slug}").get_data(as_text=True)
    assert (f'<img class="avatar" src="/avatars/{user.id}/{user.avatar_upload_id}/64" width="32" height="32" '
            'alt="">') in page
    assert 'src="/avatars/' in client.get(f"/u/{user.username}").get_data(as_text=True)
    edit = client.get("/settings/profile").get_data(as_text=True)
    assert "Remove picture" in edit
    token = _profile_csrf_token(client)
    assert client.post("/settings/profile/avatar/remove", data={"csrf_token": token}, csrf=False).status_code == 302
    db.session.refresh(user)
    assert user.avatar_upload_id is None


def test_the_profile_form_shows_a_refusal_beside_the_field(make, login_as):
    user = make.make_user()
    client = login_as(user)
    body = {"csrf_token": _profile_csrf_token(client), "file": (io.BytesIO(b"%PDF-1.4\n"), "cv.pdf", "")}
    response = client.post("/settings/profile/avatar", data=body, content_type="multipart/form-data", csrf=False)
    assert response.status_code == 415
    assert 'id="avatar-file-errors"' in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.avatar_upload_id is None


def test_the_profile_form_without_its_csrf_token_stores_nothing(make, login_as):
    user = make.make_user()
    client = login_as(user)
    body = {"file": (io.BytesIO(image_bytes()), "me.png", "image/png")}
    response = client.post("/settings/profile/avatar", data=body, content_type="multipart/form-data", csrf=False)
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.avatar_upload_id is None
    assert db.session.query(uploads.Upload).count() == 0


def _thread_by_many(make, pictured: bool):
    thread = make.make_thread()
    for _ in range(20):
        author = make.make_user()
        if pictured:
            uploads.set_avatar_from_stream(author, io.BytesIO(image_bytes(size=(40, 40))), "me.png")
        make.make_reply(thread, author=author)
    return thread


@pytest.mark.parametrize("caller", ["anonymous", "member"])
def test_avatars_cost_the_thread_page_no_query(make, login_as, count_queries, caller):
    if caller == "member":
        login_as(make.make_user())
    plain, pictured = _thread_by_many(make, False), _thread_by_many(make, True)
    assert count_queries(f"/t/{plain.id}/{plain.slug}") == count_queries(f"/t/{pictured.id}/{pictured.slug}")
