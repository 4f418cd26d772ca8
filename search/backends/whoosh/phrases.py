"""Which of a search's candidates contain a phrase, read from each word's positions in those candidates alone.

The phrase boost (search.query_language.boost) asks this of at most CANDIDATES documents. Whoosh's own
phrase matcher (SpanNear2 over an intersection) answers it by walking every document that holds all the
words, decoding each one's positions, until the next phrase match: from the first document when the
matcher is made, then past each candidate. With words common in the forum (nearly every query's), that
walk decoded hundreds of documents per query and was about 40 % of the search API's time. Here each
word's postings are read for the candidates still possible, and only their positions are decoded.

The rule is Whoosh's Phrase with its default slop of 1: the words at consecutive positions, in order
(tests/search/test_phrase_candidates.py checks the answers against Whoosh's matcher).
"""

from __future__ import annotations

from bisect import bisect_left

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import Matcher
from whoosh.query import Phrase, Term
from whoosh.searching import Searcher


def phrase_among(searcher: Searcher, phrase: Phrase, candidates: list[int]) -> set[int]:
    """The (sorted) candidates holding phrase's words at consecutive positions, in order."""
    context = searcher.boolean_context()
    starts: dict[int, set[int]] | None = None  # docnum → positions where the words so far begin
    for offset, word in enumerate(phrase.words):
        remaining = candidates if starts is None else sorted(starts)
        positions = _positions(Term(phrase.fieldname, word).matcher(searcher, context), remaining)
        if starts is None:
            starts = {docnum: set(found) for docnum, found in positions.items()}
        else:
            starts = {docnum: kept for docnum, begun in starts.items()
                      if (kept := begun.intersection(p - offset for p in positions.get(docnum, ())))}
        if not starts:
            return set()
    return set(starts or ())


def _positions(matcher: Matcher, candidates: list[int]) -> dict[int, list[int]]:
    """docnum → the word's positions, for the (sorted) candidates its postings hold."""
    if type(matcher) is W3LeafMatcher:  # one segment without deletions: the index as rebuilt and merged
        return _block_positions(matcher, candidates)
    found: dict[int, list[int]] = {}
    for docnum in candidates:  # several segments, or deletions filtered: the matcher's own skipping
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                break
        if matcher.id() == docnum:
            found[docnum] = matcher.value_as("positions")
    return found


def _block_positions(matcher: W3LeafMatcher, candidates: list[int]) -> dict[int, list[int]]:
    """_positions() block by block: skip_to() steps through a block one posting (several calls) at a time,
    which was most of the cost; a block's ids are sorted, so each candidate is found by bisection.
    Blocks holding no candidate are passed unread, as skip_to() passes them. Reads the block
    attributes of Whoosh 2.7's postings reader (pyproject pins Whoosh < 3)."""
    decode = matcher.format.decoder("positions")
    found: dict[int, list[int]] = {}
    i, count = 0, len(candidates)
    while i < count and matcher.is_active():
        last = matcher.block_max_id()
        if candidates[i] <= last:
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._values is None:
                matcher._read_values()
            ids, values = matcher._ids, matcher._values
            while i < count and candidates[i] <= last:
                at = bisect_left(ids, candidates[i])
                if at < len(ids) and ids[at] == candidates[i]:
                    found[candidates[i]] = decode(values[at])
                i += 1
        matcher._next_block()
    return found
