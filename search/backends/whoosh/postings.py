"""Plain-word queries answered from each term's scored postings, kept per searcher.

Whoosh matches an AND query by walking every term's postings in step, in Python, several calls
per document; on the benchmark corpus (2,000 threads, where most words occur in hundreds of
them) that walk was half of the search API's time, and every query walked the same few
hundred common words again. Here each term's documents and scores are read once per
searcher, with Whoosh's own matcher and scorer (so the scores are exactly Whoosh's BM25), and
kept as two compact arrays; a query that is a term or an AND of terms (the words of a search
box, plus category/tag/status/solved filters) is then an intersection of those arrays.

Everything else (phrases, OR, NOT, date ranges, match-all) goes to Whoosh's own collector.
The cache belongs to one searcher and dies with it: when the index changes, document counts
and lengths change every score, so a refreshed searcher starts empty (search.backends.whoosh.reading).
"""

from __future__ import annotations

from array import array
from collections import OrderedDict

from whoosh.query import And, Query, Term
from whoosh.searching import Searcher

# Postings kept per searcher (12 bytes each: docnum and score; at most 36 MB), least recently used dropped
# first. The benchmark's 200 queries use about 150,000 at 40,000 posts; at 400,000 a common word alone has
# 20,000, and with 500,000 kept the similar-questions bench re-read evicted words on most drafts (p95 200-265
# ms; 41 ms with this budget, for 16 MB more resident memory).
MAX_CACHED_POSTINGS = 3_000_000


class ScoredPostings:
    """Per searcher: term → (docnums, scores), both in docnum order."""

    def __init__(self, searcher: Searcher, budget: int = MAX_CACHED_POSTINGS) -> None:
        self.searcher = searcher
        self.budget = budget
        self.size = 0
        self._terms: OrderedDict[tuple[str, object], tuple[array, array]] = OrderedDict()

    def top(self, query: Query, limit: int) -> list[tuple[int, float]]:
        """(docnum, score) of the best `limit` matches, best first, as searcher.search(query, limit) ranks them.

        Ties go to the lower document number, as in Whoosh's TopCollector.
        """
        terms = leaf_terms(query)
        if terms is None:
            return [(hit.docnum, hit.score) for hit in self.searcher.search(query, limit=limit)]
        postings = sorted((self.postings(term) for term in terms), key=lambda pair: len(pair[0]))
        (ids, scores), others = postings[0], [dict(zip(*pair, strict=True)) for pair in postings[1:]]
        best = sorted(_intersect(ids, scores, others), reverse=True)[:limit]  # C-level tuple order: fastest
        return [(-negated, score) for score, negated in best]

    def postings(self, term: Term) -> tuple[array, array]:
        """The term's matching docnums and scores (cached), read through Whoosh's matcher for that term."""
        key = (term.fieldname, term.text)
        found = self._terms.get(key)
        if found is not None:
            self._terms.move_to_end(key)
            return found
        found = _read(self.searcher, term)
        self._terms[key] = found
        self.size += len(found[0])
        while self.size > self.budget and len(self._terms) > 1:
            _key, (dropped, _scores) = self._terms.popitem(last=False)
            self.size -= len(dropped)
        return found


def leaf_terms(query: Query) -> list[Term] | None:
    """The terms of a Term or a (nested) AND of Terms with no boosts; None for any other query."""
    if type(query) is Term:
        return [query] if query.boost == 1.0 else None
    if type(query) is And and query.boost == 1.0 and query.subqueries:
        terms: list[Term] = []
        for sub in query.subqueries:
            found = leaf_terms(sub)
            if found is None:
                return None
            terms += found
        return _unique(terms)
    return None


def _unique(terms: list[Term]) -> list[Term]:
    """A repeated word matches and scores once (Whoosh's And.normalize drops duplicate subqueries)."""
    seen: dict[tuple[str, object], Term] = {}
    for term in terms:
        seen.setdefault((term.fieldname, term.text), term)
    return list(seen.values())


def _read(searcher: Searcher, term: Term) -> tuple[array, array]:
    """Walk the term's postings once per segment, as Whoosh's collector does, with its scorer."""
    ids, scores = array("i"), array("d")
    context = searcher.context()
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = term.matcher(subsearcher, context)
        while matcher.is_active():
            ids.append(offset + matcher.id())
            scores.append(matcher.score())
            matcher.next()
    return ids, scores


def _intersect(ids: array, scores: array, others: list[dict[int, float]]) -> list[tuple[float, int]]:
    """(summed score, -docnum) of the rarest term's documents that every other term also matches.

    The docnum is negated so that plain tuple order ranks as Whoosh does: best score, then lowest docnum.
    """
    if not others:
        return [(score, -docnum) for docnum, score in zip(ids, scores, strict=True)]
    matches = []
    for docnum, score in zip(ids, scores, strict=True):
        for other in others:
            more = other.get(docnum)
            if more is None:
                break
            score += more
        else:
            matches.append((score, -docnum))
    return matches
