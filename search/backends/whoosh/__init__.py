"""The Whoosh backend: an index on this host's disk (search.backends.whoosh.index), queried with a locked-down parser.

Ranking: BM25 over one text field that holds the title three times and the accepted answer twice
(so their words weigh more; BM25 saturates repeated words, so x3 counts about x1.6), then
search.query.rank() for the best CANDIDATES hits. One searched field instead of three (title,
body, accepted) halved matching time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TypeVar

from whoosh import qparser
from whoosh.fields import Schema
from whoosh.index import FileIndex
from whoosh.query import And, DateRange, Every, Query, Term

from forum.core import clock
from search import snippets
from search.backends.base import Unavailable
from search.backends.whoosh import index, reading
from search.query import CANDIDATES, Hit, ParsedQuery, Results, parse, rank, similar_words

log = logging.getLogger(__name__)
T = TypeVar("T")
TEXT_FIELDS = ["body"]
LOCKED_PLUGINS = (qparser.FieldsPlugin, qparser.WildcardPlugin, qparser.RangePlugin,
                  qparser.BoostPlugin, qparser.EveryPlugin, qparser.SingleQuotePlugin)


def _filter_query(name: str, value) -> Query:
    """A parsed (name, value) filter as a Whoosh query."""
    if name == "before":
        return DateRange("created", None, value)
    if name == "after":
        return DateRange("created", value, None)
    return Term("tags" if name == "tag" else name, value)


def _restricted_parser(schema: Schema, group, removed: tuple) -> qparser.MultifieldParser:
    parser = qparser.MultifieldParser(TEXT_FIELDS, schema, group=group)
    for plugin in removed:
        parser.remove_plugin_class(plugin)
    return parser


def _text_parser(schema: Schema) -> qparser.MultifieldParser:
    """A parser that only knows the public text fields: no field:, wildcards, ranges or boosts."""
    return _restricted_parser(schema, qparser.AndGroup, LOCKED_PLUGINS)


def _text_query(schema: Schema, parsed: ParsedQuery) -> Query:
    """The free text as a query; schema: the searcher's (FileIndex.schema reads the TOC file again)."""
    if not parsed.text:
        return Every()
    try:
        return _text_parser(schema).parse(parsed.text)
    except Exception:  # the parser should not fail, but a search box must never error
        parsed.notices.append("Some of your search syntax was not understood; searched the words instead.")
        words = re.sub(r"[^\w\s]", " ", parsed.text)
        return _text_parser(schema).parse(words)


def _suggestion(searcher, parsed: ParsedQuery, query: Query) -> str | None:
    if not parsed.text:
        return None
    corrected = searcher.correct_query(query, parsed.text, prefix=1)
    return corrected.string if corrected.query != query else None


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


def similar_in_index(ix: FileIndex, title: str, limit: int = 5) -> list[int]:
    """Solved threads whose text shares the most meaningful words with a draft title, best first."""
    words = " ".join(similar_words(title))
    if not words:
        return []
    # Plain words only: a draft title's "and", quotes or brackets are not query syntax.
    searcher = reading.snapshot(ix).searcher  # this thread's searcher, as search_index uses
    parser = _restricted_parser(
        searcher.schema, qparser.OrGroup.factory(0.9), (*LOCKED_PLUGINS, qparser.OperatorsPlugin, qparser.PhrasePlugin)
    )
    hits = searcher.search(parser.parse(words), filter=Term("solved", True), limit=limit)
    return [int(hit["thread_id"]) for hit in hits]


class WhooshBackend:
    """The Backend interface over search.backends.whoosh.index (files) and the functions above."""

    name = "whoosh"

    def search(self, raw: str, highlight_first: int = 20) -> Results:
        """Search the live index; a cached searcher that fails is dropped and the search tried once
        more on freshly opened files before the index is reported unreadable."""
        return self._retrying(lambda ix: search_index(ix, raw, highlight_first=highlight_first))

    def similar(self, title: str, limit: int = 5) -> list[int]:
        """Like search: on this thread's cached searcher, retried once on fresh files; [] without an index."""
        try:
            return self._retrying(lambda ix: similar_in_index(ix, title, limit=limit))
        except Unavailable:
            return []

    @classmethod
    def _retrying(cls, read: Callable[[FileIndex], T]) -> T:
        try:
            return read(cls._live_index())
        except Unavailable:
            raise
        except Exception as exc:  # a stale or broken cached searcher: start again from the files
            log.warning("cached search index failed (%s); reopening it", exc)
            index.forget()
        try:
            return read(cls._live_index())
        except Unavailable:
            raise
        except Exception as exc:  # damaged files: say so; the worker's ensure_index job rebuilds them
            log.exception("search index unreadable")
            index.forget()
            raise Unavailable("index unreadable") from exc

    @staticmethod
    def _live_index():
        ix = index.open_index()
        if ix is None:
            raise Unavailable("no live index")
        return ix

    def update_thread(self, thread_id: int) -> None:
        index.update_thread(thread_id)

    def purge_thread(self, thread_id: int) -> None:
        index.purge_thread(thread_id)

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        return index.rebuild(progress=progress)

    def ensure(self) -> None:
        index.forget()  # look at the files again, not at this process's opened copy
        if index.open_index() is None:
            index.rebuild()

    def document_frequencies(self, words: set[str]) -> tuple[dict[str, int], int]:
        ix = index.open_index()
        if ix is None:
            return {}, 0
        with ix.searcher() as searcher:
            return {word: searcher.doc_frequency("body", word) for word in words}, searcher.doc_count()


BACKEND = WhooshBackend()
