"""The Whoosh backend: an index on this host's disk (search.backends.whoosh.index), queried with a locked-down parser.

Knowledge-base articles live in a second index beside it (search.backends.whoosh.article_index).

Ranking: BM25 over one text field that holds the title three times and the accepted answer twice
(so their words weigh more; BM25 saturates repeated words, so x3 counts about x1.6), then
search.query.rank() for the best CANDIDATES hits. One searched field instead of three (title,
body, accepted) halved matching time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from whoosh.index import FileIndex
from whoosh.query import And, Term

from forum.core import clock
from forum.core.i18n import _
from search import snippets
from search.backends.base import Unavailable
from search.backends.whoosh import article_index, index, reading, relaxing, similar
from search.backends.whoosh.parsing import compile_text
from search.backends.whoosh.parsing import filter_query as _filter_query
from search.backends.whoosh.parsing import suggestion as _suggestion
from search.backends.whoosh.parsing import text_query as _text_query  # noqa: F401  (tests compile with it)
from search.query import CANDIDATES, ArticleResults, Hit, Results, parse, rank
from search.query_language import RELAX_BELOW, RELAXED_NOTICE, minimum_matches

log = logging.getLogger(__name__)
T = TypeVar("T")


def search_index(ix: FileIndex, raw: str, highlight_first: int = 20, suggest: bool = True,
                 kind: str | None = None) -> Results:
    """Ranked hits (best first) for a raw query string; callers re-check visibility in the database.

    All the words first; fewer than RELAX_BELOW hits and most of them (search.query_language), ranked by
    matched words first. Only the first highlight_first hits get a snippet (search.snippets);
    Results.highlight makes the snippets of any others on demand (search.service asks for none, then
    for the hits it shows). suggest: look for a did-you-mean when few hits (not when checking one).
    """
    parsed = parse(raw)
    if parsed.terms.unsearchable:
        return Results(hits=[], total=0, suggestion=None, notices=parsed.notices)
    current = reading.snapshot(ix)
    compiled = compile_text(parsed)
    filters = [_filter_query(name, value) for name, value in parsed.filters]
    if kind is not None:  # threads or ideas alone (they share this index)
        filters.append(Term("kind", kind))
    ranked = _ranked_hits(current, compiled, filters, parsed.notices)
    matching = compiled.matching()
    words = snippets.query_words(matching) if matching is not None else frozenset()
    docnums = {}
    hits = []
    for n, (score, docnum) in enumerate(ranked):
        snippet = _snippet(current.searcher, docnum, words) if n < highlight_first else ""
        hit = _hit(current.values, docnum, score, snippet)
        docnums[hit.thread_id] = docnum
        hits.append(hit)
    suggestion = None
    if suggest and len(hits) < RELAX_BELOW:
        suggestion = _suggestion(current.searcher, parsed, raw, len(hits),
                                 lambda corrected: len(search_index(ix, corrected, 0, suggest=False, kind=kind).hits))

    def highlight(thread_ids: list[int]) -> dict[int, str]:
        try:
            return {i: _snippet(current.searcher, docnums[i], words) for i in thread_ids if i in docnums}
        except Exception as exc:  # the searcher broke since the search: results without snippets, not an error
            log.warning("search snippets failed (%s); reopening the index", exc)
            index.forget()
            return {}

    # total counts the ranked candidates (at most CANDIDATES), not every match
    return Results(hits=hits, total=len(hits), suggestion=suggestion, notices=parsed.notices, highlight=highlight)


def _ranked_hits(current: reading.Snapshot, compiled, filters: list, notices: list[str]) -> list[tuple[float, int]]:
    """(score, docnum), best first: every clause; else, when that finds few, most of them (with a notice)."""
    now = clock.now().replace(tzinfo=None)
    strict = compiled.strict()
    query = And([strict, *filters]) if filters else strict
    matches = current.postings.top(query, CANDIDATES)
    strict_ranked = _ranked(current, relaxing.boosted(current.searcher, compiled, matches), now)
    if len(strict_ranked) >= RELAX_BELOW or not _relaxable(compiled):
        return strict_ranked
    found = relaxing.relaxed(current.searcher, compiled, filters, _scored(current))
    if len(found) <= len(strict_ranked):
        return strict_ranked
    boosted = relaxing.boosted(current.searcher, compiled, [(docnum, score) for docnum, score, _n in found])
    matched = {docnum: count for docnum, _score, count in found}
    ranked = sorted(((matched[docnum], score, docnum) for score, docnum in _ranked(current, boosted, now)),
                    key=lambda triple: (-triple[0], -triple[1]))
    notices.append(_(RELAXED_NOTICE))
    return [(score, docnum) for _count, score, docnum in ranked[:CANDIDATES]]


def _relaxable(compiled) -> bool:
    return minimum_matches(len(compiled.relaxable)) < len(compiled.relaxable)


def _scored(current: reading.Snapshot):
    """A clause's matches and BM25 scores: a word's from the cached postings, others from Whoosh's collector."""
    by_searcher = relaxing.scored_by_searcher(current.searcher)

    def scored(query) -> dict[int, float]:
        if isinstance(query, Term):
            return dict(zip(*current.postings.postings(query), strict=True))
        return by_searcher(query)

    return scored


