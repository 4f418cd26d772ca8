"""What the PostgreSQL backend stores for similar questions (search.backends.postgres_similar): the question as
asked and BM25's field lengths are written with every row, and kept in step when the thread changes.

A stale length would skew every score the thread gets, and a stale question_document would keep suggesting a
thread for words its question no longer has; neither shows in the ranking tests until it is badly wrong.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from forum.core.extensions import db
from forum.services import posting, qa, reading
from search import similar
from tests.search.conftest import search_backend, search_index  # noqa: F401 - the index the engine reads

pytestmark = pytest.mark.parametrize("search_backend", ["postgres"], indirect=True)

RECOUNT = text("""
SELECT s.title_length, s.accepted_length, s.document_length,
       (SELECT count(*) FROM unnest(s.document) u, unnest(u.weights) w WHERE w = 'A') AS a,
       (SELECT count(*) FROM unnest(s.document) u, unnest(u.weights) w WHERE w = 'B') AS b,
       (SELECT count(*) FROM unnest(s.document) u, unnest(u.weights) w) AS total,
       s.question_document::text AS asked
FROM search_documents s WHERE s.thread_id = :id
""")


def _solved(make, title: str, body: str, answer: str):
    thread = make.make_thread(title=title, body=body)
    qa.accept_solution(thread.author, thread, make.make_reply(thread, body=answer))
    return thread


def test_lengths_and_the_question_are_stored_and_follow_an_edit(make, search_index):  # noqa: F811
    thread = _solved(make, "Router lights blink orange all night", "The lights blink orange until I unplug it.",
                     "Update the router firmware from the admin page, then restart it twice.")
    search_index()
    row = db.session.execute(RECOUNT, {"id": thread.id}).one()
    assert (row.title_length, row.accepted_length, row.document_length) == (row.a, row.b, row.total)
    assert row.title_length > 0 and row.accepted_length > 0 and row.document_length > row.title_length
    assert "'orang':" in row.asked and "'unplug':" in row.asked and "firmwar" not in row.asked  # not the answer

    question = reading.question_post(thread)
    posting.edit_post(question.author, question, "Since Tuesday the lights flash orange and the modem reboots.")
    search_index()
    edited = db.session.execute(RECOUNT, {"id": thread.id}).one()
    assert (edited.title_length, edited.accepted_length, edited.document_length) == (edited.a, edited.b, edited.total)
    assert "'modem':" in edited.asked and "unplug" not in edited.asked


def test_a_thread_is_found_by_words_only_its_question_has(make, search_index):  # noqa: F811
    wanted = _solved(make, "Cannot send texts", "Messages to my sister's phone fail with error 38 since roaming.",
                     "Reset the network settings.")
    _solved(make, "Cannot send photos", "Pictures stay pending forever.", "Turn on mobile data.")
    search_index()
    assert [item.id for item in similar.similar(None, "error 38 when texting while roaming")][:1] == [wanted.id]


TERMS = text("SELECT lexeme, documents FROM search_terms WHERE lexeme IN ('', 'router', 'zigbe')")
LIVE = text("SELECT count(*) FROM search_documents WHERE document @@ 'router'::tsquery")


def test_the_rebuild_counts_document_frequencies_and_a_word_first_seen_later_still_finds_its_thread(
        make, search_index):  # noqa: F811
    for n in range(3):
        _solved(make, f"Router drops wifi every {n + 2} hours", "It reconnects on its own.", "Move the channel.")
    backend = search_index()
    backend.rebuild()  # the worker counts the frequencies after every rebuild
    stored = dict(db.session.execute(TERMS).all())
    assert stored == {"": 3, "router": db.session.scalar(LIVE)}

    newer = _solved(make, "Zigbee bulbs will not pair with the hub", "Reset does nothing.", "Update the hub first.")
    search_index()  # written by the worker after the count: its rare word is not stored yet
    assert [item.id for item in similar.similar(None, "zigbee bulb pairing")][:1] == [newer.id]


def test_the_worker_counts_again_once_the_documents_drift(make, search_index):  # noqa: F811
    _solved(make, "Router drops wifi at night", "It reconnects on its own.", "Move the channel.")
    backend = search_index()
    backend.rebuild()
    for n in range(2):
        _solved(make, f"Router lights blink after update {n}", "Orange, then red.", "Roll the firmware back.")
    backend = search_index()
    assert dict(db.session.execute(TERMS).all())[""] == 1  # statistics: not counted on every write
    backend.ensure()  # the search.ensure_index job, every minute
    assert dict(db.session.execute(TERMS).all()) == {"": 3, "router": 3}
