"""Knowledge-base articles on the PostgreSQL backend: matched in the article table itself.

No table of article documents: each search computes the weighted tsvector of the published
articles it may match (title weight A, as a thread's title; the body weight B, as a thread's
accepted answer, since an article's body is the answer), once per article in a MATERIALIZED CTE,
then ranks the matches with ts_rank_cd and the same weights as threads (search.backends.
postgres_backend). Why: articles are few (hundreds to a few thousand, where threads are tens of
thousands), this needs no migration, and the results are never stale (search.index_article has
nothing to write here, and a rebuild nothing to lose). The cost grows with the published text:
about 0.07 ms per KB of article HTML per search (2,000 articles of 5 KB: 0.7 s), so a knowledge
base of thousands of long articles wants a stored tsvector with a GIN index instead, written by
search.index_article as search_documents is for threads.

The text comes from the sanitized body_html: PostgreSQL's default parser reads HTML tags and
entities as tokens of their own, which the 'english' configuration leaves out, so only the visible
words are matched. Snippets are made by search.service from the article's visible text (as on Whoosh).
Filters: category:, tag:, author: and before:/after: (the publication date); a thread-only filter
(status:, is:) matches no article (search.query.finds_articles).
"""

from __future__ import annotations

import re

from sqlalchemy import Boolean, and_, func, literal, literal_column, select

from forum.core.extensions import db
from forum.core.i18n import _
from forum.models import Article, ArticleStatus, Category, Tag, User, article_tag
from search.backends.postgres_query import CompiledTs, compile_text
from search.query import CANDIDATES, ArticleHit, ArticleResults, ParsedQuery, finds_articles, parse
from search.query_language import RELAX_BELOW, RELAXED_NOTICE, minimum_matches
from search.similar_scoring import MAX_BODY_QUERY_CHARS, MAX_TITLE_CHARS

CONFIG = literal_column("'english'::regconfig")
WEIGHTS = literal_column("'{0.1, 0.2, 0.4, 1.0}'::float4[]")  # D, C, B, A: as for threads
MAX_BODY_CHARS = 200_000  # as search.documents.MAX_BODY_CHARS


def _weighted(text, weight: str):
    return func.setweight(func.to_tsvector(CONFIG, text), literal_column(f"'{weight}'"))


def _vector():
    body = func.left(Article.body_html, MAX_BODY_CHARS)
    return _weighted(Article.title, "A").op("||")(_weighted(body, "B"))


def _filter_clause(name: str, value):
    if name == "category":
        return Article.category_id.in_(select(Category.id).where(Category.slug == value))
    if name == "tag":
        tagged = select(article_tag.c.article_id).join(Tag, Tag.id == article_tag.c.tag_id).where(Tag.name == value)
        return Article.id.in_(tagged)
    if name == "author":
        return Article.author_id.in_(select(User.id).where(User.username_key == value))
    published = func.coalesce(Article.published_at, Article.updated_at)
    return published <= value if name == "before" else published >= value


def _documents(conditions: list, with_vector: bool):
    """Published articles meeting the filters, each with its tsvector computed once (MATERIALIZED)."""
    columns = [Article.id.label("id"), Category.slug.label("category")]
    if with_vector:
        columns.append(_vector().label("document"))
    statement = (
        select(*columns).join(Category, Category.id == Article.category_id)
        .where(Article.status == ArticleStatus.PUBLISHED.value, *conditions)
    )
    return statement.cte("article_documents").prefix_with("MATERIALIZED")


def _matches(documents, tsquery):
    return documents.c.document.op("@@", return_type=Boolean)(tsquery)


def _ranked(parsed: ParsedQuery, compiled: CompiledTs, relaxed: bool = False) -> list:
    """The best CANDIDATES articles: matching every clause, or (relaxed) most plain ones, by how many first."""
    tsquery = compiled.relaxed() if relaxed else compiled.strict()
    documents = _documents([_filter_clause(name, value) for name, value in parsed.filters], tsquery is not None)
    ranking = compiled.ranking()
    score = (func.ts_rank_cd(WEIGHTS, documents.c.document, ranking) if ranking is not None
             else literal(1.0)).label("score")
    tags = (
        select(func.string_agg(Tag.name, literal_column("','")))
        .join(article_tag, article_tag.c.tag_id == Tag.id).where(article_tag.c.article_id == documents.c.id)
        .scalar_subquery()
    )
    conditions = [_matches(documents, tsquery)] if tsquery is not None else []
    order = [score.desc(), documents.c.id.desc()]
    if relaxed:
        matched = compiled.matched(documents.c.document)
        conditions.append(matched >= minimum_matches(len(compiled.relaxable)))
        order.insert(0, matched.desc())
    statement = (
        select(documents.c.id, documents.c.category, tags.label("tags"), score)
        .where(and_(True, *conditions)).order_by(*order).limit(CANDIDATES)
    )
    return list(db.session.execute(statement))


def search_articles(raw: str) -> ArticleResults:
    """Ranked published articles for a raw query, best first, relaxed as threads are; did-you-mean is
    Whoosh-only."""
    parsed = parse(raw)
    if not finds_articles(parsed) or parsed.terms.unsearchable:
        return ArticleResults([], None, parsed.notices)
    compiled = compile_text(parsed.terms)
    rows = _ranked(parsed, compiled)
    if len(rows) < RELAX_BELOW and parsed.terms.can_relax():
        relaxed = _ranked(parsed, compiled, relaxed=True)
        if len(relaxed) > len(rows):
            rows = relaxed
            parsed.notices.append(_(RELAXED_NOTICE))
    hits = [
        ArticleHit(article_id=row.id, score=float(row.score), category=row.category,
                   tags=tuple(tag for tag in (row.tags or "").split(",") if tag))
        for row in rows
    ]
    return ArticleResults(hits, None, parsed.notices)


def similar_articles(title: str, limit: int = 5, body: str = "") -> list[tuple[int, float]]:
    """(article id, text score) of published articles sharing any word of a draft (OR), best first: its title's
    and its body's first words (search.similar_scoring's limits), stop words left to the 'english' configuration."""
    words = re.sub(r"[^\w\s]", " ", f"{title[:MAX_TITLE_CHARS]} {(body or '')[:MAX_BODY_QUERY_CHARS]}").split()
    if not words:
        return []
    tsquery = func.websearch_to_tsquery(CONFIG, " or ".join(words))
    documents = _documents([], with_vector=True)
    score = func.ts_rank_cd(WEIGHTS, documents.c.document, tsquery).label("score")
    statement = (
        select(documents.c.id, score).where(_matches(documents, tsquery))
        .order_by(score.desc(), documents.c.id.desc()).limit(limit)
    )
    return [(row.id, float(row.score)) for row in db.session.execute(statement)]
