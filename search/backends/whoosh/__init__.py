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
from search import snippets
from search.backends.base import Unavailable
from search.backends.whoosh import article_index, index, reading
from search.backends.whoosh.parsing import filter_query as _filter_query
from search.backends.whoosh.parsing import suggestion as _suggestion
from search.backends.whoosh.parsing import text_query as _text_query
from search.backends.whoosh.parsing import words_parser
from search.query import CANDIDATES, ArticleResults, Hit, Results, parse, rank, similar_words

log = logging.getLogger(__name__)
T = TypeVar("T")


def search_index(ix: FileIndex, raw: str, highlight_first: int = 20) -> Results:
    """Ranked hits (best first) for a raw query string; callers re-check visibility in the database.

    Only the first highlight_first hits get a snippet (search.snippets); Results.highlight makes
    the snippets of any others on demand (search.service asks for none, then for the hits it shows).
    """
    parsed = parse(raw)
    current = reading.snapshot(ix)
    text_query = _text_query(current.searcher.schema, parsed)
    filters = [_filter_query(name, value) for name, value in parsed.filters]
    query = And([text_query, *filters]) if filters else text_query
    words = snippets.query_words(text_query)
    ranked = _ranked(current, current.postings.top(query, CANDIDATES), clock.now().replace(tzinfo=None))
    docnums = {}
    hits = []
    for n, (score, docnum) in enumerate(ranked):
        snippet = _snippet(current.searcher, docnum, words) if n < highlight_first else ""
        hit = _hit(current.values, docnum, score, snippet)
        docnums[hit.thread_id] = docnum
        hits.append(hit)
    suggestion = _suggestion(current.searcher, parsed, text_query) if len(hits) < 3 else None

    def highlight(thread_ids: list[int]) -> dict[int, str]:
        try:
            return {i: _snippet(current.searcher, docnums[i], words) for i in thread_ids if i in docnums}
        except Exception as exc:  # the searcher broke since the search: results without snippets, not an error
            log.warning("search snippets failed (%s); reopening the index", exc)
            index.forget()
            return {}

    # total counts the ranked candidates (at most CANDIDATES), not every match
    return Results(hits=hits, total=len(hits), suggestion=suggestion, notices=parsed.notices, highlight=highlight)


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
    )


def _snippet(searcher, docnum: int, words: frozenset[str]) -> str:
    """The excerpt's best passages with the query's words marked, else the title marked."""
    stored = searcher.stored_fields(docnum)
    return snippets.snippet(stored.get("excerpt") or "", words) or snippets.snippet(
        stored.get("title") or "", words, passages=1
    )


def similar_in_index(ix: FileIndex, title: str, limit: int = 5) -> list[tuple[int, float]]:
    """(thread id, text score) of solved threads sharing the most meaningful words with a draft title, best first."""
    words = " ".join(similar_words(title))
    if not words:
        return []
    searcher = reading.snapshot(ix).searcher  # this thread's searcher, as search_index uses
    hits = searcher.search(words_parser(searcher.schema).parse(words), filter=Term("solved", True), limit=limit)
    return [(int(hit["thread_id"]), float(hit.score)) for hit in hits]


class WhooshBackend:
    """The Backend interface over search.backends.whoosh.index (files) and the functions above."""

    name = "whoosh"

    def search(self, raw: str, highlight_first: int = 20) -> Results:
        """Search the live index; a cached searcher that fails is dropped and the search tried once
        more on freshly opened files before the index is reported unreadable."""
        return self._retrying(lambda ix: search_index(ix, raw, highlight_first=highlight_first))

    def similar(self, title: str, limit: int = 5) -> list[int]:
        return [thread_id for thread_id, _score in self.similar_scored(title, limit=limit)]

    def similar_scored(self, title: str, limit: int = 5) -> list[tuple[int, float]]:
        """Like search: on this thread's cached searcher, retried once on fresh files; [] without an index."""
        try:
            return self._retrying(lambda ix: similar_in_index(ix, title, limit=limit))
        except Unavailable:
            return []

    def search_articles(self, raw: str) -> ArticleResults:
        return self._retrying(lambda ix: article_index.search_articles(ix, raw), article_index)

    def similar_articles(self, title: str, limit: int = 5) -> list[tuple[int, float]]:
        try:
            return self._retrying(lambda ix: article_index.similar_articles(ix, title, limit=limit), article_index)
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
