"""Attachments on posts and case messages: a saved body attaches its author's own uploads, and nothing else.

Each test tries the attack a member could: pasting someone else's upload URL, reading a case's or an
internal note's file, fetching a hidden or deleted post's file, sending someone else's upload id.
"""

from __future__ import annotations

import io

from sqlalchemy import func, select

from forum import cases, uploads
from forum.core.extensions import db
from forum.models import Attachment, CaseMessage, Post, Upload, Visibility
from forum.services import moderation_state, posting
from moderation.services import actions
from tests.uploads.conftest import image_bytes, upload_via_api


def _upload(user, data=None, name="shot.png", kind="image/png") -> Upload:
    return uploads.store_stream(user, io.BytesIO(data or image_bytes()), name, kind)


def _status(client, upload: Upload, rendition: str | None = None) -> int:
    return client.get(uploads.url_for_upload(upload, rendition)).status_code


def _member(make, **extra):
    """A member with the link privilege: not held as a new member (those are tested on their own)."""
    return make.make_user(reputation=50, **extra)


def _attachments(upload: Upload) -> int:
    return db.session.scalar(select(func.count(Attachment.id)).where(Attachment.upload_id == upload.id))


def test_a_reply_referencing_the_authors_upload_publishes_it_as_a_linked_thumbnail(app, make, login_as):
    author = _member(make)
    thread = make.make_thread()
    upload = _upload(author, image_bytes(size=(1600, 1200)))
    assert _status(app.test_client(), upload) == 404  # not attached yet: the uploader's only
    body = f"The error:\n\n{uploads.markdown_reference(upload, 'Error dialog')}"
    response = login_as(author).post(f"/t/{thread.id}/reply", data={"body": body})
    assert response.status_code == 302
    page = app.test_client().get(f"/t/{thread.id}/{thread.slug}").get_data(as_text=True)
    full, thumbnail = uploads.url_for_upload(upload), uploads.url_for_upload(upload, uploads.THUMBNAIL)
    assert f'<a href="{full}"><img src="{thumbnail}" alt="Error dialog"></a>' in page
    assert _status(app.test_client(), upload) == 200
    assert _status(app.test_client(), upload, uploads.THUMBNAIL) == 200


def test_pasting_another_members_upload_url_into_a_public_post_reveals_nothing(app, make, login_as):
    owner, thief = _member(make), _member(make)
    private = _upload(owner)
    thread = make.make_thread()
    body = f"Look: ![x]({uploads.url_for_upload(private)}) and [the file]({uploads.url_for_upload(private)})"
    assert login_as(thief).post(f"/t/{thread.id}/reply", data={"body": body}).status_code == 302
    assert _attachments(private) == 0
    assert _status(app.test_client(), private) == 404
    assert _status(login_as(thief), private) == 404
    assert _status(login_as(_member(make)), private) == 404


def test_an_edit_that_drops_the_reference_takes_the_attachment_away(app, make):
    author = _member(make)
    upload = _upload(author)
    thread = make.make_thread()
    post = posting.reply_to_thread(author, thread, f"See {uploads.markdown_reference(upload)}")
    assert _status(app.test_client(), upload) == 200
    posting.edit_post(author, post, "Never mind, it works now.")
    assert _attachments(upload) == 0
    assert _status(app.test_client(), upload) == 404


def test_a_case_messages_attachment_is_for_its_customer_and_agents_only(app, make, login_as):
    customer, agent = make.make_user(), make.make_user(role="agent")
    case, _ = cases.escalate_thread(customer, make.make_thread(author=customer), "Charged twice")
    upload = _upload(customer, name="invoice.png")
    body = f"My invoice: {uploads.markdown_reference(upload)}"
    assert login_as(customer).post(f"/cases/{case.id}/messages", data={"body": body}).status_code == 302
    assert _status(login_as(customer), upload) == 200
    assert _status(login_as(agent), upload) == 200
    assert _status(login_as(make.make_user()), upload) == 404
    assert _status(app.test_client(), upload) == 404
    answer = _upload(agent, b"steps: 1. reset\n", "steps.txt", "text/plain")  # the agent's file reaches the customer
    login_as(agent).post(f"/desk/cases/{case.id}/messages",
                         data={"body": uploads.markdown_reference(answer), "visibility": "customer"})
    assert _status(login_as(customer), answer) == 200
    assert _status(login_as(make.make_user()), answer) == 404


