"""The PostgreSQL backend: full-text search over the search_documents table (search.models).

Writing (worker only): one row per searchable thread, its tsvector built in SQL with the
'english' configuration (stemming, stop words) and weights title A, accepted answer B,
question C, replies D; a GIN index answers @@. Reading: the query language compiled to a tsquery
(search.backends.postgres_query: bound plainto/phraseto_tsquery per item, never raising on odd
input), relaxed to most words when all find few (search.query_language), ranked in SQL with
ts_rank_cd, the title/phrase boosts (the title's lexemes are the tsvector's weight A: ts_filter)
and the documented formula of search.query over at most CANDIDATES rows, snippets from ts_headline.

ts_headline's output is never trusted as HTML: it marks matches with private-use sentinel
characters (stripped from the text when it is written), and the result is escaped before the
sentinels become <mark> tags, so a snippet holds exactly the markup search.snippets makes.
Did-you-mean suggestions are Whoosh-only: this backend returns None. Knowledge-base articles are
searched in the article table itself (search.backends.postgres_articles), so nothing is written for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from html import escape

from sqlalchemy import Boolean, Text, and_, bindparam, case, delete, func, literal, literal_column, select, text
from sqlalchemy.dialects.postgresql import insert

from forum.core import clock
from forum.core.extensions import db
from forum.core.i18n import _
from search import documents
from search.backends import postgres_articles, postgres_similar, postgres_terms
from search.backends.postgres_query import CompiledTs, compile_text
from search.models import SearchDocument
from search.query import (
    CANDIDATES,
    SOLVED_BOOST,
    ArticleResults,
    Hit,
    ParsedQuery,
    Results,
    parse,
)
from search.query_language import RELAX_BELOW, RELAXED_NOTICE, minimum_matches
from search.snippets import SEPARATOR

CONFIG = literal_column("'english'::regconfig")
# ts_rank_cd weights in {D, C, B, A} order: replies, question, accepted answer, title.
WEIGHTS = literal_column("'{0.1, 0.2, 0.4, 1.0}'::float4[]")
START, STOP, GAP = "\ue000", "\ue001", "\ue002"
SENTINELS = str.maketrans("", "", START + STOP + GAP)
HEADLINE_OPTIONS = f'StartSel="{START}", StopSel="{STOP}", FragmentDelimiter="{GAP}", ' \
                   "MaxFragments=2, MaxWords=35, MinWords=15"
TITLE_OPTIONS = f'StartSel="{START}", StopSel="{STOP}", HighlightAll=true'
WRITE_BATCH = 500


# ---------------------------------------------------------------- writing (worker only)


_COLUMNS = ("thread_id", "title", "excerpt", "category", "tags", "author", "status", "kind", "solved", "answered",
            "votes", "staff_answered", "best_reply_votes", "created", "last_activity")


def _row(document: dict) -> dict:
    """Bound values (v_<name>) for a neutral document; the text parts go to SQL to become the tsvector."""
    values = {name: document[name] for name in _COLUMNS if name not in {"title", "excerpt", "tags", "kind"}}
    values.update(
        title=document["title"].translate(SENTINELS),
        excerpt=documents.excerpt(document).translate(SENTINELS),
        tags=",".join(tag.lower() for tag in document["tags"]),
        kind=document.get("kind", "thread"),
        question=document["question"], accepted=document["accepted"], replies=document["replies"],
    )
    return {f"v_{name}": value for name, value in values.items()}


def _weighted(part: str, weight: str):
    return func.setweight(func.to_tsvector(CONFIG, bindparam(f"v_{part}", type_=Text)), literal_column(f"'{weight}'"))


def _upsert():
    """INSERT .. ON CONFLICT UPDATE, run once per batch as an executemany over _row() values."""
    document = (_weighted("title", "A").op("||")(_weighted("accepted", "B"))
                .op("||")(_weighted("question", "C")).op("||")(_weighted("replies", "D")))
    values = {name: bindparam(f"v_{name}", type_=SearchDocument.__table__.c[name].type) for name in _COLUMNS}
    asked = _weighted("title", "A").op("||")(_weighted("question", "C"))
    statement = insert(SearchDocument).values(**values, document=document, question_document=asked,
                                              title_document=_weighted("title", "A"))
    vectors = ("document", "question_document", "title_document")
    return statement.on_conflict_do_update(
        index_elements=[SearchDocument.thread_id],
        set_={name: statement.excluded[name] for name in (*_COLUMNS[1:], *vectors)},
    )


def _write(rows: list[dict]) -> None:
    if rows:
        db.session.execute(_upsert(), rows)
        postgres_similar.store_lengths([row["v_thread_id"] for row in rows])


def update_thread(thread_id: int) -> None:
    """Write one thread's current state, or delete its row when it is no longer searchable."""
    document = documents.document_for(thread_id)
    if document is None:
        db.session.execute(delete(SearchDocument).where(SearchDocument.thread_id == thread_id))
    else:
        _write([_row(document)])


