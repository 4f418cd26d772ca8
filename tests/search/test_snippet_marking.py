"""Snippets mark the same words whichever way they are found: str.find() over the lower-cased text
where that is exact, the case-insensitive pattern alone where it is not (İ, ı, ſ)."""

from __future__ import annotations

import random
import re

import pytest

from search import snippets


def _words(raw: str) -> frozenset[str]:
    return frozenset(snippets._stem(word) for word in raw.split())


def _pattern_only(text: str, words: frozenset[str]) -> list[tuple[int, int]]:
    """The matches of scanning every offset with the pattern (the reference the shortcut must equal)."""
    candidates = snippets._candidates(words).finditer(text)
    return [(m.start(), m.end()) for m in candidates if snippets._stem(m.group()) in words]


@pytest.mark.parametrize(("text", "marked"), [
    ("SLEEPING badly, Sleeps less, asleep at noon", ["SLEEPING", "Sleeps"]),
    ("node.js and Node.JS, nodes", ["node.js", "Node.JS"]),
    ("sleep_time sleep. .sleep", ["sleep", "sleep"]),
    ("ſleep or İstanbul sleep", ["sleep"]),
    ("Café sleep – “sleep” …sleeping", ["sleep", "sleep", "sleeping"]),
])
def test_every_form_of_a_query_word_is_marked_in_any_case(text, marked):
    words = _words("sleep node.js")
    found = [text[start:end] for start, end in snippets._matches(text, words)]
    assert found == marked
    assert found == [text[start:end] for start, end in _pattern_only(text, words)]


def test_finding_by_prefix_marks_exactly_what_the_pattern_marks():
    pieces = ["sleep", "Sleeping", "SLEEPS", "asleep", "sleep.less", "node.js", "Router's", "routers", "ſleep",
              "İdle", "ıdle", "idling", "café", "naïve", "sleep_time", "tv", "5g", "“sleep”", "sleep.", ".sleep",
              "sl", "slee", "K", "k", "Ke"]
    word_sets = [_words(raw) for raw in ("sleep", "router idle", "tv 5g", "node.js sleep", "café", "naïve sleep", "k")]
    rng = random.Random(21)
    gaps = [" ", "", ".", ", ", "\n", "_"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) + rng.choice(gaps) for _ in range(rng.randint(0, 25)))
        for words in word_sets:
            assert snippets._matches(text, words) == _pattern_only(text, words), (text, words)


def test_a_long_excerpt_is_marked_like_a_short_one():
    text = ("Filler words about nothing in particular. " * 45) + "Then the Router rebooted."
    marked = snippets.snippet(text, _words("router"))
    assert re.search(r"<mark>Router</mark> rebooted", marked)
