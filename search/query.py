"""The query language: free text with stemming and "phrases", plus filters; ranked thread ids out.

Filters: category:<slug> tag:<name> is:solved|unsolved|answered|unanswered author:<username>
status:<open|answered|needs_info|solved|escalated|closed> before:YYYY-MM-DD after:YYYY-MM-DD.
Unknown filters and broken syntax never fail: they are searched as text and explained in notices.

Ranking (documented weights): Whoosh BM25 over one text field that holds the title three times
and the accepted answer twice (so their words weigh more; BM25 saturates repeated words, so
x3 counts about x1.6), then for the best CANDIDATES hits: x1.5 when solved,
x(1 + ln(1 + votes) / 4) for helpful votes on the question, and x1/(1 + age_in_days / 365) for
recency. One searched field instead of three (title, body, accepted) halved matching time.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from whoosh import qparser
from whoosh.index import FileIndex
from whoosh.query import And, DateRange, Every, Query, Term

from search import reading, snippets

MAX_QUERY_CHARS = 300
CANDIDATES = 200
SOLVED_BOOST = 1.5
FILTER = re.compile(r'(?<!\S)(\w+):("[^"]*"|\S+)')
KNOWN_FILTERS = {"category", "tag", "is", "author", "before", "after", "status"}
IS_VALUES = {"solved", "unsolved", "answered", "unanswered"}
TEXT_FIELDS = ["body"]


@dataclass
class ParsedQuery:
    text: str
    filters: list[Query] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    applied: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    thread_id: int
    score: float
    highlight: str
    category: str
    tags: tuple[str, ...]
    status: str


@dataclass
class Results:
    hits: list[Hit]
    total: int
    suggestion: str | None
    notices: list[str]
    facets: dict[str, dict[str, int]]


def _date(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        return None


def _filter_query(name: str, value: str, parsed: ParsedQuery) -> Query | None:
    value = value.strip('"').lower()
    if name in {"category", "author", "status"}:
        return Term(name, value)
    if name == "tag":
        return Term("tags", value)
    if name == "is":
        if value not in IS_VALUES:
            parsed.notices.append(
                f"“is:{value}” is not a filter; use is:solved, is:unsolved, is:answered or is:unanswered."
            )
            return None
        flag = "solved" if value in {"solved", "unsolved"} else "answered"
        return Term(flag, value in {"solved", "answered"})
    moment = _date(value)
    if moment is None:
        parsed.notices.append(f"“{name}:{value}” needs a date like 2026-11-01.")
        return None
    return DateRange("created", None, moment) if name == "before" else DateRange("created", moment, None)


def parse(raw: str) -> ParsedQuery:
    """Split filters from free text; every problem becomes a notice, never an error."""
    raw = (raw or "").replace("\x00", " ")
    parsed = ParsedQuery(text="")
    if len(raw) > MAX_QUERY_CHARS:
        raw = raw[:MAX_QUERY_CHARS]
        parsed.notices.append(f"Your search was shortened to its first {MAX_QUERY_CHARS} characters.")
    leftovers = []
    for match in FILTER.finditer(raw):
        name, value = match.group(1).lower(), match.group(2)
        if name not in KNOWN_FILTERS:
            parsed.notices.append(f"“{name}:” is not a filter, so it was searched as text.")
            leftovers.append(f"{name} {value}")
            continue
        query = _filter_query(name, value, parsed)
        if query is not None:
            parsed.filters.append(query)
            parsed.applied[name] = value.strip('"').lower()
    text = FILTER.sub(" ", raw)
    parsed.text = " ".join([text.strip(), *leftovers]).strip()
    if parsed.text.count('"') % 2:
        parsed.text = parsed.text.replace('"', " ")
        parsed.notices.append("An unmatched quote was ignored.")
    return parsed


def _text_parser(ix: FileIndex) -> qparser.MultifieldParser:
    """A parser that only knows the public text fields: no field:, wildcards, ranges or boosts."""
    return _restricted_parser(ix, qparser.AndGroup, LOCKED_PLUGINS)


LOCKED_PLUGINS = (qparser.FieldsPlugin, qparser.WildcardPlugin, qparser.RangePlugin,
                  qparser.BoostPlugin, qparser.EveryPlugin, qparser.SingleQuotePlugin)


def _restricted_parser(ix: FileIndex, group, removed: tuple) -> qparser.MultifieldParser:
    parser = qparser.MultifieldParser(TEXT_FIELDS, ix.schema, group=group)
    for plugin in removed:
        parser.remove_plugin_class(plugin)
    return parser


def _rank(fields: dict, score: float, now: datetime) -> float:
    votes = max(0, fields.get("votes") or 0)
    created = fields.get("created")
    age_days = max(0.0, (now - created).total_seconds() / 86400) if created else 0.0
    boost = SOLVED_BOOST if fields.get("status") == "solved" else 1.0
    return score * boost * (1 + math.log1p(votes) / 4) / (1 + age_days / 365)


def _text_query(ix: FileIndex, parsed: ParsedQuery) -> Query:
    if not parsed.text:
        return Every()
    try:
        return _text_parser(ix).parse(parsed.text)
    except Exception:  # the parser should not fail, but a search box must never error
        parsed.notices.append("Some of your search syntax was not understood; searched the words instead.")
        words = re.sub(r"[^\w\s]", " ", parsed.text)
        return _text_parser(ix).parse(words)


def _suggestion(searcher, ix: FileIndex, parsed: ParsedQuery, query: Query) -> str | None:
    if not parsed.text:
        return None
    corrected = searcher.correct_query(query, parsed.text, prefix=1)
    return corrected.string if corrected.query != query else None


def facet_counts(hits: list[Hit]) -> dict[str, dict[str, int]]:
    facets: dict[str, dict[str, int]] = {"category": {}, "tag": {}, "status": {}}
    for hit in hits:
        facets["category"][hit.category] = facets["category"].get(hit.category, 0) + 1
        facets["status"][hit.status] = facets["status"].get(hit.status, 0) + 1
        for tag in hit.tags:
            facets["tag"][tag] = facets["tag"].get(tag, 0) + 1
    return facets


def search(ix: FileIndex, raw: str, highlight_first: int = 20) -> Results:
    """Ranked hits (best first) for a raw query string; callers re-check visibility in the database.

    Only the first highlight_first hits get a snippet (search.snippets), the ones a page shows.
    """
    parsed = parse(raw)
    text_query = _text_query(ix, parsed)
    query = And([text_query, *parsed.filters]) if parsed.filters else text_query
    now = datetime.now(UTC).replace(tzinfo=None)
    words = snippets.query_words(text_query)
    current = reading.snapshot(ix)
    results = current.searcher.search(query, limit=CANDIDATES)
    rows = [(current.row(hit.docnum), hit) for hit in results]
    ranked = sorted(((_rank(row, hit.score, now), row, hit) for row, hit in rows), key=lambda triple: -triple[0])
    hits = [_hit(row, score, hit if n < highlight_first else None, words) for n, (score, row, hit) in enumerate(ranked)]
    suggestion = _suggestion(current.searcher, ix, parsed, text_query) if len(hits) < 3 else None
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


# Words every question title has; matching on them alone suggests unrelated threads.
QUESTION_WORDS = frozenset(
    "a an and are as at be but by can cannot can't could did do does doesn't don't for from get gets got has "
    "have help how i i'm if in into is isn't it it's its keep keeps me my no not of on or our please should so "
    "still that the their them then there this to too up us use using was we what when where which who why will "
    "with won't would you your".split()
)


def similar(ix: FileIndex, title: str, limit: int = 5) -> list[int]:
    """Solved threads whose text shares the most meaningful words with a draft title, best first."""
    cleaned = re.sub(r"[^\w\s']", " ", (title or "")[:MAX_QUERY_CHARS]).lower().split()
    words = " ".join(word for word in cleaned if word not in QUESTION_WORDS and len(word) > 2)
    if not words:
        return []
    # Plain words only: a draft title's "and", quotes or brackets are not query syntax.
    parser = _restricted_parser(
        ix, qparser.OrGroup.factory(0.9), (*LOCKED_PLUGINS, qparser.OperatorsPlugin, qparser.PhrasePlugin)
    )
    with ix.searcher() as searcher:
        hits = searcher.search(parser.parse(words), filter=Term("solved", True), limit=limit)
        return [int(hit["thread_id"]) for hit in hits]