def rebuild(progress: Callable[[int], None] | None = None) -> int:
    """Replace every row in one transaction: readers keep seeing the old rows until it commits."""
    report = progress or (lambda _n: None)
    db.session.execute(delete(SearchDocument))
    written = 0
    for batch in _batches(documents.all_documents(), WRITE_BATCH):
        _write([_row(document) for document in batch])
        written += len(batch)
        report(len(batch))
    postgres_terms.count()
    db.session.commit()
    return written


def _batches(items: Iterable[dict], size: int) -> Iterable[list[dict]]:
    batch: list[dict] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# ---------------------------------------------------------------- reading


def _filter_clause(name: str, value):
    if name == "tag":
        return literal(value).op("=")(func.any(func.string_to_array(SearchDocument.tags, ",")))
    if name == "before":
        return SearchDocument.created <= value
    if name == "after":
        return SearchDocument.created >= value
    return getattr(SearchDocument, name) == value


def _score(compiled: CompiledTs, now: datetime):
    """search.query's ranking formula in SQL: text score x title/phrase boosts x solved x votes / age."""
    tsquery = compiled.ranking()
    if tsquery is None:
        base = literal(1.0)
    else:
        base = func.ts_rank_cd(WEIGHTS, SearchDocument.document, tsquery) * compiled.boost(SearchDocument.document)
    age_days = func.greatest(0, func.extract("epoch", literal(now) - SearchDocument.created) / 86400)
    return (base * case((SearchDocument.solved, SOLVED_BOOST), else_=1.0)
            * (1 + func.ln(1 + func.greatest(SearchDocument.votes, 0)) / 4) / (1 + age_days / 365))


def _candidates(parsed: ParsedQuery, compiled: CompiledTs, now: datetime, relaxed: bool = False,
                kind: str | None = None) -> list:
    """The best CANDIDATES rows: matching every clause, or (relaxed) most plain ones, ranked by how many first;
    of one kind ("thread" or "idea": they share the table) or, with None, both."""
    score = _score(compiled, now).label("score")
    conditions = [_filter_clause(name, value) for name, value in parsed.filters]
    if kind is not None:
        conditions.append(SearchDocument.kind == kind)
    tsquery = compiled.relaxed() if relaxed else compiled.strict()
    if tsquery is not None:
        conditions.append(SearchDocument.document.op("@@", return_type=Boolean)(tsquery))
    order = [score.desc(), SearchDocument.thread_id.desc()]
    if relaxed:
        matched = compiled.matched(SearchDocument.document)
        conditions.append(matched >= minimum_matches(len(compiled.relaxable)))
        order.insert(0, matched.desc())
    statement = (
        select(SearchDocument.thread_id, SearchDocument.category, SearchDocument.tags, SearchDocument.status,
               SearchDocument.kind, score)
        .where(and_(True, *conditions))
        .order_by(*order)
        .limit(CANDIDATES)
    )
    return list(db.session.execute(statement))


def _marked(headline: str | None) -> str:
    """Escape ts_headline's text first, then turn its sentinels into the snippet markup."""
    if not headline or START not in headline:
        return ""
    html = escape(" ".join(headline.split()))
    return html.replace(START, "<mark>").replace(STOP, "</mark>").replace(GAP, SEPARATOR)


def _highlights(thread_ids: list[int], tsquery) -> dict[int, str]:
    """Snippets for the hits a page shows: the excerpt's best passages, else the title marked."""
    if not thread_ids or tsquery is None:
        return {}
    rows = db.session.execute(
        select(
            SearchDocument.thread_id,
            func.ts_headline(CONFIG, SearchDocument.excerpt, tsquery, HEADLINE_OPTIONS),
            func.ts_headline(CONFIG, SearchDocument.title, tsquery, TITLE_OPTIONS),
        ).where(SearchDocument.thread_id.in_(thread_ids))
    )
    return {thread_id: _marked(excerpt) or _marked(title) for thread_id, excerpt, title in rows}


