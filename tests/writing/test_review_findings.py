"""Review findings on the editor (issue 22, part A): each test failed before its fix."""

from __future__ import annotations

import html

from sqlalchemy import func, select

from forum.core.extensions import db
from forum.models import Post, Thread
from forum.services import posting, reading
from forum.writing import drafts
from moderation.services import watched_words

TOO_LONG = "y" * (posting.MAX_BODY_BYTES + 1)


def _ask(category, **change) -> dict[str, str]:
    return {"category_id": str(category.id), "kind": "question", "title": "My card was declined twice",
            "body": "It says declined.", "tags": "", "confirmed": "1", **change}


def test_the_no_js_preview_buttons_refuse_more_than_a_post_holds(login_as, make):
    """The Preview buttons of Ask, Edit and Reply rendered bodies of any size (up to 4x the limit) without a word."""
    member = make.make_user()
    thread = make.make_thread(author=member)
    question = reading.question_post(thread)
    web = login_as(member)
    answers = [
        web.post("/ask", data={**_ask(make.make_category()), "body": TOO_LONG, "preview": "1"}),
        web.post(f"/p/{question.id}/edit", data={"body": TOO_LONG, "preview": "1"}),
        web.post(f"/t/{thread.id}/reply", data={"body": TOO_LONG, "preview": "1"}),
    ]
    for answer in answers:
        page = answer.get_data(as_text=True)
        assert "<p>" + "y" * 100 not in page, answer.request.path  # not rendered
        assert "Too long to preview" in html.unescape(page), answer.request.path
    assert answers[0].status_code == 422 and answers[1].status_code == 422
    assert db.session.scalar(select(func.count(Thread.id))) == 1
    assert db.session.scalar(select(func.count(Post.id))) == 1


def test_the_preview_shows_watched_words_as_publishing_stores_them(api_client, login_as, make):
    """Censored and linked watched words were shown as typed in every preview, then stored rewritten."""
    admin, member = make.make_user(role="admin"), make.make_user()
    watched_words.add_watched_word(admin, watched_words.WatchedWordInput("darn", "censor"))
    watched_words.add_watched_word(
        admin, watched_words.WatchedWordInput("status page", "link", "https://status.example.com/"))
    text = "darn, check the status page"
    stored = make.make_reply(make.make_thread(), author=member, body=text).body_html
    assert "darn" not in stored and "https://status.example.com/" in stored
    api = api_client(member).post("/api/v1/preview", json={"body": text})
    assert api.status_code == 200 and api.get_json()["body_html"] == stored
    live = login_as(member).post("/preview", data={"body": text})
    assert live.status_code == 200 and live.get_json()["html"] == stored
    button = login_as(member).post("/ask", data={**_ask(make.make_category()), "body": text, "preview": "1"})
    assert stored in button.get_data(as_text=True)


def test_a_refused_text_is_still_previewed_as_written(api_client, make):
    admin, member = make.make_user(role="admin"), make.make_user()
    watched_words.add_watched_word(admin, watched_words.WatchedWordInput("crypto giveaway", "block"))
    answer = api_client(member).post("/api/v1/preview", json={"body": "a crypto giveaway"})
    assert answer.status_code == 200 and "crypto giveaway" in answer.get_json()["body_html"]


def test_a_key_with_a_trailing_newline_names_no_draft(api_client, make):
    """`$` matched before a final newline: "reply-7\\n" read, saved and discarded the draft reply-7."""
    member, thread = make.make_user(), make.make_thread()
    client = api_client(member)
    assert client.put(f"/api/v1/drafts/reply-{thread.id}", json={"body": "Mine"}).status_code == 200
    assert client.get(f"/api/v1/drafts/reply-{thread.id}%0A").status_code == 404
    assert client.put(f"/api/v1/drafts/reply-{thread.id}%0A", json={"body": "x"}).status_code == 404
    assert drafts.find_draft(member, f"reply-{thread.id}\n") is None


def test_saving_an_unchanged_post_discards_its_edit_draft(login_as, make):
    """Saving the text as it was returned before the discard: the stale draft came back on the next edit."""
    member = make.make_user()
    question = reading.question_post(make.make_thread(author=member))
    drafts.save_draft(member, drafts.edit_key(question.id), drafts.DraftInput(body="A change I gave up on"))
    web = login_as(member)
    assert web.post(f"/p/{question.id}/edit", data={"body": question.body}).status_code == 302
    assert drafts.find_draft(member, drafts.edit_key(question.id)) is None
    assert "A change I gave up on" not in web.get(f"/p/{question.id}/edit").get_data(as_text=True)


def test_a_reply_sent_privately_to_support_discards_its_draft(login_as, make):
    """The asker's reply holding personal data went to a case, but its draft (the personal data) stayed."""
    member = make.make_user()
    thread = make.make_thread(author=member)
    body = "My card is 4111 1111 1111 1111, please check the charge."
    drafts.save_draft(member, drafts.reply_key(thread.id), drafts.DraftInput(body=body))
    answer = login_as(member).post(f"/t/{thread.id}/reply", data={"body": body, "personal_data": "private"})
    assert answer.status_code == 302
    assert drafts.find_draft(member, drafts.reply_key(thread.id)) is None