def test_an_internal_notes_attachment_is_for_agents_only(app, make, login_as):
    customer, agent = make.make_user(), make.make_user(role="agent")
    case, _ = cases.escalate_thread(customer, make.make_thread(author=customer), "Charged twice")
    upload = _upload(agent, b"refund 42 issued\n", "refund.log", "text/plain")
    body = f"Refund log: {uploads.markdown_reference(upload)}"
    response = login_as(agent).post(f"/desk/cases/{case.id}/messages", data={"body": body, "visibility": "internal"})
    assert response.status_code == 302
    assert _status(login_as(make.make_user(role="agent")), upload) == 200
    assert _attachments(upload) == 1
    assert _status(login_as(customer), upload) == 404
    assert _status(app.test_client(), upload) == 404


def test_hiding_or_deleting_a_post_takes_its_attachments_with_it(app, make, login_as):
    author, moderator = _member(make), make.make_user(role="moderator")
    thread = make.make_thread()
    hidden_file, deleted_file = _upload(author), _upload(author, image_bytes(color=(0, 0, 200)))
    hidden = posting.reply_to_thread(author, thread, uploads.markdown_reference(hidden_file))
    deleted = posting.reply_to_thread(author, thread, uploads.markdown_reference(deleted_file))
    assert _status(app.test_client(), hidden_file) == 200 and _status(app.test_client(), deleted_file) == 200
    actions.hide_post(moderator, hidden, "Off topic")
    posting.delete_post(author, deleted)
    for upload in (hidden_file, deleted_file):
        assert _status(app.test_client(), upload) == 404
        assert _status(login_as(_member(make)), upload) == 404
        assert _status(login_as(_member(make)), upload, uploads.THUMBNAIL) == 404


def test_api_upload_ids_attach_to_a_case_message_with_its_visibility(app, make, api_client, login_as):
    customer, agent, stranger = make.make_user(), make.make_user(role="agent"), make.make_user()
    case, _ = cases.escalate_thread(customer, make.make_thread(author=customer), "Router reboots")
    own = upload_via_api(api_client(customer), b"boot loop at 03:00\n", "router.log", "text/plain").get_json()
    theirs = _upload(stranger)
    refused = api_client(customer).post(f"/api/v1/cases/{case.id}/messages",
                                        json={"body": "Logs attached", "upload_ids": [own["id"], theirs.id]})
    assert refused.status_code == 422 and "upload_ids" in refused.get_json()["errors"]
    assert db.session.scalar(select(func.count(CaseMessage.id)).where(CaseMessage.case_id == case.id)) == 0
    bad = api_client(customer).post(f"/api/v1/cases/{case.id}/messages", json={"body": "x", "upload_ids": "1"})
    assert bad.status_code == 422
    response = api_client(customer).post(f"/api/v1/cases/{case.id}/messages",
                                         json={"body": "Logs attached", "upload_ids": [own["id"]]})
    assert response.status_code == 201
    assert f'href="{own["url"]}"' in response.get_json()["body_html"]  # shown in the message, name and size
    assert login_as(agent).get(own["url"]).status_code == 200
    assert _attachments(db.session.get(Upload, own["id"])) == 1
    assert login_as(stranger).get(own["url"]).status_code == 404
    assert _status(login_as(stranger), theirs) == 200  # still its uploader's, and not attached anywhere
    assert _attachments(theirs) == 0


def test_a_new_members_first_two_posts_with_attachments_are_held(app, make, login_as):
    newcomer, moderator = make.make_user(), make.make_user(role="moderator")
    thread = make.make_thread()
    first_seen = []
    for n in range(3):
        upload = _upload(newcomer, image_bytes(color=(n * 60, 10, 10)), f"screen{n}.png")  # allowed at once
        post = posting.reply_to_thread(newcomer, thread, f"Screenshot {n}: {uploads.markdown_reference(upload)}")
        first_seen.append(post.visibility)
        if post.visibility == Visibility.PENDING.value:
            assert _status(app.test_client(), upload) == 404  # held: nobody else sees the file yet
            assert _status(login_as(newcomer), upload) == 200
            moderation_state.publish_post(post, moderator)  # a moderator approves it
            db.session.commit()
        assert _status(app.test_client(), upload) == 200
    assert first_seen == [Visibility.PENDING.value, Visibility.PENDING.value, Visibility.PUBLIC.value]
    assert posting.reply_to_thread(newcomer, thread, "Thanks, all fixed.").visibility == Visibility.PUBLIC.value