def search(raw: str, highlight_first: int = 20, kind: str | None = None) -> Results:
    """Ranked hits for a raw query: every clause, else (fewer than RELAX_BELOW) most words, with a notice;
    kind: "thread" or "idea" alone, None for both."""
    parsed = parse(raw)
    if parsed.terms.unsearchable:
        return Results(hits=[], total=0, suggestion=None, notices=parsed.notices)
    compiled = compile_text(parsed.terms)
    now = clock.now().replace(tzinfo=None)
    rows = _candidates(parsed, compiled, now, kind=kind)
    if len(rows) < RELAX_BELOW and parsed.terms.can_relax():
        relaxed = _candidates(parsed, compiled, now, relaxed=True, kind=kind)
        if len(relaxed) > len(rows):
            rows = relaxed
            parsed.notices.append(_(RELAXED_NOTICE))
    tsquery = compiled.ranking()
    highlights = _highlights([row.thread_id for row in rows[:highlight_first]], tsquery)
    hits = [
        Hit(thread_id=row.thread_id, score=float(row.score), highlight=highlights.get(row.thread_id, ""),
            category=row.category, tags=tuple(t for t in (row.tags or "").split(",") if t), status=row.status,
            kind=row.kind or "thread")
        for row in rows
    ]
    return Results(hits=hits, total=len(hits), suggestion=None, notices=parsed.notices,
                   highlight=lambda thread_ids: _highlights(thread_ids, tsquery))


def document_frequencies(words: set[str]) -> tuple[dict[str, int], int]:
    """Per word, how many documents match it (one GIN lookup each, in one statement), and the total."""
    total = db.session.scalar(select(func.count()).select_from(SearchDocument)) or 0
    if not words or not total:
        return {}, total
    rows = db.session.execute(
        text(
            "SELECT w, (SELECT count(*) FROM search_documents d"
            " WHERE d.document @@ plainto_tsquery('english'::regconfig, w)) FROM unnest(CAST(:words AS text[])) AS w"
        ),
        {"words": sorted(words)},
    )
    return dict(rows.all()), total


class PostgresBackend:
    """The Backend interface over the functions above."""

    name = "postgres"

    def search(self, raw: str, highlight_first: int = 20, kind: str | None = None) -> Results:
        return search(raw, highlight_first=highlight_first, kind=kind)

    def similar(self, title: str, limit: int = 5) -> list[int]:
        return [thread_id for thread_id, _score in self.similar_scored(title, limit=limit)]

    def similar_scored(self, title: str, limit: int = 5, body: str = "", min_votes: int = 3,
                       kind: str = "thread") -> list[tuple[int, float]]:
        return postgres_similar.similar(title, limit=limit, body=body, min_votes=min_votes, kind=kind)

    def search_articles(self, raw: str) -> ArticleResults:
        return postgres_articles.search_articles(raw)

    def similar_articles(self, title: str, limit: int = 5, body: str = "") -> list[tuple[int, float]]:
        return postgres_articles.similar_articles(title, limit=limit, body=body)

    def update_article(self, article_id: int, purge: bool = False) -> None:
        """Nothing to write: articles are searched in the article table, always current."""

    def update_thread(self, thread_id: int) -> None:
        update_thread(thread_id)

    def purge_thread(self, thread_id: int) -> None:
        """The row is the only copy (title, excerpt, tsvector): overwriting it leaves none readable.

        The replaced row version stays in the table file until autovacuum reclaims it, as for every
        UPDATE in the database; no query can read it.
        """
        update_thread(thread_id)

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """The threads' rows; articles are read from their own table, so a rebuild cannot lose them."""
        return rebuild(progress=progress)

    def ensure(self) -> None:
        """An empty table while threads exist (a fresh migration on old data) is filled; the document
        frequencies are counted again when they drifted (search.backends.postgres_terms)."""
        empty = db.session.scalar(select(SearchDocument.thread_id).limit(1)) is None
        if empty and documents.count_searchable():
            rebuild()
        else:
            postgres_terms.ensure_fresh()

    def document_frequencies(self, words: set[str]) -> tuple[dict[str, int], int]:
        return document_frequencies(words)


BACKEND = PostgresBackend()
