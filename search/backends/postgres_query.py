"""Compiling the query language (search.query_language) into PostgreSQL tsquery expressions.

Each item becomes plainto_tsquery (one word) or phraseto_tsquery (several) over its own text, a bound
parameter: no user text is ever written into SQL, and neither function raises on odd input. Clauses
combine with tsquery_and / tsquery_or / tsquery_not (the functions behind && || !!). The 'english'
configuration stems each word as the stored tsvectors were.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

from sqlalchemy import Boolean, Integer, Text, case, func, literal, literal_column

from search.query_language import PHRASE_BOOST, TITLE_BOOST, Item, TextQuery

CONFIG = literal_column("'english'::regconfig")
TITLE_WEIGHT = literal_column("""'{a}'::"char"[]""")  # the title's lexemes (weight A) of a tsvector


def item_tsquery(item: Item):
    function = func.phraseto_tsquery if item.is_phrase else func.plainto_tsquery
    return function(CONFIG, literal(item.text, Text))


def _all(queries: list):
    return reduce(func.tsquery_and, queries)


def _any(queries: list):
    return reduce(func.tsquery_or, queries)


@dataclass
class CompiledTs:
    """The parsed text as tsquery expressions: positive clauses, which a relaxed search may drop, exclusions."""

    positive: list
    relaxable: list[int]
    negations: list
    phrase: object | None

    def strict(self):
        """Every positive clause and no exclusion; None (no text condition) when there is no item."""
        parts = [*self.positive, *(func.tsquery_not(query) for query in self.negations)]
        return _all(parts) if parts else None

    def relaxed(self):
        """The required clauses, no exclusion, and any plain clause (matched() then counts them)."""
        required = [query for i, query in enumerate(self.positive) if i not in self.relaxable]
        plain = _any([self.positive[i] for i in self.relaxable])
        return _all([*required, plain, *(func.tsquery_not(query) for query in self.negations)])

    def ranking(self):
        """Any positive clause: what ts_rank_cd scores and ts_headline marks (None without one)."""
        return _any(self.positive) if self.positive else None

    def matched(self, document):
        """How many plain clauses a tsvector matches."""
        return sum(
            (case((document.op("@@", return_type=Boolean)(self.positive[i]), 1), else_=0) for i in self.relaxable),
            literal(0, Integer),
        )

    def boost(self, document):
        """query_language.boost() in SQL: the title share (weight A lexemes) and the phrase."""
        if not self.positive:
            return literal(1.0)
        title = func.ts_filter(document, TITLE_WEIGHT)
        in_title = sum(
            (case((title.op("@@", return_type=Boolean)(query), 1.0), else_=0.0) for query in self.positive),
            literal(0.0),
        )
        factor = 1 + TITLE_BOOST * in_title / len(self.positive)
        if self.phrase is None:
            return factor
        return factor * case((document.op("@@", return_type=Boolean)(self.phrase), PHRASE_BOOST), else_=1.0)


def compile_text(terms: TextQuery) -> CompiledTs:
    relaxable_clauses = terms.relaxable
    positive, relaxable = [], []
    for clause in terms.positive:
        if clause in relaxable_clauses:
            relaxable.append(len(positive))
        positive.append(_any([item_tsquery(item) for item in clause]))
    phrase_text = terms.phrase_text()
    phrase = item_tsquery(Item(phrase_text, (phrase_text,), phrase=True)) if phrase_text else None
    return CompiledTs(positive, relaxable, [item_tsquery(item) for item in terms.negations], phrase)
