"""The image guards are settings: an admin lowers one through the API and the next upload obeys it, with an
error that says the new limit; the same running app, no restart."""

from __future__ import annotations

import io

from PIL import Image

from tests.uploads.conftest import image_bytes, upload_via_api


def _animation(frames: int) -> bytes:
    images = [Image.new("RGB", (4, 4), (i * 20, 255 - i * 20, i)) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=20)
    return buffer.getvalue()


def test_a_lower_pixel_limit_refuses_an_image_accepted_before(api_client, make):
    member, admin = api_client(make.make_user()), api_client(make.make_user("admin"))
    photo = image_bytes(size=(1500, 1000))  # 1.5 million pixels
    assert upload_via_api(member, photo, "before.png", "image/png").status_code == 201
    changed = admin.patch("/api/v1/settings", json={"uploads.max_image_megapixels": 1})
    assert changed.status_code == 200 and changed.get_json()["uploads.max_image_megapixels"] == 1
    response = upload_via_api(member, photo, "after.png", "image/png")
    assert response.status_code == 422
    assert response.get_json()["errors"]["file"] == [
        "This PNG image cannot be used: it has more than 1 million pixels."]
    assert upload_via_api(member, image_bytes(size=(1000, 1000)), "square.png", "image/png").status_code == 201


def test_a_lower_frame_limit_refuses_an_animation_accepted_before(api_client, make):
    member, admin = api_client(make.make_user()), api_client(make.make_user("admin"))
    dance = _animation(8)
    assert upload_via_api(member, dance, "before.gif", "image/gif").status_code == 201
    assert admin.patch("/api/v1/settings", json={"uploads.max_animation_frames": 5}).status_code == 200
    response = upload_via_api(member, dance, "after.gif", "image/gif")
    assert response.status_code == 422
    assert "an animation may have at most 5 frames" in response.get_json()["detail"]
