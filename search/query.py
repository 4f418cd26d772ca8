"""The query language, parsed once here and compiled by each backend: free text plus filters.

Free text (search.query_language has the details): words, "a phrase", -word or -"a phrase" to
exclude, `or` between two items for either. Items are ANDed; stop words of either backend drop
out, so the same query means the same on Whoosh and PostgreSQL. When all the words find fewer than
three threads the search relaxes to most of them (two thirds, or one of two; phrases and exclusions
are still required), ranks by how many words matched, and says so in a notice. Did-you-mean
(Whoosh only) corrects only words no document holds, and is offered only when it finds more.

Filters: category:<slug> tag:<name> is:solved|unsolved|answered|unanswered author:<username>
status:<open|answered|needs_info|solved|escalated|closed> before:YYYY-MM-DD after:YYYY-MM-DD; for ideas,
status: takes an idea's status (new, under_review, planned, in_progress, shipped, declined, duplicate), which
their documents hold in place of the thread's (search.documents), so one filter serves both kinds.
Unknown filters and broken syntax never fail: they are searched as text and explained in notices.
parse() knows no backend: filters come out as (name, value) pairs, which each backend turns into
its own query (search.backends.whoosh, search.backends.postgres_backend).

Ranking (documented weights, the same on both backends): a text score where the title weighs most
and the accepted answer more than other replies (Whoosh: BM25 over one field holding the title
three times and the accepted answer twice; PostgreSQL: ts_rank_cd with weights title A=1.0,
accepted answer B=0.4, question C=0.2, replies D=0.1), times the boosts of query_language.boost()
(x(1 + 0.5 x share of the items found in the title), x1.5 when the words appear as a phrase);
a relaxed search ranks by matched items first; then for the best CANDIDATES hits:
x1.5 when solved, x(1 + ln(1 + votes) / 4) for helpful votes on the question, and
x1/(1 + age_in_days / 365) for recency (rank() below; PostgreSQL computes the same in SQL).

Articles (published knowledge-base articles, search.documents.article_document) are ranked by their
text score alone, with the same weights (the title as a thread's title; the body, being the answer,
as an accepted answer): a reviewed article has no votes, status or age to weigh. Searching threads
and articles together (kind=all, similar questions) merges the two rankings by a normalised score:
search.service.merged().
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from forum.core.i18n import _
from search.query_language import UNSEARCHABLE, TextQuery, parse_text

MAX_QUERY_CHARS = 300
CANDIDATES = 200
SOLVED_BOOST = 1.5
FILTER = re.compile(r'(?<!\S)(\w+):("[^"]*"|\S+)')
KNOWN_FILTERS = {"category", "tag", "is", "author", "before", "after", "status"}
IS_VALUES = {"solved", "unsolved", "answered", "unanswered"}


@dataclass
class ParsedQuery:
    """Free text plus validated filters: ("category"|"tag"|"author"|"status", str),
    ("solved"|"answered", bool), ("before"|"after", datetime)."""

    text: str
    filters: list[tuple[str, object]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    applied: dict[str, str] = field(default_factory=dict)
    terms: TextQuery = field(default_factory=TextQuery)  # the free text, parsed (query_language)


class Hit(NamedTuple):
    """One ranked thread (a named tuple: a query makes up to CANDIDATES of them, and a frozen
    dataclass took several times longer to build)."""

    thread_id: int
    score: float
    highlight: str
    category: str
    tags: tuple[str, ...]
    status: str
    kind: str = "thread"  # or "idea": ideas share the thread index (search.documents)


class ArticleHit(NamedTuple):
    """One ranked knowledge-base article (search.service re-checks that it is still published)."""

    article_id: int
    score: float
    category: str
    tags: tuple[str, ...]


@dataclass
class ArticleResults:
    """A backend's ranked article hits, best first (at most CANDIDATES); snippets are made by search.service."""

    hits: list[ArticleHit]
    suggestion: str | None = None
    notices: list[str] = field(default_factory=list)


# Filters an article can meet (its category, tags, author and publication date); status:, is:solved and the
# like describe threads, so a query using one finds no article.
ARTICLE_FILTERS = frozenset({"category", "tag", "author", "before", "after"})


def finds_articles(parsed: ParsedQuery) -> bool:
    return all(name in ARTICLE_FILTERS for name, _value in parsed.filters)


def _no_highlights(_thread_ids: list[int]) -> dict[int, str]:
    return {}


