"""Turning the query language (search.query) into Whoosh queries, for the thread and the article index alike.

The parser only knows the public text field "body": no field:, wildcards, ranges or boosts, so a
search box can't reach a field the pages don't show (reliability.md).
"""

from __future__ import annotations

import re

from whoosh import qparser
from whoosh.fields import Schema
from whoosh.query import DateRange, Every, Query, Term

from search.query import ParsedQuery

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


def text_parser(schema: Schema) -> qparser.MultifieldParser:
    """A parser that only knows the public text fields: no field:, wildcards, ranges or boosts."""
    return restricted_parser(schema, qparser.AndGroup, LOCKED_PLUGINS)


def words_parser(schema: Schema) -> qparser.MultifieldParser:
    """Plain words, any of them (more matched words rank higher): a draft title's "and", quotes or
    brackets are not query syntax."""
    return restricted_parser(
        schema, qparser.OrGroup.factory(0.9), (*LOCKED_PLUGINS, qparser.OperatorsPlugin, qparser.PhrasePlugin)
    )


def text_query(schema: Schema, parsed: ParsedQuery) -> Query:
    """The free text as a query; schema: the searcher's (FileIndex.schema reads the TOC file again)."""
    if not parsed.text:
        return Every()
    try:
        return text_parser(schema).parse(parsed.text)
    except Exception:  # the parser should not fail, but a search box must never error
        parsed.notices.append("Some of your search syntax was not understood; searched the words instead.")
        words = re.sub(r"[^\w\s]", " ", parsed.text)
        return text_parser(schema).parse(words)


def suggestion(searcher, parsed: ParsedQuery, query: Query) -> str | None:
    """Did-you-mean: the query with its words corrected from the index's spelling words, if any changed."""
    if not parsed.text:
        return None
    corrected = searcher.correct_query(query, parsed.text, prefix=1)
    return corrected.string if corrected.query != query else None
