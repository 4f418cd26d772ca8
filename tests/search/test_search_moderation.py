"""Search never holds what moderation keeps out of view: pending and hidden posts, non-public threads."""

from __future__ import annotations

import pytest

from forum.core.extensions import db
from forum.services import moderation_state, posting, reading
from search import documents
from tests.moderation_support import HOLD_WORD, holding  # noqa: F401  (fixture)
from tests.search.helpers import ids as _ids


@pytest.mark.usefixtures("holding")
def test_pending_replies_and_questions_are_not_indexed_until_published(make, search_index):
    thread = make.make_thread(title="Printer prints blank pages", body="New cartridge, still blank.")
    reply = posting.reply_to_thread(make.make_user(), thread, f"Visit cheapinkzone for toner {HOLD_WORD}")
    held = make.make_thread(title="Router firmware question", body=f"Where is the firmware {HOLD_WORD}")
    ix = search_index()
    assert _ids(ix, "cheapinkzone") == [] and _ids(ix, "firmware") == []
    assert documents.document_for(held.id) is None
    moderation_state.publish_post(reply, make.make_user("moderator"))
    moderation_state.publish_post(reading.question_post(held), make.make_user("moderator"))
    db.session.commit()
    ix = search_index()
    assert _ids(ix, "cheapinkzone") == [thread.id] and _ids(ix, "firmware") == [held.id]


def test_hiding_removes_the_text_and_a_hidden_question_its_thread(make, search_index):
    thread = make.make_thread(title="Invoice shows a double charge", body="Charged twice this month.")
    reply = make.make_reply(thread, body="Call 555 scamline for a refund.")
    assert _ids(search_index(), "scamline") == [thread.id]
    moderation_state.hide_post(reply, None, "spam")
    db.session.commit()
    ix = search_index()
    assert _ids(ix, "scamline") == [] and _ids(ix, "invoice") == [thread.id]
    moderation_state.hide_post(reading.question_post(thread), None, "offensive")
    db.session.commit()
    assert _ids(search_index(), "invoice") == []
    assert documents.count_searchable() == 0 and list(documents.all_documents()) == []
    moderation_state.unhide_post(reading.question_post(thread), None)
    moderation_state.unhide_post(reply, None)
    db.session.commit()
    assert _ids(search_index(), "scamline") == [thread.id]
