"""Similar questions on the Whoosh backend: BM25 on the title field plus the whole-thread field
(search.similar_scoring says why), over the threads worth suggesting.

Worth suggesting, as the index knows it: solved, or answered by staff, or with a reply holding at
least min_votes helpful votes. search.similar re-checks all of it in the database (the index lags).
Ideas share the index (kind "idea") and are never suggested for a question; similar ideas (kind="idea",
search.similar_ideas) take any idea still open or shipped, with no such bar: a member about to post one
should vote for it instead, answered or not.
"""

from __future__ import annotations

import heapq
import threading

from whoosh.index import FileIndex
from whoosh.query import And, AndNot, NumericRange, Or, Query, Term
from whoosh.searching import Searcher

from search import similar_scoring
from search.backends.whoosh import reading

_local = threading.local()


# Ideas with these statuses are never offered: declined (not happening) or merged into another.
UNSUGGESTED_IDEA_STATUSES = ("declined", "duplicate")


def eligible(min_votes: int, kind: str = "thread") -> Query:
    if kind == "idea":
        return AndNot(Term("kind", "idea"), Or([Term("status", status) for status in UNSUGGESTED_IDEA_STATUSES]))
    return And([Term("kind", "thread"), Or([Term("solved", True), Term("staff_answered", True),
                                            NumericRange("best_reply_votes", max(1, min_votes), None)])])


def _eligible_docs(searcher: Searcher, min_votes: int, kind: str) -> set[int]:
    """The docnums worth suggesting, kept while this thread's searcher is unchanged (reading.snapshot reuses it
    until the index changes): read from the postings on every question, they cost more than the ranking."""
    cached = getattr(_local, "eligible", None)
    if cached is not None and cached[0] is searcher and cached[1] == (min_votes, kind):
        return cached[2]
    docs = set(eligible(min_votes, kind).docs(searcher))
    _local.eligible = (searcher, (min_votes, kind), docs)
    return docs


def similar_in_index(ix: FileIndex, title: str, limit: int = 5, body: str = "",
                     min_votes: int = 3, kind: str = "thread") -> list[tuple[int, float]]:
    """(thread id, text score) of the threads worth suggesting that share the most weight of a draft's words.

    The sum of each word's BM25 on each field, times the word's and the field's weights: what Whoosh's
    searcher gives an OR of boosted terms, added up here from the snapshot's cached scored postings
    (search.backends.whoosh.postings: each word's documents and scores read once per searcher).
    """
    terms = similar_scoring.query_terms(title, body)
    if not terms:
        return []
    current = reading.snapshot(ix)  # this thread's searcher, as search_index uses
    eligible_docs = _eligible_docs(current.searcher, min_votes, kind)
    fields = (("title_text", similar_scoring.TITLE_WEIGHT), ("body", 1.0))
    totals: dict[int, float] = {}
    for word, weight in terms.items():
        for field, field_weight in fields:
            if not field_weight:
                continue
            docnums, scores = current.postings.postings(Term(field, word))
            for docnum, score in zip(docnums, scores, strict=True):
                if docnum in eligible_docs:
                    totals[docnum] = totals.get(docnum, 0.0) + score * weight * field_weight
    best = heapq.nsmallest(limit, ((-score, docnum) for docnum, score in totals.items()))  # ties: lower docnum
    thread_ids = current.values["thread_id"]
    return [(int(thread_ids[docnum]), -negated) for negated, docnum in best]