@dataclass
class Results:
    """A backend's ranked hits; highlight(ids) makes the snippets of hits it left without one.

    A backend highlights only its first highlight_first hits; search.service asks for none, re-checks
    visibility, then calls highlight() for just the hits the page shows.
    """

    hits: list[Hit]
    total: int
    suggestion: str | None
    notices: list[str]
    highlight: Callable[[list[int]], dict[int, str]] = _no_highlights

    @property
    def facets(self) -> dict[str, dict[str, int]]:
        """Counts of all hits per category, tag and status (search.service counts the visible ones instead)."""
        return facet_counts(self.hits)


def _date(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        return None


def _filter(name: str, value: str, parsed: ParsedQuery) -> tuple[str, object] | None:
    """A validated (name, value) pair, or None after adding a notice that explains why not."""
    value = value.strip('"').lower()
    if name in {"category", "author", "status", "tag"}:
        return name, value
    if name == "is":
        if value not in IS_VALUES:
            parsed.notices.append(_(
                "“is:%(value)s” is not a filter; use is:solved, is:unsolved, is:answered or is:unanswered.", value=value
            ))
            return None
        flag = "solved" if value in {"solved", "unsolved"} else "answered"
        return flag, value in {"solved", "answered"}
    moment = _date(value)
    if moment is None:
        parsed.notices.append(_("“%(name)s:%(value)s” needs a date like 2026-11-01.", name=name, value=value))
        return None
    return name, moment


def parse(raw: str) -> ParsedQuery:
    """Split filters from free text; every problem becomes a notice, never an error."""
    raw = (raw or "").replace("\x00", " ")
    parsed = ParsedQuery(text="")
    if len(raw) > MAX_QUERY_CHARS:
        raw = raw[:MAX_QUERY_CHARS]
        parsed.notices.append(_("Your search was shortened to its first %(most)s characters.", most=MAX_QUERY_CHARS))
    leftovers = []
    for match in FILTER.finditer(raw):
        name, value = match.group(1).lower(), match.group(2)
        if name not in KNOWN_FILTERS:
            parsed.notices.append(_("“%(name)s:” is not a filter, so it was searched as text.", name=name))
            leftovers.append(f"{name} {value}")
            continue
        pair = _filter(name, value, parsed)
        if pair is not None:
            parsed.filters.append(pair)
            parsed.applied[name] = value.strip('"').lower()
    text = FILTER.sub(" ", raw)
    parsed.text = " ".join([text.strip(), *leftovers]).strip()
    if parsed.text.count('"') % 2:
        parsed.text = parsed.text.replace('"', " ")
        parsed.notices.append(_("An unmatched quote was ignored."))
    parsed.terms = parse_text(parsed.text)
    if parsed.terms.unsearchable:
        parsed.notices.append(_(UNSEARCHABLE))
    return parsed


def rank(score: float, *, solved: bool, votes: int | None, created: datetime | None, now: datetime) -> float:
    """The documented ranking formula applied to a backend's text score (see the module docstring)."""
    age_days = max(0.0, (now - created).total_seconds() / 86400) if created else 0.0
    boost = SOLVED_BOOST if solved else 1.0
    return score * boost * (1 + math.log1p(max(0, votes or 0)) / 4) / (1 + age_days / 365)


def facet_counts(hits: list[Hit]) -> dict[str, dict[str, int]]:
    facets: dict[str, dict[str, int]] = {"category": {}, "tag": {}, "status": {}}
    for hit in hits:
        facets["category"][hit.category] = facets["category"].get(hit.category, 0) + 1
        facets["status"][hit.status] = facets["status"].get(hit.status, 0) + 1
        for tag in hit.tags:
            facets["tag"][tag] = facets["tag"].get(tag, 0) + 1
    return facets


# Words every question title has; matching on them alone suggests unrelated threads.
QUESTION_WORDS = frozenset(
    "a an and are as at be but by can cannot can't could did do does doesn't don't for from get gets got has "
    "have help how i i'm if in into is isn't it it's its keep keeps me my no not of on or our please should so "
    "still that the their them then there this to too up us use using was we what when where which who why will "
    "with won't would you your".split()
)


def similar_words(title: str) -> list[str]:
    """The meaningful words of a draft title (no question words, no syntax), for similar-question lookups."""
    cleaned = re.sub(r"[^\w\s']", " ", (title or "")[:MAX_QUERY_CHARS]).lower().split()
    return [word for word in cleaned if word not in QUESTION_WORDS and len(word) > 2]

