"""Search as the pages and the API use it: ranked ids from the backend, re-checked in the database.

The index (Whoosh files or the search_documents table) may be stale: the worker applies changes
a moment later. So every hit is reloaded through forum's visibility rules, whatever the backend:
a stale index can never show something hidden. Article hits are re-checked the same way: still
published, and forum.knowledge.rules.may_view (an article archived since it was indexed is gone).

Kinds: "thread" (the default: search_threads, questions and discussions), "idea" (the ideas board's
ideas: search_ideas), "article" (published knowledge-base articles) or "all" (every kind). Ideas share
the thread index (their documents say kind "idea"), so a thread search asks the backend for threads
alone and the re-check leaves out any idea an index not yet rebuilt still calls a thread; idea hits are
re-checked through forum.ideas.visible_ideas. "all" asks the thread index once for both and splits
its hits by kind; being one index, threads and ideas share one scale and keep their order.

Threads and articles are ranked in separate indexes whose scores are not on one scale (BM25 depends on
each index's statistics, ts_rank_cd on its documents), so "all" and the similar questions merge them
by a normalised score: each kind's scores divided by the best score of
that kind for this query (max normalisation), so the best thread and the best article both score 1.0
and every other hit keeps its proportion to the best of its kind; equal scores put the article first
(reviewed, curated answers). Thread-only searches do none of this work.

A query ranks up to query.CANDIDATES hits, and the total and the facets count the visible ones,
but a page shows at most per_page: so visibility is checked for all of them in one statement
that reads ids only, and only the shown threads are loaded (with the relations the page and
the API show) and highlighted. The statements a search runs do not grow with its hits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import ClassVar

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from forum import tagging
from forum.core.errors import Invalid
from forum.core.extensions import db
from forum.core.i18n import N_, _
from forum.ideas import visible_ideas
from forum.knowledge import rules
from forum.models import IDEA_KIND, Article, ArticleStatus, Idea, Post, Tag, Thread, User, thread_tag
from forum.services import markup
from forum.services.permissions import (
    bound_viewer,
    is_moderator,
    signed_in,
    viewer_params,
    visible_threads,
    visible_threads_as,
)
from search import analysis, backends, fresh_snippets, query, snippets

PER_PAGE = 20
MAX_PAGE = 50
REBUILDING = N_("Search is being rebuilt; results will be back in a minute.")  # shown as _(REBUILDING)
KINDS = ("thread", "idea", "article", "all")
ARTICLE_SNIPPET_CHARS = 20_000


@dataclass(frozen=True)
class Found:
    thread: Thread
    post_id: int
    score: float
    highlight: str
    kind: ClassVar[str] = "thread"


@dataclass(frozen=True)
class FoundIdea:
    idea: Idea  # with its thread (author, category, tags) loaded
    score: float
    highlight: str
    question: Post | None = None  # the idea's text, loaded with the page (the API shows it)
    kind: ClassVar[str] = "idea"


@dataclass(frozen=True)
class FoundArticle:
    article: Article
    score: float
    highlight: str
    kind: ClassVar[str] = "article"


@dataclass
class SearchPage:
    items: list[Found | FoundIdea | FoundArticle]
    total: int
    page: int
    has_next: bool
    suggestion: str | None = None
    notices: list[str] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def _with_filters(raw: str, filters: dict[str, str | None]) -> str:
    extra = [f'{name}:"{value}"' for name, value in filters.items() if value]
    return _canonical_tags(" ".join([raw or "", *extra]).strip())


def _canonical_tags(raw: str) -> str:
    """A tag:<synonym> filter names its tag instead (forum.tagging): both backends index tag names only.

    The one place search maps synonyms, for the page, the API's tag parameter and typed filters alike;
    a query without a tag filter asks the database nothing.
    """
    names = [match.group(2).strip('"') for match in query.FILTER.finditer(raw) if match.group(1).lower() == "tag"]
    mapped = tagging.canonical_names(names)
    if not mapped:
        return raw

    def swap(match) -> str:
        name = match.group(2).strip('"').strip().lower()
        if match.group(1).lower() != "tag" or name not in mapped:
            return match.group(0)
        return f'tag:"{mapped[name]}"'

    return query.FILTER.sub(swap, raw)


def search_threads(
    viewer: User | None, raw: str, *, filters: dict[str, str | None] | None = None, page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchPage:
    """One page of visible matches for the query (plus filters such as category/tag/status)."""
    _check_page(page)
    try:
        results = backends.current().search(_with_filters(raw, filters or {}), highlight_first=0, kind="thread")
    except backends.Unavailable:  # missing or damaged index: say so; the worker's ensure_index job rebuilds it
        return SearchPage([], 0, page, False, notices=[_(REBUILDING)])
    visible = _visible_ids(viewer, [hit.thread_id for hit in results.hits])
    hits = [hit for hit in results.hits if hit.thread_id in visible]
    window = hits[(page - 1) * per_page: page * per_page]
    shown = _shown_threads(viewer, [hit.thread_id for hit in window])
    window = [hit for hit in window if hit.thread_id in shown]  # hidden since the statement above: not shown
    # Snippets from the text visible now, not the index's copy (search.fresh_snippets): the same on both backends.
    highlights = fresh_snippets.thread_snippets([shown[hit.thread_id][0] for hit in window], raw)
    items = [
        Found(thread=shown[hit.thread_id][0], post_id=shown[hit.thread_id][1], score=round(hit.score, 4),
              highlight=highlights.get(hit.thread_id, ""))
        for hit in window
    ]
    return SearchPage(items, len(hits), page, len(hits) > page * per_page, results.suggestion,
                      results.notices, query.facet_counts(hits))


def _check_page(page: int) -> None:
    if not 1 <= page <= MAX_PAGE:
        raise Invalid({"page": [_("Choose a page from 1 to %(most)s.", most=MAX_PAGE)]})


def _visible_ids(viewer: User | None, thread_ids: list[int], kind: str = "thread") -> set[int]:
    """The ids among thread_ids of threads (kind "thread": no idea) or ideas (kind "idea") the viewer may see,
    in one statement that loads no objects."""
    if not thread_ids:
        return set()
    ids = {"thread_ids": [int(i) for i in thread_ids]}
    if kind == "idea":
        statement = visible_ideas(viewer).with_only_columns(Idea.thread_id).where(Idea.thread_id.in_(_ID_LIST))
        return {row[0] for row in db.session.execute(statement, ids)}
    statement = _visible_ids_statement(is_moderator(viewer), signed_in(viewer))
    return {row[0] for row in db.session.execute(statement, viewer_params(viewer, **ids))}


# Up to CANDIDATES integers, written into the SQL: binding each one cost more than the query itself.
_ID_LIST = bindparam("thread_ids", expanding=True, literal_execute=True)


@cache
def _visible_ids_statement(moderator: bool, member: bool) -> Select:
    """_visible_ids' thread statement for one kind of viewer (:viewer_id bound when signed in), built once:
    building and keying it per search cost about as much as running it (issue 21)."""
    visible = visible_threads_as(moderator, bound_viewer(member))
    return visible.with_only_columns(Thread.id).where(Thread.id.in_(_ID_LIST), Thread.kind != IDEA_KIND)


def _shown_threads(viewer: User | None, thread_ids: list[int]) -> dict[int, tuple[Thread, int]]:
    """The threads a page shows → (thread with author, category and tags, the post the result links to).

    The link goes to the accepted answer, else the question. Two statements whatever the number of
    threads: the threads with their author, category and question post id, then their tags.
    """
    if not thread_ids:
        return {}
    statement = _shown_statement(is_moderator(viewer), signed_in(viewer))
    rows = db.session.execute(statement, viewer_params(viewer, thread_ids=list(thread_ids)))
    return {thread.id: (thread, post_id) for thread, post_id in rows.unique()}


@cache
def _shown_statement(moderator: bool, member: bool) -> Select:
    """_shown_threads' statement for one kind of viewer (:viewer_id bound when signed in), built once.

    Built per search, its loader options, correlated subquery and cache key cost more than running it;
    an expanding parameter alone does not help (SQLAlchemy already makes in_(list) one), so only building
    it once does (as forum.services.reading's _thread_statement)."""
    question = (
        select(Post.id).where(Post.thread_id == Thread.id, Post.is_question.is_(True))
        .correlate(Thread).limit(1).scalar_subquery()
    )
    return (
        visible_threads_as(moderator, bound_viewer(member))
        .add_columns(func.coalesce(Thread.accepted_post_id, question, 0))
        .options(joinedload(Thread.author), joinedload(Thread.category), selectinload(Thread.tags))
        .where(Thread.id.in_(bindparam("thread_ids", expanding=True)))
    )


def popular_tags(viewer: User | None, limit: int = 8) -> list[str]:
    """The most used tags on threads the viewer may see, in one statement: where a search that found nothing
    can go next."""
    visible = visible_threads(viewer).with_only_columns(Thread.id).subquery()
    statement = (
        select(Tag.name).join(thread_tag, thread_tag.c.tag_id == Tag.id)
        .join(visible, visible.c.id == thread_tag.c.thread_id)
        .group_by(Tag.id, Tag.name).order_by(func.count().desc(), Tag.name).limit(limit)
    )
    return list(db.session.scalars(statement))


# ---------------------------------------------------------------- articles, and both kinds at once


def search(
    viewer: User | None, raw: str, *, kind: str | None = "thread", filters: dict[str, str | None] | None = None,
    page: int = 1, per_page: int = PER_PAGE,
) -> SearchPage:
    """One page of visible matches of a kind: "thread" (the default: search_threads), "idea" (search_ideas),
    "article" or "all" (every kind, merged by the normalised score of the module docstring); Invalid for any
    other kind."""
    kind = kind or "thread"
    if kind not in KINDS:
        raise Invalid({"kind": [_("Choose thread, idea, article or all.")]})
    if kind == "thread":
        return search_threads(viewer, raw, filters=filters, page=page, per_page=per_page)
    if kind == "idea":
        return search_ideas(viewer, raw, filters=filters, page=page, per_page=per_page)
    _check_page(page)
    raw = _with_filters(raw, filters or {})
    try:
        articles = backends.current().search_articles(raw)
        threads = backends.current().search(raw, highlight_first=0) if kind == "all" else None
    except backends.Unavailable:
        return SearchPage([], 0, page, False, notices=[_(REBUILDING)])
    article_hits = _published_hits(articles.hits)
    if threads is None:
        ranked = [(hit, hit.score) for hit in article_hits]
        suggestion, notices = articles.suggestion, articles.notices
    else:
        ranked = merged(_visible_hits(viewer, threads.hits), article_hits, score=lambda hit: hit.score)
        suggestion, notices = threads.suggestion, threads.notices
    window = ranked[(page - 1) * per_page: page * per_page]
    items = _found_items(viewer, raw, window)
    facets = query.facet_counts([hit for hit, _score in ranked if isinstance(hit, query.Hit)])
    _count_article_facets(facets, article_hits)
    return SearchPage(items, len(ranked), page, len(ranked) > page * per_page,
                      suggestion if len(ranked) < 3 else None, notices, facets)


def search_ideas(
    viewer: User | None, raw: str, *, filters: dict[str, str | None] | None = None, page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchPage:
    """One page of the visible ideas matching the query (the filters are the threads'; status: takes an idea's)."""
    _check_page(page)
    raw = _with_filters(raw, filters or {})
    try:
        results = backends.current().search(raw, highlight_first=0, kind="idea")
    except backends.Unavailable:
        return SearchPage([], 0, page, False, notices=[_(REBUILDING)])
    hits = _visible_hits(viewer, results.hits)
    window = hits[(page - 1) * per_page: page * per_page]
    items = _found_items(viewer, raw, [(hit, hit.score) for hit in window])
    return SearchPage(items, len(hits), page, len(hits) > page * per_page, results.suggestion, results.notices,
                      query.facet_counts(hits))


def _visible_hits(viewer: User | None, hits: list[query.Hit]) -> list[query.Hit]:
    """The thread index's hits the viewer may see, in order: threads and ideas each by their own re-check."""
    visible = _visible_ids(viewer, [hit.thread_id for hit in hits if hit.kind != "idea"])
    visible |= _visible_ids(viewer, [hit.thread_id for hit in hits if hit.kind == "idea"], kind="idea")
    return [hit for hit in hits if hit.thread_id in visible]


def merged(threads: list, articles: list, score) -> list[tuple[object, float]]:
    """(item, normalised score) of both kinds, best first: each kind's score(item) divided by its best
    (max normalisation); an article first on equal scores, each kind keeping its own order otherwise."""
    def normalised(items: list, kind_order: int) -> list[tuple[float, int, int, object]]:
        best = max((score(item) for item in items), default=0.0) or 1.0
        return [(score(item) / best, kind_order, n, item) for n, item in enumerate(items)]

    both = normalised(articles, 0) + normalised(threads, 1)
    both.sort(key=lambda entry: (-entry[0], entry[1], entry[2]))
    return [(item, round(value, 4)) for value, _kind, _n, item in both]


def _published_hits(hits: list[query.ArticleHit]) -> list[query.ArticleHit]:
    """The hits whose article is still published (one statement reading ids only): anyone may view a published
    article (forum.knowledge.rules.may_view), which shown_articles checks again on the articles a page shows."""
    if not hits:
        return []
    published = set(db.session.scalars(select(Article.id).where(
        Article.id.in_([hit.article_id for hit in hits]), Article.status == ArticleStatus.PUBLISHED.value)))
    return [hit for hit in hits if hit.article_id in published]


def shown_articles(viewer: User | None, article_ids: list[int]) -> dict[int, Article]:
    """The published articles a page shows, with what the page and the API show, that the viewer may see."""
    if not article_ids:
        return {}
    statement = (
        select(Article).where(Article.id.in_(article_ids), Article.status == ArticleStatus.PUBLISHED.value)
        .options(joinedload(Article.author), joinedload(Article.owner), joinedload(Article.category),
                 selectinload(Article.tags))
    )
    return {article.id: article for article in db.session.scalars(statement).unique()
            if rules.may_view(viewer, article)}


def _found_items(viewer: User | None, raw: str, window: list) -> list:
    """The page's items in ranked order: threads with their post and snippet, ideas and articles with theirs."""
    hits = [hit for hit, _score in window if isinstance(hit, query.Hit)]
    thread_ids = [hit.thread_id for hit in hits if hit.kind != "idea"]
    shown = _shown_threads(viewer, thread_ids)
    ideas = _shown_ideas(viewer, [hit.thread_id for hit in hits if hit.kind == "idea"])
    highlights = fresh_snippets.thread_snippets(
        [shown[i][0] for i in thread_ids if i in shown] + [idea.thread for idea, _question in ideas.values()], raw)
    articles = shown_articles(viewer, [hit.article_id for hit, _score in window if isinstance(hit, query.ArticleHit)])
    words = frozenset(analysis.words(query.parse(raw).text))
    items: list[Found | FoundIdea | FoundArticle] = []
    for hit, score in window:
        if isinstance(hit, query.Hit) and hit.kind == "idea":
            if hit.thread_id in ideas:
                idea, question = ideas[hit.thread_id]
                items.append(FoundIdea(idea, round(score, 4), highlights.get(hit.thread_id, ""), question))
        elif isinstance(hit, query.Hit) and hit.thread_id in shown:
            thread, post_id = shown[hit.thread_id]
            items.append(Found(thread, post_id, round(score, 4), highlights.get(hit.thread_id, "")))
        elif isinstance(hit, query.ArticleHit) and hit.article_id in articles:
            article = articles[hit.article_id]
            items.append(FoundArticle(article, round(score, 4), article_highlight(article, words)))
    return items


def _shown_ideas(viewer: User | None, idea_ids: list[int]) -> dict[int, tuple[Idea, Post | None]]:
    """The ideas a page shows, re-checked through visible_ideas, with their thread's author, category and tags,
    and their question post (the idea's text): three statements whatever the number of ideas."""
    if not idea_ids:
        return {}
    thread = joinedload(Idea.thread)
    statement = visible_ideas(viewer).where(Idea.thread_id.in_(idea_ids)).options(
        thread.joinedload(Thread.author), thread.joinedload(Thread.category), thread.selectinload(Thread.tags))
    ideas = {idea.thread_id: idea for idea in db.session.scalars(statement).unique()}
    questions = {post.thread_id: post for post in db.session.scalars(
        select(Post).where(Post.thread_id.in_(list(ideas)), Post.is_question.is_(True)))} if ideas else {}
    return {idea_id: (idea, questions.get(idea_id)) for idea_id, idea in ideas.items()}


def article_highlight(article: Article, words: frozenset[str]) -> str:
    """The article's best passages with the query's (stemmed) words marked, else its title marked."""
    text = markup.visible_text(article.body_html)[:ARTICLE_SNIPPET_CHARS]
    return snippets.snippet(text, words) or snippets.snippet(article.title, words, passages=1)


def _count_article_facets(facets: dict[str, dict[str, int]], hits: list[query.ArticleHit]) -> None:
    for hit in hits:
        facets["category"][hit.category] = facets["category"].get(hit.category, 0) + 1
        for tag in hit.tags:
            facets["tag"][tag] = facets["tag"].get(tag, 0) + 1
