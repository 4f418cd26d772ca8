"""The knowledge base's Whoosh index: published articles, in <data dir>/search/articles.

A second index beside the threads' (not the same one): thread search stays exactly as it was (no
kind field to filter, no article documents in its BM25 statistics or its cached postings), and
the two never share Whoosh's single writer lock. It follows the same discipline
(search.backends.whoosh.index, reliability.md): written only by the worker's jobs, every write
waiting for the lock instead of failing; a rebuild writes a new directory and swaps CURRENT; a
missing or unreadable index is rebuilt from the database. Articles are few (hundreds to a few
thousand), so queries go through Whoosh's own searcher, kept per thread and refreshed when the
index changed, without the threads' postings cache.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import FileIndex
from whoosh.query import And, Or, Term
from whoosh.reading import ReaderClosed
from whoosh.searching import Searcher

from forum.core.i18n import _
from search import documents, similar_scoring
from search.analysis import ANALYZER
from search.backends.whoosh import index, parsing, relaxing
from search.backends.whoosh.schema import TITLE_REPEATS
from search.query import CANDIDATES, ArticleHit, ArticleResults, finds_articles, parse
from search.query_language import RELAX_BELOW, RELAXED_NOTICE

log = logging.getLogger(__name__)
SCHEMA_VERSION = 1
SUBDIRECTORY = "articles"
KEY = "article_id"


def build_schema() -> Schema:
    """One searched field as for threads (the title three times, then the text); "created" is the
    publication date, so before:/after: filter it as they filter a thread's."""
    return Schema(
        article_id=ID(stored=True, unique=True),
        title=STORED,
        body=TEXT(analyzer=ANALYZER, spelling=True),
        tags=KEYWORD(commas=True, lowercase=True, stored=True),
        category=ID(stored=True),
        author=ID,
        created=DATETIME(stored=True),
    )


def whoosh_fields(document: dict) -> dict:
    """The Whoosh fields for a neutral article document (search.documents.article_document)."""
    return {
        KEY: str(document["article_id"]),
        "title": document["title"],
        "body": "\n".join([document["title"]] * TITLE_REPEATS + [document["text"]]),
        "tags": ",".join(document["tags"]),
        "category": document["category"],
        "author": document["author"],
        "created": document["published"],
    }


# ---------------------------------------------------------------- the files


def root() -> Path:
    path = index.root() / SUBDIRECTORY
    path.mkdir(parents=True, exist_ok=True)
    return path


_opened: dict[str, FileIndex] = {}  # per process: live directory path → opened index


def open_index() -> FileIndex | None:
    """The live article index (opened once per process and directory), or None when missing or unreadable."""
    return index.open_live(root(), SCHEMA_VERSION, _opened)


def forget() -> None:
    """Drop this process's opened article index and this thread's searcher of it."""
    _opened.clear()
    _forget_searcher()


def rebuild(progress: Callable[[int], None] | None = None) -> int:
    """Index every published article into a fresh directory, then swap it in. Returns documents written."""
    return index.build_aside(root(), build_schema(), SCHEMA_VERSION,
                             (whoosh_fields(d) for d in documents.all_article_documents()), progress)


def writable_index() -> FileIndex:
    """The live article index for the writer, rebuilding it first when it is missing or broken."""
    forget()  # the writer always re-checks the files
    ix = open_index()
    if ix is None:
        rebuild()
        ix = open_index()
    return ix


def update_article(article_id: int, purge: bool = False) -> None:
    """Write one article's current state in the live index, or remove it when it is not published.

    purge: also rewrite the segments still holding a replaced copy (its author's old name after an erasure),
    as index.purge_thread does for threads.
    """
    document = documents.article_document_for(article_id)
    index.write_document(writable_index(), article_id, whoosh_fields(document) if document else None, key=KEY,
                         purge=purge)


# ---------------------------------------------------------------- reading


_local = threading.local()


def _searcher(ix: FileIndex) -> Searcher:
    """This thread's searcher of ix, refreshed when the index changed (the old one is dropped, not closed:
    refresh() hands its unchanged segment readers to the new one)."""
    cached: tuple[FileIndex, Searcher] | None = getattr(_local, "cached", None)
    if cached is not None and cached[0] is ix:
        searcher = cached[1].refresh()
    else:
        _forget_searcher()
        searcher = ix.searcher()
    _local.cached = (ix, searcher)
    return searcher


def _forget_searcher() -> None:
    cached: tuple[FileIndex, Searcher] | None = getattr(_local, "cached", None)
    _local.cached = None
    if cached is not None:
        try:
            cached[1].close()
        except ReaderClosed:
            pass  # already closed: nothing left to release


def search_articles(ix: FileIndex, raw: str, suggest: bool = True) -> ArticleResults:
    """Ranked published articles for a raw query (BM25 over the one text field), best first; relaxed to
    most of the words as threads are (search.query_language), without the title boost (no title field)."""
    parsed = parse(raw)
    if not finds_articles(parsed) or parsed.terms.unsearchable:
        return ArticleResults([], None, parsed.notices)
    searcher = _searcher(ix)
    compiled = parsing.compile_text(parsed, title_field=None)
    filters = [parsing.filter_query(name, value) for name, value in parsed.filters]
    strict = compiled.strict()
    matches = [(hit.docnum, hit.score) for hit in searcher.search(And([strict, *filters]) if filters else strict,
                                                                  limit=CANDIDATES)]
    if len(matches) < RELAX_BELOW and parsed.terms.can_relax():
        found = relaxing.relaxed(searcher, compiled, filters, relaxing.scored_by_searcher(searcher))
        if len(found) > len(matches):
            found.sort(key=lambda triple: (-triple[2], -triple[1], triple[0]))
            matches = [(docnum, score) for docnum, score, _count in found[:CANDIDATES]]
            parsed.notices.append(_(RELAXED_NOTICE))
    hits = [_hit(searcher.stored_fields(docnum), score) for docnum, score in matches]
    suggestion = None
    if suggest and len(hits) < RELAX_BELOW:
        suggestion = parsing.suggestion(searcher, parsed, raw, len(hits),
                                        lambda corrected: len(search_articles(ix, corrected, suggest=False).hits))
    return ArticleResults(hits, suggestion, parsed.notices)


def _hit(stored: dict, score: float) -> ArticleHit:
    return ArticleHit(article_id=int(stored[KEY]), score=float(score), category=stored.get("category") or "",
                      tags=tuple(tag for tag in (stored.get("tags") or "").split(",") if tag))


def similar_articles(ix: FileIndex, title: str, limit: int = 5, body: str = "") -> list[tuple[int, float]]:
    """(article id, text score) of published articles for a draft, scored as similar threads are
    (search.similar_scoring's words and weights) on the one field an article has (its title three times, its text)."""
    terms = similar_scoring.query_terms(title, body)
    if not terms:
        return []
    searcher = _searcher(ix)
    hits = searcher.search(Or([Term("body", word, boost=weight) for word, weight in terms.items()]), limit=limit)
    return [(int(hit[KEY]), float(hit.score)) for hit in hits]
