"""GET /uploads/<id>/<name>: only those who may see the message see the file, and browsers never run it."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from forum import cases, uploads
from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.models import AuditEntry, Upload, Visibility
from forum.services import reading
from tests.uploads.conftest import image_bytes, upload_via_api


def _upload(user, data=None, name="shot.png", kind="image/png") -> Upload:
    return uploads.store_stream(user, io.BytesIO(data or image_bytes()), name, kind)


def _status(client, upload: Upload) -> int:
    return client.get(uploads.url_for_upload(upload)).status_code


def test_an_unattached_upload_is_its_uploaders_and_staffs_only(app, make, login_as):
    owner = make.make_user()
    upload = _upload(owner)
    assert _status(app.test_client(), upload) == 404
    assert _status(login_as(make.make_user()), upload) == 404
    assert _status(login_as(make.make_user(role="moderator")), upload) == 200
    assert _status(login_as(owner), upload) == 200
    assert login_as(owner).get(f"/uploads/{upload.id}/other-name.png").status_code == 404
    assert login_as(owner).get(f"/uploads/{upload.id + 1000}/shot.png").status_code == 404


def test_served_files_carry_protective_headers(make, login_as):
    owner = make.make_user()
    image = login_as(owner).get(uploads.url_for_upload(_upload(owner)))
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in image.headers["Content-Security-Policy"]
    assert image.headers["Content-Type"] == "image/png"
    assert not image.headers.get("Content-Disposition", "").startswith("attachment")
    text = login_as(owner).get(uploads.url_for_upload(_upload(owner, b"<b>hi</b> log\n", "app.log", "text/plain")))
    assert text.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in text.headers["Content-Security-Policy"] and text.headers["X-Content-Type-Options"] == "nosniff"


def test_an_attachment_follows_its_posts_visibility(app, make, login_as):
    owner = make.make_user()
    thread = make.make_thread(author=owner)
    post = reading.question_post(thread)
    upload = _upload(owner)
    uploads.attach(upload, post=post)
    db.session.commit()
    assert _status(app.test_client(), upload) == 200
    post.visibility = Visibility.HIDDEN.value
    db.session.commit()
    assert _status(app.test_client(), upload) == 404
    assert _status(login_as(make.make_user()), upload) == 404
    assert _status(login_as(owner), upload) == 200  # the author still sees their hidden post


def test_a_deleted_post_takes_its_attachments_with_it(app, make, login_as):
    owner = make.make_user()
    post = reading.question_post(make.make_thread(author=owner))
    upload = _upload(owner)
    uploads.attach(upload, post=post)
    post.deleted_at = post.created_at
    db.session.commit()
    assert _status(login_as(make.make_user()), upload) == 404


def test_pasting_anothers_file_into_a_public_post_reveals_nothing(app, make, login_as):
    owner, thief = make.make_user(), make.make_user()
    private = _upload(owner)
    thief_post = make.make_reply(make.make_thread(), author=thief, body=f"look at {uploads.url_for_upload(private)}")
    with pytest.raises(Invalid):
        uploads.attach(private, post=thief_post)
    assert _status(login_as(thief), private) == 404
    assert _status(app.test_client(), private) == 404


def test_an_internal_case_note_attachment_is_for_agents_only(app, make, login_as):
    customer, agent = make.make_user(), make.make_user(role="agent")
    case, _ = cases.escalate_thread(customer, make.make_thread(author=customer), "Charged twice")
    note = cases.post_message(agent, case, "Refund log attached", "internal")
    upload = _upload(agent, b"refund id 42\n", "refund.log", "text/plain")
    uploads.attach(upload, case_message=note)
    db.session.commit()
    assert _status(login_as(customer), upload) == 404
    assert _status(login_as(make.make_user(role="moderator")), upload) == 404
    assert _status(login_as(make.make_user(role="agent")), upload) == 200


def test_a_case_message_attachment_reaches_its_customer(app, make, login_as):
    customer, agent = make.make_user(), make.make_user(role="agent")
    case, _ = cases.escalate_thread(customer, make.make_thread(author=customer), "Charged twice")
    message = cases.post_message(customer, case, "Here is the screenshot", "customer")
    upload = _upload(customer)
    uploads.attach(upload, case_message=message)
    db.session.commit()
    assert _status(login_as(agent), upload) == 200
    assert _status(login_as(make.make_user()), upload) == 404


def test_staff_removal_is_audited_and_the_file_is_gone(make, login_as, api_client):
    owner, moderator = make.make_user(), make.make_user(role="moderator")
    upload = _upload(owner)
    assert api_client(owner).delete(f"/api/v1/uploads/{upload.id}").status_code == 403
    response = api_client(moderator).delete(f"/api/v1/uploads/{upload.id}", json={"reason": "Leaked card number"})
    assert response.status_code == 204
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "upload.remove"))
    assert (entry.actor_id, entry.target_id, entry.reason) == (moderator.id, upload.id, "Leaked card number")
    assert _status(login_as(owner), upload) == 404
    assert _status(login_as(moderator), upload) == 404
    assert not uploads.current_store().exists(upload.sha256)


def test_staff_remove_an_upload_from_the_web(make, login_as):
    owner = make.make_user()
    upload = _upload(owner)
    assert login_as(owner).post(f"/uploads/{upload.id}/remove").status_code == 403
    assert login_as(make.make_user(role="admin")).post(f"/uploads/{upload.id}/remove").status_code == 302
    db.session.expire_all()
    assert db.session.get(Upload, upload.id).removed_at is not None


def test_an_oversized_body_is_refused_before_it_is_read(api_client, make):
    """Content-Length announces 1 GB: the answer is 413 and the stream is never read."""

    class Untouchable(io.RawIOBase):
        reads = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            Untouchable.reads += 1
            buffer[: len(buffer)] = b"x" * len(buffer)
            return len(buffer)

    response = api_client(make.make_user()).post(
        "/api/v1/uploads", content_type="multipart/form-data; boundary=zzz",
        environ_overrides={"wsgi.input": Untouchable(), "CONTENT_LENGTH": str(1024**3)})
    assert response.status_code == 413
    assert Untouchable.reads == 0


def test_a_body_without_a_length_is_cut_off_at_the_limit(api_client, make):
    """A chunked body (no Content-Length) is counted as it streams and refused past the largest upload."""
    limit = uploads.current_limits().max_bytes
    sent = 0

    class Endless(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            nonlocal sent
            part = b'--zzz\r\nContent-Disposition: form-data; name="file"; filename="a.log"\r\n\r\n'
            head = b"" if sent else part
            chunk = (head + b"a" * len(buffer))[: len(buffer)]
            buffer[: len(chunk)] = chunk
            sent += len(chunk)
            return len(chunk)

    response = api_client(make.make_user()).post(
        "/api/v1/uploads", content_type="multipart/form-data; boundary=zzz", headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input": io.BufferedReader(Endless()), "wsgi.input_terminated": True,
                           "CONTENT_LENGTH": ""})
    assert response.status_code == 413
    assert sent < limit + 1024 * 1024


def test_an_api_upload_is_visible_to_its_uploader_at_its_url(api_client, make, login_as):
    owner = make.make_user()
    body = upload_via_api(api_client(owner), image_bytes(), "a.png").get_json()
    response = login_as(owner).get(body["url"])
    assert response.status_code == 200 and response.data.startswith(b"\x89PNG")