def test_the_hold_count_is_a_setting(make):
    from forum.services import community_settings

    community_settings.update_settings(make.make_user(role="admin"), {"uploads.hold_new_member_posts": 0})
    newcomer = make.make_user()
    upload = _upload(newcomer)
    post = posting.reply_to_thread(newcomer, make.make_thread(), uploads.markdown_reference(upload))
    assert post.visibility == Visibility.PUBLIC.value


def test_attachments_add_to_the_spam_score(make):
    from moderation.services import spam

    newcomer = make.make_user()
    files = [_upload(newcomer, image_bytes(color=(n, 0, 0)), f"s{n}.png") for n in range(2)]
    body = " ".join(uploads.markdown_reference(upload) for upload in files)
    result = spam.score(newcomer, body)
    assert "2 attachments" in result.signals
    assert result.points == spam.score(newcomer, "no files").points + 2


def test_without_javascript_the_plain_file_field_uploads_and_references_the_file(app, make, login_as):
    author = _member(make)
    thread = make.make_thread()
    client = login_as(author)
    form = {"body": "Here is the log.", "attachment": (io.BytesIO(b"line 1\nline 2\n"), "modem.log", "text/plain")}
    response = client.post(f"/t/{thread.id}/reply", data=form, content_type="multipart/form-data")
    assert response.status_code == 302
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.author_id == author.id))
    upload = db.session.scalar(select(Upload).where(Upload.uploader_id == author.id))
    assert post.body == f"Here is the log.\n\n[modem.log (14 bytes)]({uploads.url_for_upload(upload)})"
    assert app.test_client().get(uploads.url_for_upload(upload)).data == b"line 1\nline 2\n"


def test_without_javascript_a_refused_file_posts_nothing_and_says_why(app, make, login_as):
    author = _member(make)
    thread = make.make_thread()
    form = {"body": "Here.", "attachment": (io.BytesIO(b"<html><script>x</script></html>"), "a.html", "text/html")}
    response = login_as(author).post(f"/t/{thread.id}/reply", data=form, content_type="multipart/form-data")
    assert response.status_code in {415, 422}
    assert db.session.scalar(select(func.count(Post.id)).where(Post.author_id == author.id)) == 0


def test_a_large_file_passes_the_form_size_limit(app, make, login_as):
    """The forms accept what the upload limits allow, not just the 256 KB a text form needs."""
    author = _member(make)
    thread = make.make_thread()
    big = image_bytes(size=(1200, 900), fmt="BMP")  # > 3 MB raw
    png = _png_of_size(len(big))
    form = {"body": "Big screenshot", "attachment": (io.BytesIO(png), "big.png", "image/png")}
    response = login_as(author).post(f"/t/{thread.id}/reply", data=form, content_type="multipart/form-data")
    assert response.status_code == 302
    assert len(png) > app.config["MAX_CONTENT_LENGTH"]


def _png_of_size(at_least: int) -> bytes:
    """A PNG of noise (which does not compress) at least this many bytes long."""
    import os

    from PIL import Image

    side = int((at_least / 3) ** 0.5) + 10
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_the_editor_endpoint_needs_the_csrf_header_and_answers_the_markdown(app, make, login_as):
    author = _member(make)
    client = login_as(author)
    data = {"file": (io.BytesIO(image_bytes()), "pasted.png", "image/png"), "alt": "Login [error]"}
    refused = client.post("/uploads", data=data, content_type="multipart/form-data", csrf=False)
    assert refused.status_code == 400
    data = {"file": (io.BytesIO(image_bytes()), "pasted.png", "image/png"), "alt": "Login [error]"}
    response = client.post("/uploads", data=data, content_type="multipart/form-data",
                           headers={"X-CSRFToken": client._csrf_token()}, csrf=False)
    assert response.status_code == 201
    body = response.get_json()
    assert body["markdown"] == f"![Login \\[error\\]]({body['url']})"
    wrong = client.post("/uploads", data={"file": (io.BytesIO(b"%PDF-1.4 not really"), "x.png", "image/png")},
                        content_type="multipart/form-data", headers={"X-CSRFToken": client._csrf_token()}, csrf=False)
    assert wrong.status_code == 422 and wrong.mimetype == "application/problem+json"
    assert app.test_client().post("/uploads", data={}, csrf=False).status_code in {400, 401}
