"""One query language on both backends (issue 26): the same query finds the same threads on Whoosh and
PostgreSQL; relaxed matching and honest did-you-mean corrections.

The table runs on every backend the database allows (search_backend), over the same threads, against
one expected answer per query: a backend that read a query differently would fail its own row.
"""

from __future__ import annotations

import pytest

from search.query import parse
from search.query_language import RELAXED_NOTICE, UNSEARCHABLE, minimum_matches
from tests.search.helpers import WHOOSH_ONLY


@pytest.fixture
def threads(make, search_index):
    billing = make.make_category(name="Billing", slug="billing")
    devices = make.make_category(name="Devices", slug="devices")
    made = {
        "wifi": make.make_thread(category=devices, title="Wi-Fi drops every evening",
                                 body="The router loses the wireless signal at 8 pm."),
        "bill": make.make_thread(category=billing, title="Bill is higher than my plan price",
                                 body="My plan is 35 a month; this bill is 52.80."),
        "refund": make.make_thread(category=billing, title="Refund for a double charge",
                                   body="I was charged twice for my monthly plan."),
        "printer": make.make_thread(category=devices, title="Printer prints blank pages",
                                    body="New cartridge, still blank pages."),
        "cafe": make.make_thread(category=devices, title="Café Wi-Fi login page never loads",
                                 body="The captive portal at the café hangs."),
        "router": make.make_thread(category=devices, title="Router keeps rebooting",
                                   body="The router restarts every hour after the firmware update."),
    }
    backend = search_index()
    names = {thread.id: name for name, thread in made.items()}

    def found(raw: str) -> tuple[list[str], list[str]]:
        results = backend.search(raw)
        return [names[hit.thread_id] for hit in results.hits], results.notices

    return found


# (query, the threads it finds: a set when their order is the ranking's business, a list when it is ours)
TABLE = [
    ("router", {"wifi", "router"}),
    ("routers", {"wifi", "router"}),  # stemmed
    ('"blank pages"', {"printer"}),  # a phrase
    ('"pages blank"', set()),  # a phrase keeps its order, and is never relaxed away
    ("router -firmware", {"wifi"}),  # an exclusion
    ('plan -"double charge"', {"bill"}),  # an excluded phrase
    ("printer or refund", {"printer", "refund"}),  # either
    ("printer OR refund", {"printer", "refund"}),
    ("or router", {"wifi", "router"}),  # an `or` with nothing before it is a stop word
    ("category:billing plan", {"bill", "refund"}),  # words with a filter
    ("category:devices -router", {"printer", "cafe"}),  # an exclusion with a filter only
    ("wi-fi", {"wifi", "cafe"}),  # a hyphenated word is the phrase of its parts
    ("café", {"cafe"}),  # unicode
    ("CAFÉ portal", {"cafe"}),
    ("the and of", set()),  # stop words only: nothing to look for
    ("!!! ??? *** ((( ___", set()),  # punctuation and garbage
    ("title:secret", set()),  # no field of the index is reachable: "title secret" as words
    ("router firmware", ["router", "wifi"]),  # relaxed: one of two words, more words matched first
    ("my bill is too high", {"bill"}),  # relaxed: "higher" is another word than "high"
    ("blank printer pages cartridge toner", ["printer"]),  # relaxed: four of five
]


@pytest.mark.parametrize(("raw", "expected"), TABLE, ids=[raw for raw, _expected in TABLE])
def test_a_query_finds_the_same_threads_on_every_backend(threads, raw, expected):
    names, _notices = threads(raw)
    if isinstance(expected, list):
        assert names[: len(expected)] == expected
    else:
        assert set(names) == expected


def test_relaxed_results_say_so_and_strict_ones_do_not(threads):
    assert RELAXED_NOTICE in threads("router firmware")[1]
    assert RELAXED_NOTICE not in threads("router")[1]
    assert RELAXED_NOTICE not in threads('"pages blank"')[1]


def test_text_with_nothing_to_look_for_is_explained(threads):
    assert UNSEARCHABLE in threads("the and of")[1]
    assert threads("is:unsolved")[0]  # filters alone still find everything they allow


def test_the_parser_reads_the_query_once_for_both_backends():
    terms = parse('wifi or "red light" -modem my bill').terms
    assert [[item.text for item in clause] for clause in terms.positive] == [["wifi", "red light"], ["bill"]]
    assert [item.text for item in terms.negations] == ["modem"]
    assert [[item.text for item in clause] for clause in terms.relaxable] == [["bill"]]
    assert [minimum_matches(n) for n in range(1, 7)] == [1, 1, 2, 3, 4, 4]


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_a_misspelt_word_gets_a_correction_that_finds_more(threads, search_backend):
    results = search_backend.search("ruoter")
    assert results.hits == [] and results.suggestion == "router"


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_known_words_are_never_corrected(threads, search_backend):
    assert search_backend.search("router keeps drops").suggestion is None


@pytest.mark.parametrize(**WHOOSH_ONLY)
def test_a_correction_that_finds_no_more_is_not_offered(threads, search_backend):
    results = search_backend.search("printer cartrige")  # relaxed: the printer thread
    assert len(results.hits) == 1 and results.suggestion is None  # "printer cartridge" finds that one too
