"""Result snippets from what a thread shows now, not from the index's copy of it.

The index lags the database: a reply hidden, deleted or held for review is still in the stored
excerpt (Whoosh) or the excerpt column (PostgreSQL) until the worker re-indexes the thread. Snippets
made there could show that text in results. So the threads a page shows have their snippets made
at read time from the posts visible now, by the rules search.documents.thread_document indexes with
(a live public thread; its live public posts: the question, the accepted answer, then the replies),
bounded as its excerpt is (EXCERPT_CHARS of text), and marked by search.snippets with the stemmed
words of the query's positive terms. One statement for the whole page, whatever the backend, so
both backends show the same snippets.

The text comes from Post.body_html (sanitized, never raw Markdown), cut in SQL to HTML_CHARS per
post and to the first POSTS_READ posts (plus the accepted answer), so a long thread costs no more
than a short one. The tags are stripped with one regular expression instead of
forum.services.markup.visible_text's HTMLParser: on a 6,000-character post with links and
emphasis the parser took about 4.3 ms and the expression 0.1 ms, for the same text (the input is
our own sanitized output, so there is nothing to clean; tests/search/test_fresh_snippets.py checks
that both read the same words).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from html import unescape

from sqlalchemy import Select, bindparam, func, or_, select

from forum.core.extensions import db
from forum.models import Post, Thread, Visibility
from search import analysis, documents, query, query_language, snippets

EXCERPT_CHARS = documents.EXCERPT_CHARS
POSTS_READ = 12  # the question and the first replies: more than an excerpt's 2,000 characters usually hold
HTML_CHARS = 3 * EXCERPT_CHARS  # markup around 2,000 characters of text, with room for links

_BREAK = re.compile(r"<br\s*/?>|</(?:p|li|pre|blockquote|h[1-6]|tr|td|th)\s*>", re.IGNORECASE)
_TAG = re.compile(r"""<(?:"[^"]*"|'[^']*'|[^'">])*>""")
_CUT_TAG = re.compile(r"<[^>]*\Z")  # a tag cut in two by HTML_CHARS


def html_text(html: str) -> str:
    """The visible text of our sanitized HTML: markup.visible_text's words, a regular expression's cost."""
    text = _TAG.sub("", _BREAK.sub("\n", _CUT_TAG.sub("", html)))
    return unescape(text)


def positive_words(raw: str) -> frozenset[str]:
    """The stemmed words of the query's positive items (search.query_language, as both backends read the
    query): not its filters or its -excluded words and phrases, which a matching thread may not hold at all."""
    parsed = query_language.parse_text(query.parse(raw).text)
    return frozenset(analysis.words(" ".join(item.text for clause in parsed.positive for item in clause)))


def visible_texts(threads: Sequence[Thread]) -> dict[int, str]:
    """thread id → the start of the text it shows now (question, accepted answer, replies), in one statement;
    a thread no one but staff may see (hidden, pending, deleted) has none, as it has no index document."""
    if not threads:
        return {}
    accepted = {thread.id: thread.accepted_post_id for thread in threads}
    wanted = [post_id for post_id in accepted.values() if post_id]
    rows = db.session.execute(_texts_statement(), {"threads": list(accepted), "accepted": wanted or [0]})
    posts: dict[int, list[tuple[int, str]]] = {}
    for thread_id, post_id, html in rows:
        posts.setdefault(thread_id, []).append((post_id, html or ""))
    return {thread_id: _excerpt(found, accepted[thread_id]) for thread_id, found in posts.items()}


@cache
def _texts_statement() -> Select:
    """visible_texts' statement, built once with its id lists as expanding parameters: building it per
    search, with a bound parameter per id, cost more than running it (0.6-0.9 ms of a bench search)."""
    numbered = (
        select(Post.id, Post.thread_id,
               func.row_number().over(partition_by=Post.thread_id, order_by=Post.id).label("n"))
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.thread_id.in_(bindparam("threads", expanding=True)), Post.deleted_at.is_(None),
               Post.visibility == Visibility.PUBLIC.value, Thread.deleted_at.is_(None),
               Thread.visibility == Visibility.PUBLIC.value)
        .subquery()
    )
    return (
        select(numbered.c.thread_id, numbered.c.id, func.substr(Post.body_html, 1, HTML_CHARS))
        .join(Post, Post.id == numbered.c.id)
        .where(or_(numbered.c.n <= POSTS_READ, numbered.c.id.in_(bindparam("accepted", expanding=True))))
        .order_by(numbered.c.thread_id, numbered.c.n)
    )


def _excerpt(posts: list[tuple[int, str]], accepted_id: int | None) -> str:
    """The question, then the accepted answer, then the other replies, as text, cut at EXCERPT_CHARS."""
    ordered = posts[:1] + [post for post in posts[1:] if post[0] == accepted_id]
    ordered += [post for post in posts[1:] if post[0] != accepted_id]
    parts, length = [], 0
    for _post_id, html in ordered:
        if length >= EXCERPT_CHARS:
            break
        parts.append(html_text(html))
        length += len(parts[-1]) + 2
    return "\n\n".join(parts)[:EXCERPT_CHARS]


def thread_snippets(threads: Sequence[Thread], raw: str) -> dict[int, str]:
    """thread id → its snippet for the query: the best passages of its visible text with the query's words
    marked (escaped, <mark> only), else its title marked, else ""."""
    words = positive_words(raw)
    if not words or not threads:
        return {}
    texts = visible_texts(threads)
    return {
        thread.id: snippets.snippet(texts.get(thread.id, ""), words)
        or snippets.snippet(thread.title, words, passages=1)
        for thread in threads
    }
