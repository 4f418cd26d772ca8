"""Search snippets: the best passage of a thread's stored excerpt, escaped, with the query's words marked.

Whoosh's highlighter re-runs the full analyzer chain (a generator per token through
tokenizer, lowercase, stop and stem filters) over each excerpt; on the benchmark corpus
that was a third of all query time. This does the same job with one regex pass and a
cached Porter stemmer, the stemmer the index's StemmingAnalyzer uses, so a word is
marked exactly when the index would have matched it. Even that pass tried the pattern at
each of an excerpt's 2,000 characters; where it is exact (below), str.find() locates the
query words' prefixes instead and the pattern is only tried where one occurs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from html import escape

from whoosh.lang.porter import stem
from whoosh.query import Query

WINDOW_CHARS = 240
LEAD_CHARS = 40  # context kept before the first marked word of a passage
SEPARATOR = " … "


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return stem(word.lower())


def query_words(query: Query, fields: tuple[str, ...] = ("body",)) -> frozenset[str]:
    """The indexed (stemmed) forms the query looks for in the given text fields."""
    words = set()
    for fieldname, text in query.iter_all_terms(phrases=True):
        if fieldname in fields:
            words.add(text.decode("utf-8") if isinstance(text, bytes) else str(text))
    return frozenset(words)


@lru_cache(maxsize=1024)
def _candidates(words: frozenset[str]) -> re.Pattern[str]:
    """A regex for words that may stem to one of words: each stem less its last letter, as a prefix.

    Porter stems are prefixes of their word but for the last letter ("hoping" → "hope",
    "happy" → "happi"), so this finds every candidate in one C-level pass; each candidate is
    then confirmed by stemming it, so nothing is marked that the index would not match.
    """
    prefixes = sorted({re.escape(word[:-1] if len(word) > 2 else word) for word in words}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(prefixes) + r")\w*(?:\.?\w+)*", re.IGNORECASE)


@lru_cache(maxsize=1024)
def _prefixes(words: frozenset[str]) -> tuple[str, ...]:
    """The prefixes _candidates() looks for, lower-case."""
    return tuple({(word[:-1] if len(word) > 2 else word).lower() for word in words})


# The only characters a case-insensitive ASCII pattern matches that str.lower() leaves non-ASCII or
# lengthens: İ, ı (i) and ſ (s). Texts holding one are scanned with the pattern alone.
_UNLIKE_LOWER = ("\u0130", "\u0131", "\u017f")


def _candidate_starts(text: str, words: frozenset[str]) -> list[int] | None:
    """Every offset where a prefix of _candidates() occurs, any case, in order; None where finding
    them in the lower-cased text could differ from the pattern's case-insensitive matching."""
    prefixes = _prefixes(words)
    lowered = text.lower()
    if len(lowered) != len(text) or not all(p.isascii() for p in prefixes) or any(c in text for c in _UNLIKE_LOWER):
        return None
    starts = set()
    for prefix in prefixes:
        at = lowered.find(prefix)
        while at != -1:
            starts.add(at)
            at = lowered.find(prefix, at + 1)
    return sorted(starts)


def _candidate_matches(text: str, words: frozenset[str]) -> Iterator[re.Match[str]]:
    """What _candidates(words).finditer(text) yields: the pattern tried only where a prefix occurs."""
    pattern = _candidates(words)
    starts = _candidate_starts(text, words)
    if starts is None:
        yield from pattern.finditer(text)
        return
    end = 0
    for start in starts:
        if start >= end and (match := pattern.match(text, start)) is not None:
            end = match.end()
            yield match


def _matches(text: str, words: frozenset[str]) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _candidate_matches(text, words) if _stem(m.group()) in words]


def _best_window(matches: list[tuple[int, int]], taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The passage (start, end) holding the most matches that overlaps no passage already taken."""
    best, best_count = None, 0
    for index, (start, _end) in enumerate(matches):
        window = (max(0, start - LEAD_CHARS), max(0, start - LEAD_CHARS) + WINDOW_CHARS)
        if any(window[0] < t_end and t_start < window[1] for t_start, t_end in taken):
            continue
        count = sum(1 for s, e in matches[index:] if e <= window[1])
        if count > best_count:
            best, best_count = window, count
    return best


def _render(text: str, window: tuple[int, int], matches: list[tuple[int, int]]) -> str:
    """Escape the passage, trimmed to whole words, with <mark> around each match."""
    start, end = window
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + LEAD_CHARS else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    pieces, cursor = [], start
    for m_start, m_end in matches:
        if m_start >= start and m_end <= end:
            pieces += [escape(text[cursor:m_start]), "<mark>", escape(text[m_start:m_end]), "</mark>"]
            cursor = m_end
    pieces.append(escape(text[cursor:end]))
    return "".join(pieces).strip()


def snippet(text: str, words: frozenset[str], passages: int = 2) -> str:
    """Up to `passages` best non-overlapping passages in document order, or "" when no word occurs."""
    if not text or not words:
        return ""
    matches = _matches(text, words)
    if not matches:
        return ""
    taken: list[tuple[int, int]] = []
    while len(taken) < passages:
        window = _best_window(matches, taken)
        if window is None:
            break
        taken.append(window)
    return SEPARATOR.join(_render(text, window, matches) for window in sorted(taken))
