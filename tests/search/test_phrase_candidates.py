"""The phrase boost reads each word's positions in the candidates alone (search.backends.whoosh.phrases): it
finds the same documents as Whoosh's own Phrase matcher, on a freshly rebuilt index (one segment, read
block by block) and on one with several segments and deleted documents, and a phrase match still ranks
first (Whoosh backend)."""

from __future__ import annotations

import pytest
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.query import Phrase, Term

from forum.services import posting, reading
from search import query_language
from search.analysis import ANALYZER
from search.backends.whoosh import index, phrases
from search.backends.whoosh import reading as index_reading
from search.query_language import PHRASE_BOOST
from tests.search.helpers import WHOOSH_ONLY, ids

BODIES = [
    "The battery drains overnight even when the phone is off.",
    "Battery life is fine, but the drain on the data plan is huge. Battery, battery.",
    "Overnight the phone drains its battery; the battery drain started after the update.",
    "Drain battery drain battery: the words in both orders.",
    "Nothing to do with it: the printer prints blank pages.",
    "The phone battery drain battery drain repeats, the phone phone battery too.",
]
PHRASES = [["battery", "drain"], ["drain", "battery"], ["phone", "battery", "drain"], ["phone", "phone"],
           ["blank", "page"], ["battery", "zeppelin"], ["printer", "battery"]]


def _whoosh_phrase(searcher, words: list[str]) -> set[int]:
    """Every document Whoosh's own Phrase matcher finds (its SpanNear2 walk)."""
    matcher = Phrase("body", words).matcher(searcher, searcher.boolean_context())
    return set(matcher.all_ids()) if matcher.is_active() else set()


def _stems(words: list[str]) -> list[str]:
    return [token.text for token in ANALYZER(" ".join(words))]


def _assert_same_as_whoosh(searcher) -> None:
    """Among every live document, and among every other one (candidates are a subset), for each phrase."""
    live = [docnum for docnum in range(searcher.doc_count_all()) if not searcher.reader().is_deleted(docnum)]
    found_some = False
    for words in PHRASES:
        expected = _whoosh_phrase(searcher, _stems(words))
        found_some = found_some or bool(expected)
        assert phrases.phrase_among(searcher, Phrase("body", _stems(words)), live) == expected, words
        some = live[1::2]
        assert phrases.phrase_among(searcher, Phrase("body", _stems(words)), some) == expected & set(some), words
    assert found_some


@pytest.fixture
def battery_threads(make, search_index):
    threads = [make.make_thread(title=f"Question number {n}", body=body) for n, body in enumerate(BODIES)]
    return threads, search_index()


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_a_rebuilt_index_finds_the_phrases_whoosh_finds(battery_threads):
    _threads, backend = battery_threads
    backend.rebuild()
    index.forget()
    searcher = index_reading.snapshot(index.open_index()).searcher
    assert type(Term("body", "batteri").matcher(searcher, searcher.boolean_context())) is W3LeafMatcher
    _assert_same_as_whoosh(searcher)


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_an_index_with_segments_and_deletions_finds_the_phrases_whoosh_finds(battery_threads, search_index):
    threads, _backend = battery_threads
    for thread in threads[:3]:
        posting.edit_post(thread.author, reading.question_post(thread), f"{BODIES[3]} Edited: battery drain.")
    search_index()
    searcher = index_reading.snapshot(index.open_index()).searcher
    segments = searcher.leaf_searchers()
    assert len(segments) > 1 and any(sub.reader().has_deletions() for sub, _offset in segments)
    _assert_same_as_whoosh(searcher)


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_the_phrase_match_ranks_first(make, search_index, monkeypatch):
    scattered = make.make_thread(
        title="Phone question", body="My battery is new. The sink drain is slow. Battery again, drain again.")
    together = make.make_thread(title="Phone question", body="Since the update I see a battery drain at night.")
    backend = search_index()
    assert ids(backend, "battery drain") == [together.id, scattered.id]
    monkeypatch.setattr(query_language, "PHRASE_BOOST", 1.0)  # without the boost the other thread ranks first
    assert ids(backend, "battery drain") == [scattered.id, together.id]
    assert PHRASE_BOOST > 1.0
