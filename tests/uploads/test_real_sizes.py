"""Real-sized files through every upload route, and the review's attacks (issue 19).

Every earlier multipart test sent a few hundred bytes; the multipart decoder refused any read of the
body larger than its 16 KB field buffer, so every screenshot, photo and log over about 16 KB was a 413.
"""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from forum import cases, uploads
from forum.models import Upload
from forum.services import posting, reading
from tests.uploads.conftest import upload_via_api


def photo_bytes(size=(1200, 900)) -> bytes:
    """A JPEG of a few hundred KB (noise does not compress), like a real screenshot or photo."""
    rng = random.Random(7)  # nosec B311  (test data)
    image = Image.frombytes("RGB", size, bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * 3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


LOG = b"".join(b"2026-11-20 09:00:%02d modem: link down, retrying\n" % (n % 60) for n in range(60_000))  # ~3 MB


def test_a_three_megabyte_log_and_a_large_photo_upload_through_the_api(api_client, make):
    client = api_client(make.make_user())
    assert len(LOG) > 2_000_000
    log = upload_via_api(client, LOG, "modem.log", "text/plain")
    assert log.status_code == 201, log.get_data(as_text=True)
    assert log.get_json()["size"] == len(LOG)
    photo = photo_bytes()
    assert len(photo) > 200_000
    image = upload_via_api(client, photo, "screen.jpg", "image/jpeg")
    assert image.status_code == 201 and image.get_json()["width"] == 1200


def test_a_large_photo_through_the_editor_endpoint(make, login_as):
    client = login_as(make.make_user())
    response = client.post("/uploads", data={"file": (io.BytesIO(photo_bytes()), "pasted.jpg", "image/jpeg")},
                           content_type="multipart/form-data", headers={"X-CSRFToken": client._csrf_token()},
                           csrf=False)
    assert response.status_code == 201, response.get_data(as_text=True)


def test_a_large_photo_becomes_an_avatar(api_client, make):
    client = api_client(make.make_user())
    response = client.put("/api/v1/me/avatar", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(photo_bytes()), "me.jpg", "image/jpeg")})
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_boundary_that_is_not_ascii_is_a_415_not_an_error(api_client, make):
    content_type = "multipart/form-data; boundary*=UTF-8''%E2%82%ACabc"
    response = api_client(make.make_user()).post("/api/v1/uploads", data=b"--x\r\n",
                                                 headers={"Content-Type": content_type})
    assert response.status_code == 415 and response.mimetype == "application/problem+json"


def test_an_editor_cannot_publish_a_file_the_author_kept_private(app, make):
    """A moderator (or wiki editor) adds a reference to the customer's case attachment to their public post."""
    customer, moderator = make.make_user(reputation=50), make.make_user("moderator")
    thread = make.make_thread(author=customer)
    case, _ = cases.escalate_thread(customer, thread, "Charged twice")
    private = uploads.store_stream(customer, io.BytesIO(b"account 1234, card ending 4444\n"), "bank.txt", "text/plain")
    cases.post_message(customer, case, f"My statement: {uploads.markdown_reference(private)}", "customer")
    assert app.test_client().get(uploads.url_for_upload(private)).status_code == 404
    question = reading.question_post(thread)
    posting.edit_post(moderator, question, f"{question.body}\n\n{uploads.markdown_reference(private)}",
                      reason="Adding the statement")
    assert app.test_client().get(uploads.url_for_upload(private)).status_code == 404


@pytest.mark.parametrize("ids", [[2**70], [2**63], [2**31], [0], [-5]])
def test_upload_ids_out_of_range_are_a_422(api_client, make, ids):
    customer = make.make_user()
    case, _ = cases.escalate_thread(customer, make.make_thread(author=customer), "Charged twice")
    response = api_client(customer).post(f"/api/v1/cases/{case.id}/messages",
                                         json={"body": "hello there", "upload_ids": ids})
    assert response.status_code == 422 and "upload_ids" in response.get_json()["errors"]


def test_an_uploaded_square_is_cached_minutes_not_a_day(app, make):
    member = make.make_user()
    square = io.BytesIO()
    Image.new("RGB", (90, 90), (9, 90, 200)).save(square, "PNG")
    square.seek(0)
    upload: Upload = uploads.set_avatar_from_stream(member, square, "me.png")
    answer = app.test_client().get(f"/avatars/{member.id}/{upload.id}/64")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "public, max-age=300"


def test_a_reference_to_an_id_beyond_the_column_is_no_attachment_and_no_error(make, login_as):
    """/uploads/<id> with an id PostgreSQL's integer column cannot hold (a 500 there before)."""
    author = make.make_user(reputation=50)
    thread = make.make_thread()
    body = "See ![x](/uploads/99999999999/x.png) and [y](/uploads/2147483648/y.txt)"
    assert login_as(author).post(f"/t/{thread.id}/reply", data={"body": body}).status_code == 302
