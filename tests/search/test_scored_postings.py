"""Plain-word searches answered from cached postings rank exactly as Whoosh's own matching does,
and a change to the index is never answered from postings read before it (Whoosh backend)."""

from __future__ import annotations

import pytest

from forum.services import posting, qa, reading
from search.backends.whoosh import _text_query, index, postings
from search.backends.whoosh import reading as index_reading
from search.query import CANDIDATES, parse
from tests.search.helpers import WHOOSH_ONLY, ids

WORDS = ["modem", "router", "printer", "reboot", "firmware", "cable"]
QUERIES = [
    "modem", "modem router", "router modem firmware", "modem modem", "Modems REBOOTING", "zeppelin",
    "modem zeppelin", "modem tag:wifi", "router is:solved", "printer is:unsolved", "modem category:devices",
    "cable status:open",
    # not plain words: answered by Whoosh's collector either way
    '"modem router"', "modem OR printer", "modem -router", "router after:2020-01-01", "tag:wifi",
]


@pytest.fixture
def varied(make, search_index):
    """Threads mixing the words in different amounts, categories, tags and states; some edited after
    indexing, so the index has several segments and deleted documents."""
    devices, billing = make.make_category(slug="devices"), make.make_category(slug="billing")
    threads = []
    for n in range(24):
        words = " ".join(WORDS[i % len(WORDS)] for i in range(n % 5, n % 5 + 1 + n % 4))
        threads.append(make.make_thread(
            category=devices if n % 3 else billing, title=f"Question {n} about {words}",
            body=f"{words} {'modem ' * (n % 3)}and more text", tags=["wifi"] if n % 4 == 0 else ["wired"],
        ))
    for thread in threads[:4]:
        qa.accept_solution(thread.author, thread, make.make_reply(thread, body="Update the router firmware."))
    backend = search_index()
    for thread in threads[4:8]:
        posting.edit_post(thread.author, reading.question_post(thread), "Now the modem cable is loose too.")
    search_index()
    return backend


def _hits(backend, raw: str) -> list[tuple[int, float]]:
    return [(hit.thread_id, hit.score) for hit in backend.search(raw).hits]


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_cached_postings_rank_every_query_as_whoosh_does(varied, monkeypatch):
    searcher = index_reading.snapshot(index.open_index()).searcher
    segments = searcher.leaf_searchers()
    assert len(segments) > 1 and any(sub.reader().has_deletions() for sub, _offset in segments)
    cached = {raw: _hits(varied, raw) for raw in QUERIES}
    assert index_reading.snapshot(index.open_index()).postings.size > 0  # the plain-word queries used them
    monkeypatch.setattr(postings, "leaf_terms", lambda _query: None)  # every query through Whoosh's collector
    for raw in QUERIES:
        plain = _hits(varied, raw)
        assert [thread_id for thread_id, _ in cached[raw]] == [thread_id for thread_id, _ in plain], raw
        assert [score for _, score in cached[raw]] == pytest.approx([score for _, score in plain], rel=1e-12), raw
    assert any(cached[raw] for raw in QUERIES[:5])


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_a_small_budget_drops_old_postings_and_still_ranks_the_same(varied):
    searcher = index_reading.snapshot(index.open_index()).searcher
    tiny, roomy = postings.ScoredPostings(searcher, budget=10), postings.ScoredPostings(searcher)
    for raw in ["modem", "router", "firmware modem", "printer cable", "modem", "router firmware"]:
        query = _text_query(searcher.schema, parse(raw))
        assert tiny.top(query, CANDIDATES) == roomy.top(query, CANDIDATES), raw
    assert tiny.size < roomy.size


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_a_word_already_searched_finds_what_was_indexed_since(make, search_index):
    first = make.make_thread(title="Thermostat schedule ignored")
    backend = search_index()
    assert ids(backend, "thermostat") == [first.id]  # its postings are now cached
    second = make.make_thread(title="Thermostat shows the wrong temperature")
    posting.edit_post(first.author, reading.question_post(first), "The boiler schedule is ignored.")
    backend = search_index()  # the worker writes both changes
    assert set(ids(backend, "thermostat")) == {first.id, second.id}
    # the edit's word is found: the thread with both words first (then, relaxed, the one with one of them)
    assert ids(backend, "thermostat boiler") == [first.id, second.id]
    posting.delete_post(second.author, reading.question_post(second))
    assert set(ids(search_index(), "thermostat")) == {first.id}
