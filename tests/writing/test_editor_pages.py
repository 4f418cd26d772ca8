"""The editor's pages without JavaScript: Preview buttons on Ask and Edit, drafts restored into the forms,
the "Discard draft" button, drafts discarded on publish, and the member's drafts on their own profile."""

from __future__ import annotations

import html

from sqlalchemy import func, select

from forum.core.extensions import db
from forum.models import Draft, Thread
from forum.services import reading
from forum.writing import drafts


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _ask_form(category, **change) -> dict[str, str]:
    form = {"category_id": str(category.id), "kind": "question", "title": "My card was declined twice",
            "body": "It says *declined* but my bank says fine.", "tags": "", "confirmed": "1"}
    return {**form, **change}


def test_the_ask_preview_button_renders_the_body_and_stores_nothing(login_as, make):
    category, member = make.make_category(), make.make_user()
    threads_before = db.session.scalar(select(func.count(Thread.id)))
    response = login_as(member).post("/ask", data={**_ask_form(category), "preview": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<div class="preview" id="ask-preview">' in page and "<em>declined</em>" in page
    assert "My card was declined twice" in page  # the form comes back filled in
    assert db.session.scalar(select(func.count(Thread.id))) == threads_before
    assert db.session.scalar(select(func.count(Draft.id))) == 0


def test_the_edit_preview_button_renders_the_body_and_saves_nothing(login_as, make):
    thread = make.make_thread()
    question = reading.question_post(thread)
    before = question.body
    response = login_as(thread.author).post(f"/p/{question.id}/edit", data={"body": "Now **bolder**", "preview": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<strong>bolder</strong>" in page and 'id="edit-preview"' in page
    db.session.refresh(question)
    assert question.body == before and question.edited_at is None


def test_the_ask_page_offers_preview_counter_and_shortcut_help(login_as, make):
    make.make_category()
    page = _text(login_as(make.make_user()).get("/ask"))
    assert 'name="preview"' in page and "data-char-counter=\"body\"" in page and 'aria-live="polite"' in page
    assert "Formatting shortcuts" in page and "editor.js" in page and "drafts.js" in page
    assert 'data-draft-key-from="category_id"' in page and 'data-drafts-url="/api/v1/drafts/"' in page


def test_a_question_draft_is_restored_into_the_ask_form_with_a_note(login_as, make):
    first, second, member = make.make_category(name="Billing"), make.make_category(name="Wifi"), make.make_user()
    drafts.save_draft(member, drafts.question_key(second.id), drafts.DraftInput("Half my story", "Router blinks red"))
    client = login_as(member)
    for address in (f"/ask?category={second.id}", "/ask"):  # without a category: the latest question draft
        page = _text(client.get(address))
        assert "Restored your draft from" in page and "Discard draft" in page
        assert "Half my story" in page and 'value="Router blinks red"' in page
        assert f'<option selected value="{second.id}">Wifi' in page
    assert "Restored your draft" not in _text(client.get(f"/ask?category={first.id}"))


def test_discard_draft_works_without_javascript(login_as, make):
    category, member = make.make_category(), make.make_user()
    key = drafts.question_key(category.id)
    drafts.save_draft(member, key, drafts.DraftInput("Throw me away", "Not needed after all"))
    client = login_as(member)
    response = client.post(f"/drafts/{key}/discard")
    assert response.status_code == 302 and response.headers["Location"] == f"/ask?category={category.id}"
    assert drafts.find_draft(member, key) is None
    assert "Throw me away" not in _text(client.get(response.headers["Location"]))


def test_publishing_a_question_discards_its_draft(login_as, make):
    category, member = make.make_category(), make.make_user()
    drafts.save_draft(member, drafts.question_key(category.id), drafts.DraftInput("Draft text", "Draft title"))
    response = login_as(member).post("/ask", data=_ask_form(category))
    assert response.status_code == 302
    assert drafts.drafts_of(member) == []


def test_a_failed_publish_keeps_the_draft(login_as, make):
    category, member = make.make_category(), make.make_user()
    drafts.save_draft(member, drafts.question_key(category.id), drafts.DraftInput("Draft text", "Draft title"))
    response = login_as(member).post("/ask", data=_ask_form(category, title="Short"))
    assert response.status_code == 422
    assert len(drafts.drafts_of(member)) == 1


def test_an_edit_draft_is_restored_and_discarded_when_saved(login_as, make):
    thread = make.make_thread()
    question = reading.question_post(thread)
    key = drafts.edit_key(question.id)
    drafts.save_draft(thread.author, key, drafts.DraftInput("A better version of my question"))
    client = login_as(thread.author)
    page = _text(client.get(f"/p/{question.id}/edit"))
    assert "Restored your draft from" in page and "A better version of my question" in page
    assert f'data-draft-key="{key}"' in page
    response = client.post(f"/p/{question.id}/edit", data={"body": "A better version of my question"})
    assert response.status_code == 302
    assert drafts.find_draft(thread.author, key) is None


def test_a_reply_published_from_the_page_discards_its_draft(login_as, make):
    thread, member = make.make_thread(), make.make_user()
    drafts.save_draft(member, drafts.reply_key(thread.id), drafts.DraftInput("Working on it"))
    client = login_as(member)
    page = _text(client.get(f"/t/{thread.id}/{thread.slug}"))
    assert f'data-draft-key="reply-{thread.id}"' in page and "data-draft-restore" in page
    assert client.post(f"/t/{thread.id}/reply", data={"body": "Try the other cable."}).status_code == 302
    assert drafts.drafts_of(member) == []


def test_drafts_are_listed_on_the_member_s_own_profile_only(login_as, make):
    member, other, thread = make.make_user(), make.make_user(), make.make_thread(title="Printer jams on page two")
    drafts.save_draft(member, drafts.reply_key(thread.id), drafts.DraftInput("Half a reply"))
    own = _text(login_as(member).get(f"/u/{member.username}"))
    assert "Your drafts" in own and "Reply to Printer jams on page two" in own
    assert f'href="/t/{thread.id}/{thread.slug}#draft"' in own
    assert "Your drafts" not in _text(login_as(other).get(f"/u/{member.username}"))
    response = login_as(member).post(f"/drafts/reply-{thread.id}/discard", data={"back": "profile"})
    assert response.headers["Location"] == f"/u/{member.username}#drafts"
    assert drafts.drafts_of(member) == []
