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

from whoosh import qparser
from whoosh.index import FileIndex
from whoosh.query import And, DateRange, Every, Query, Term

from forum.core import clock
from search import snippets
from search.backends.base import Unavailable
from search.backends.whoosh import index, reading
from search.query import CANDIDATES, Hit, ParsedQuery, Results, facet_counts, parse, rank, similar_words

log = logging.getLogger(__name__)
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


def _restricted_parser(ix: FileIndex, group, removed: tuple) -> qparser.MultifieldParser:
    parser = qparser.MultifieldParser(TEXT_FIELDS, ix.schema, group=group)
    for plugin in removed:
        parser.remove_plugin_class(plugin)
    return parser


def _text_parser(ix: FileIndex) -> qparser.MultifieldParser:
    """A parser that only knows the public text fields: no field:, wildcards, ranges or boosts."""
    return _restricted_parser(ix, qparser.AndGroup, LOCKED_PLUGINS)


def _text_query(ix: FileIndex, parsed: ParsedQuery) -> Query:
    if not parsed.text:
        return Every()
    try:
        return _text_parser(ix).parse(parsed.text)
    except Exception:  # the parser should not fail, but a search box must never error
        parsed.notices.append("Some of your search syntax was not understood; searched the words instead.")
        words = re.sub(r"[^\w\s]", " ", parsed.text)
        return _text_parser(ix).parse(words)


def _suggestion(searcher, parsed: ParsedQuery, query: Query) -> str | None:
    if not parsed.text:
        return None
    corrected = searcher.correct_query(query, parsed.text, prefix=1)
    return corrected.string if corrected.query != query else None


def search_index(ix: FileIndex, raw: str, highlight_first: int = 20) -> Results:
    """Ranked hits (best first) for a raw query string; callers re-check visibility in the database.

    Only the first highlight_first hits get a snippet (search.snippets), the ones a page shows.
    """
    parsed = parse(raw)
    text_query = _text_query(ix, parsed)
    filters = [_filter_query(name, value) for name, value in parsed.filters]
    query = And([text_query, *filters]) if filters else text_query
    now = clock.now().replace(tzinfo=None)
    words = snippets.query_words(text_query)
    current = reading.snapshot(ix)
    results = current.searcher.search(query, limit=CANDIDATES)
    rows = [(current.row(hit.docnum), hit) for hit in results]
    ranked = sorted(
        ((rank(hit.score, solved=row.get("status") == "solved", votes=row.get("votes"), created=row.get("created"),
               now=now), row, hit) for row, hit in rows),
        key=lambda triple: -triple[0],
    )
    hits = [_hit(row, score, hit if n < highlight_first else None, words) for n, (score, row, hit) in enumerate(ranked)]
    suggestion = _suggestion(current.searcher, parsed, text_query) if len(hits) < 3 else None
    # total counts the ranked candidates (at most CANDIDATES): len(results) would run the query again
    return Results(hits=hits, total=len(hits), suggestion=suggestion, notices=parsed.notices, facets=facet_counts(hits))


def _hit(fields: dict, score: float, hit, words: frozenset[str]) -> Hit:
    """A ranked hit; given the Whoosh hit, it also gets a snippet of the query's words."""
    snippet = ""
    if hit is not None:
        stored = hit.fields()
        snippet = snippets.snippet(stored.get("excerpt") or "", words) or snippets.snippet(
            stored.get("title") or "", words, passages=1
        )
    return Hit(
        thread_id=int(fields["thread_id"]),
        score=score,
        highlight=snippet,
        category=fields.get("category", ""),
        tags=tuple(t for t in (fields.get("tags") or "").split(",") if t),
        status=fields.get("status", ""),
    )


def similar_in_index(ix: FileIndex, title: str, limit: int = 5) -> list[int]:
    """Solved threads whose text shares the most meaningful words with a draft title, best first."""
    words = " ".join(similar_words(title))
    if not words:
        return []
    # Plain words only: a draft title's "and", quotes or brackets are not query syntax.
    parser = _restricted_parser(
        ix, qparser.OrGroup.factory(0.9), (*LOCKED_PLUGINS, qparser.OperatorsPlugin, qparser.PhrasePlugin)
    )
    with ix.searcher() as searcher:
        hits = searcher.search(parser.parse(words), filter=Term("solved", True), limit=limit)
        return [int(hit["thread_id"]) for hit in hits]


class WhooshBackend:
    """The Backend interface over search.backends.whoosh.index (files) and the functions above."""

    name = "whoosh"

    def search(self, raw: str, highlight_first: int = 20) -> Results:
        """Search the live index; a cached searcher that fails is dropped and the search tried once
        more on freshly opened files before the index is reported unreadable."""
        try:
            return search_index(self._live_index(), raw, highlight_first=highlight_first)
        except Unavailable:
            raise
        except Exception as exc:  # a stale or broken cached searcher: start again from the files
            log.warning("cached search index failed (%s); reopening it", exc)
            index.forget()
        try:
            return search_index(self._live_index(), raw, highlight_first=highlight_first)
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

    def similar(self, title: str, limit: int = 5) -> list[int]:
        ix = index.open_index()
        return [] if ix is None else similar_in_index(ix, title, limit=limit)

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
