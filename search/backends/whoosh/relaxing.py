"""Whoosh's half of relaxed matching and the title/phrase boosts (search.query_language has the rules).

A relaxed search scores each clause on its own (scored(): a term's cached postings for threads,
Whoosh's searcher otherwise), then keeps the documents matching enough plain word clauses and every
required one, none excluded and all filters met: BM25 of an OR of clauses is the sum of the clauses'
scores, so the text score is that sum, and the count of matched clauses ranks first.
"""

from __future__ import annotations

from collections.abc import Callable

from whoosh.query import And, Or, Phrase, Query
from whoosh.searching import Searcher

from search.backends.whoosh.parsing import Compiled
from search.backends.whoosh.phrases import phrase_among
from search.query_language import boost, minimum_matches

Scored = Callable[[Query], dict[int, float]]


def scored_by_searcher(searcher: Searcher) -> Scored:
    """Every match of a query with its BM25 score, through Whoosh's own collector."""
    return lambda query: {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}


def relaxed(
    searcher: Searcher, compiled: Compiled, filters: list[Query], scored: Scored
) -> list[tuple[int, float, int]]:
    """(docnum, text score, matched plain clauses) of the documents a relaxed search finds, unordered."""
    plain = [scored(compiled.positive[i]) for i in compiled.relaxable]
    required = [scored(query) for i, query in enumerate(compiled.positive) if i not in compiled.relaxable]
    need = minimum_matches(len(plain))
    excluded = _docs(searcher, Or(compiled.negations)) if compiled.negations else set()
    allowed = _docs(searcher, And(filters)) if filters else None
    counts: dict[int, int] = {}
    totals: dict[int, float] = {}
    for matches in plain:
        for docnum, score in matches.items():
            counts[docnum] = counts.get(docnum, 0) + 1
            totals[docnum] = totals.get(docnum, 0.0) + score
    found = []
    for docnum, count in counts.items():
        if count < need or docnum in excluded or (allowed is not None and docnum not in allowed):
            continue
        if all(docnum in matches for matches in required):
            found.append((docnum, totals[docnum] + sum(matches[docnum] for matches in required), count))
    return found


def boosted(searcher: Searcher, compiled: Compiled, matches: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """(docnum, score x query_language.boost()) for title and phrase matches, in the same order."""
    if not compiled.positive or not matches:
        return matches
    candidates = sorted(docnum for docnum, _score in matches)
    titles = [_among(searcher, query, candidates) for query in compiled.titles if query is not None]
    phrase = _among(searcher, compiled.phrase, candidates) if compiled.phrase is not None else set()
    items = len(compiled.positive)
    return [
        (docnum, boost(score, sum(docnum in docs for docs in titles), items, docnum in phrase))
        for docnum, score in matches
    ]


def _among(searcher: Searcher, query: Query, candidates: list[int]) -> set[int]:
    """Which of the (sorted) candidates match query: its matcher skips to each one; a phrase reads
    its words' positions in the candidates alone (search.backends.whoosh.phrases)."""
    if type(query) is Phrase and query.slop == 1:
        return phrase_among(searcher, query, candidates)
    matcher = query.matcher(searcher, searcher.boolean_context())
    found = set()
    for docnum in candidates:
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
        if matcher.is_active() and matcher.id() == docnum:
            found.add(docnum)
    return found


def _docs(searcher: Searcher, query: Query) -> set[int]:
    return set(searcher.docs_for_query(query))
