"""Compiling the query language (search.query, search.query_language) into Whoosh queries, for the thread
and the article index alike.

Each item's text is analysed with search.analysis.ANALYZER, as the index was: one word becomes a Term,
several a Phrase, in the public text field "body" only (the title boost also looks in "title_text",
the thread title alone). No user text ever names a field, a wildcard, a range or a boost, so a
search box can't reach a field the pages don't show (reliability.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from whoosh import qparser
from whoosh.fields import Schema
from whoosh.query import And, DateRange, Every, Not, Or, Phrase, Query, Term

from search.analysis import ANALYZER
from search.query import ParsedQuery
from search.query_language import Item

TEXT_FIELDS = ["body"]
LOCKED_PLUGINS = (qparser.FieldsPlugin, qparser.WildcardPlugin, qparser.RangePlugin,
                  qparser.BoostPlugin, qparser.EveryPlugin, qparser.SingleQuotePlugin)


def filter_query(name: str, value, date_field: str = "created") -> Query:
    """A parsed (name, value) filter as a Whoosh query."""
    if name == "before":
        return DateRange(date_field, None, value)
    if name == "after":
        return DateRange(date_field, value, None)
    return Term("tags" if name == "tag" else name, value)


def restricted_parser(schema: Schema, group, removed: tuple) -> qparser.MultifieldParser:
    parser = qparser.MultifieldParser(TEXT_FIELDS, schema, group=group)
    for plugin in removed:
        parser.remove_plugin_class(plugin)
    return parser


def words_parser(schema: Schema) -> qparser.MultifieldParser:
    """Plain words, any of them (more matched words rank higher): a draft title's "and", quotes or
    brackets are not query syntax (similar questions)."""
    return restricted_parser(
        schema, qparser.OrGroup.factory(0.9), (*LOCKED_PLUGINS, qparser.OperatorsPlugin, qparser.PhrasePlugin)
    )


def item_query(item: Item, fieldname: str = "body") -> Query | None:
    """A word as a Term, several words as a Phrase, in one text field; None when nothing is left."""
    words = [token.text for token in ANALYZER(item.text)]
    if not words:
        return None
    return Term(fieldname, words[0]) if len(words) == 1 else Phrase(fieldname, words)


def clause_query(clause: tuple[Item, ...], fieldname: str = "body") -> Query | None:
    queries = [query for query in (item_query(item, fieldname) for item in clause) if query is not None]
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else Or(queries)


@dataclass
class Compiled:
    """A parsed query's text as Whoosh queries: positive clauses (each also on the title field, for the
    title boost), which of them a relaxed search may drop, the exclusions, and the phrase-boost query."""

    positive: list[Query]
    titles: list[Query]
    relaxable: list[int]
    negations: list[Query]
    phrase: Query | None

    def strict(self) -> Query:
        """Every positive clause and no exclusion; everything when the text is empty."""
        excluded = [Not(query) for query in self.negations]
        if not self.positive:
            return And([Every(), *excluded]) if excluded else Every()
        parts = [*self.positive, *excluded]
        return parts[0] if len(parts) == 1 else And(parts)

    def matching(self) -> Query | None:
        """The positive clauses alone (the words snippets mark), or None."""
        if not self.positive:
            return None
        return self.positive[0] if len(self.positive) == 1 else And(self.positive)


def compile_text(parsed: ParsedQuery, title_field: str | None = "title_text") -> Compiled:
    terms = parsed.terms
    positive, titles, relaxable = [], [], []
    relaxable_clauses = terms.relaxable
    for clause in terms.positive:
        query = clause_query(clause)
        if query is None:
            continue
        if clause in relaxable_clauses:
            relaxable.append(len(positive))
        positive.append(query)
        titles.append(clause_query(clause, title_field) if title_field else None)
    negations = [query for query in (item_query(item) for item in terms.negations) if query is not None]
    phrase_text = terms.phrase_text()
    phrase = item_query(Item(phrase_text, (phrase_text,), phrase=True)) if phrase_text else None
    return Compiled(positive, titles, relaxable, negations, phrase)


def text_query(schema: Schema, parsed: ParsedQuery) -> Query:
    """The free text as a strict query (schema kept for callers that pass the searcher's)."""
    return compile_text(parsed).strict()


def suggestion(searcher, parsed: ParsedQuery, raw: str, found: int, count: Callable[[str], int]) -> str | None:
    """Did-you-mean: raw with its unknown words (in no document) corrected from the index's spelling
    words, offered only when the corrected query finds more than the found hits (count() runs it)."""
    corrected = raw
    corrector = None
    for clause in parsed.terms.positive:
        for item in clause:
            for word in item.words:
                stems = [token.text for token in ANALYZER(word)]
                if not stems or searcher.doc_frequency("body", stems[0]):
                    continue
                corrector = corrector or searcher.corrector("body")
                better = corrector.suggest(word, limit=1, prefix=1)
                if better and better[0] != word:
                    corrected = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", better[0], corrected, flags=re.IGNORECASE)
    if corrected == raw or count(corrected) <= found:
        return None
    return corrected
