"""The sanitizer admits this site's upload address for images; external images keep needing https and the
link privilege; and nothing a hidden post attached leaks through search, feeds, webhooks or stored HTML."""

from __future__ import annotations

import io

import pytest

from forum import cases, uploads
from forum.core.errors import Invalid
from forum.integrations import payloads
from forum.services import markup, posting, reading
from moderation.services import actions
from tests.search.conftest import search_backend, search_index  # noqa: F401  (fixtures)
from tests.uploads.conftest import image_bytes


def _upload(user, data=None, name="shot.png", kind="image/png"):
    return uploads.store_stream(user, io.BytesIO(data or image_bytes()), name, kind)


def test_the_sanitizer_keeps_local_upload_images_and_refuses_plain_http_ones():
    local = markup.render_markdown("![Router lights](/uploads/12/router.png)")
    assert '<img src="/uploads/12/router.png?rendition=thumbnail" alt="Router lights">' in local
    assert '<a href="/uploads/12/router.png">' in local
    assert "src=" not in markup.render_markdown("![x](http://tracker.example/pixel.png)")
    assert 'src="https://cdn.example/a.png"' in markup.render_markdown("![x](https://cdn.example/a.png)")
    for sneaky in ("![x](/uploads/12/../../admin)", "![x](//evil.example/uploads/1/a.png)", "![x](/u/ana)",
                   "![x](/uploads/12/a.png?rendition=original)", "![x](/uploads/12/a.png#x)"):
        assert "src=" not in markup.render_markdown(sneaky), sneaky
    linked = markup.render_markdown("[![x](/uploads/12/a.png)](https://example.com)")
    assert linked.count("<a ") == 1  # no link inside a link


def test_a_new_member_may_show_an_uploaded_image_but_not_an_external_one(make):
    newcomer = make.make_user()
    thread = make.make_thread()
    with pytest.raises(Invalid) as refused:
        posting.reply_to_thread(newcomer, thread, "![x](https://cdn.example/a.png)")
    assert "images" in " ".join(refused.value.errors["body"])
    post = posting.reply_to_thread(newcomer, thread, uploads.markdown_reference(_upload(newcomer)))
    assert "<img" in post.body_html  # posted (held for review as a new member's attachment, not refused)


def test_stored_html_holds_the_stable_address_never_a_signed_url(make, store, app, login_as):
    author = make.make_user(reputation=50)
    upload = _upload(author)
    post = posting.reply_to_thread(author, make.make_thread(), uploads.markdown_reference(upload))
    assert uploads.url_for_upload(upload) in post.body_html
    assert "X-Amz" not in post.body_html and "Signature" not in post.body_html
    response = app.test_client().get(uploads.url_for_upload(upload))
    assert response.status_code in {200, 302}  # the route streams it, or redirects to a fresh signed URL


def test_search_does_not_return_a_hidden_posts_thread_or_its_file(make, search_index, api_client):  # noqa: F811
    author, moderator = make.make_user(reputation=50), make.make_user(role="moderator")
    upload = _upload(author, name="quasar-error.png")
    thread = make.make_thread(author=author, title="Quasar modem error screen",
                              body=f"See {uploads.markdown_reference(upload, 'quasar error')}")
    search_index()
    found = api_client().get("/api/v1/search", query_string={"q": "quasar"}).get_json()["items"]
    assert [item["thread"]["id"] for item in found] == [thread.id]
    actions.hide_post(moderator, reading.question_post(thread), "Spam")
    search_index()
    stranger = api_client(make.make_user())
    assert stranger.get("/api/v1/search", query_string={"q": "quasar"}).get_json()["items"] == []
    assert stranger.get(uploads.url_for_upload(upload)).status_code == 404


def test_feeds_and_webhooks_never_carry_a_hidden_posts_attachment(make, client):
    author, moderator = make.make_user(reputation=50), make.make_user(role="moderator")
    upload = _upload(author)
    thread = make.make_thread(author=author, title="Modem shows a red light")
    post = posting.reply_to_thread(author, thread, f"Photo: {uploads.markdown_reference(upload)}")
    assert payloads.build("post.created", {"post_id": post.id})["post"]["body_html"].count("/uploads/") == 2
    actions.hide_post(moderator, post, "Personal data in the photo")
    assert payloads.build("post.created", {"post_id": post.id}) is None
    hidden = payloads.build("post.hidden", {"post_id": post.id, "was_public": True})
    assert "/uploads/" not in str(hidden)
    assert b"/uploads/" not in client.get("/feeds/latest.atom").data
    assert client.get(uploads.url_for_upload(upload)).status_code == 404


def test_an_internal_notes_file_is_in_no_webhook(make):
    customer, agent = make.make_user(), make.make_user(role="agent")
    case, _ = cases.escalate_thread(customer, make.make_thread(author=customer), "Charged twice")
    upload = _upload(agent, b"card ending 4242\n", "refund.log", "text/plain")
    note = cases.post_message(agent, case, uploads.markdown_reference(upload), "internal")
    assert payloads.build("case.updated", {"case_id": case.id, "change": "message", "message": note}) is None