def _ranked(current: reading.Snapshot, matches: list[tuple[int, float]], now) -> list[tuple[float, int]]:
    """(score, docnum) by search.query.rank(), best first; equal scores keep the text ranking's order."""
    votes, created, status = (current.values[name] for name in ("votes", "created", "status"))
    scored = [
        (rank(score, solved=status[docnum] == "solved", votes=votes[docnum], created=created[docnum], now=now), docnum)
        for docnum, score in matches
    ]
    return sorted(scored, key=lambda pair: -pair[0])


def _hit(values: dict[str, list], docnum: int, score: float, highlight: str) -> Hit:
    tags = values["tags"][docnum]
    return Hit(
        thread_id=int(values["thread_id"][docnum]),
        score=score,
        highlight=highlight,
        category=values["category"][docnum] or "",
        tags=tuple(tag for tag in tags.split(",") if tag) if tags else (),
        status=values["status"][docnum] or "",
        kind=values["kind"][docnum] or "thread",
    )


def _snippet(searcher, docnum: int, words: frozenset[str]) -> str:
    """The excerpt's best passages with the query's words marked, else the title marked."""
    stored = searcher.stored_fields(docnum)
    return snippets.snippet(stored.get("excerpt") or "", words) or snippets.snippet(
        stored.get("title") or "", words, passages=1
    )


class WhooshBackend:
    """The Backend interface over search.backends.whoosh.index (files) and the functions above."""

    name = "whoosh"

    def search(self, raw: str, highlight_first: int = 20, kind: str | None = None) -> Results:
        """Search the live index; a cached searcher that fails is dropped and the search tried once
        more on freshly opened files before the index is reported unreadable."""
        return self._retrying(lambda ix: search_index(ix, raw, highlight_first=highlight_first, kind=kind))

    def similar(self, title: str, limit: int = 5) -> list[int]:
        return [thread_id for thread_id, _score in self.similar_scored(title, limit=limit)]

    def similar_scored(self, title: str, limit: int = 5, body: str = "", min_votes: int = 3,
                       kind: str = "thread") -> list[tuple[int, float]]:
        """Like search: on this thread's cached searcher, retried once on fresh files; [] without an index."""
        try:
            return self._retrying(lambda ix: similar.similar_in_index(ix, title, limit=limit, body=body,
                                                                      min_votes=min_votes, kind=kind))
        except Unavailable:
            return []

    def search_articles(self, raw: str) -> ArticleResults:
        return self._retrying(lambda ix: article_index.search_articles(ix, raw), article_index)

    def similar_articles(self, title: str, limit: int = 5, body: str = "") -> list[tuple[int, float]]:
        try:
            return self._retrying(lambda ix: article_index.similar_articles(ix, title, limit=limit, body=body),
                                  article_index)
        except Unavailable:
            return []

    @staticmethod
    def _retrying(read: Callable[[FileIndex], T], files=index) -> T:
        """read() on the live index of files (index: threads, article_index: articles); a cached searcher
        that fails is dropped and read() tried once more on freshly opened files."""
        try:
            return read(_live_index(files))
        except Unavailable:
            raise
        except Exception as exc:  # a stale or broken cached searcher: start again from the files
            log.warning("cached search index failed (%s); reopening it", exc)
            files.forget()
        try:
            return read(_live_index(files))
        except Unavailable:
            raise
        except Exception as exc:  # damaged files: say so; the worker's ensure_index job rebuilds them
            log.exception("search index unreadable")
            files.forget()
            raise Unavailable("index unreadable") from exc

    def update_thread(self, thread_id: int) -> None:
        index.update_thread(thread_id)

    def purge_thread(self, thread_id: int) -> None:
        index.purge_thread(thread_id)

    def update_article(self, article_id: int, purge: bool = False) -> None:
        article_index.update_article(article_id, purge=purge)

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Both indexes, each built aside and swapped in: threads, then articles."""
        return index.rebuild(progress=progress) + article_index.rebuild(progress=progress)

    def ensure(self) -> None:
        """Rebuild whichever index is missing or unreadable (looking at the files, not this process's copy)."""
        for files in (index, article_index):
            files.forget()
            if files.open_index() is None:
                files.rebuild()

    def document_frequencies(self, words: set[str]) -> tuple[dict[str, int], int]:
        ix = index.open_index()
        if ix is None:
            return {}, 0
        with ix.searcher() as searcher:
            return {word: searcher.doc_frequency("body", word) for word in words}, searcher.doc_count()


def _live_index(files) -> FileIndex:
    ix = files.open_index()
    if ix is None:
        raise Unavailable("no live index")
    return ix


BACKEND = WhooshBackend()
