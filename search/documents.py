"""Build search documents from the database: sanitized text only, and only what everyone may see.

Deleted threads and posts are never indexed, nor pending or hidden ones (a thread whose
question is not public is left out entirely); text comes from the sanitized HTML (as plain
text), never from raw Markdown, so the index can't hold anything the pages wouldn't show.

Ideas (forum.ideas) are threads, so they share the thread index: their document says kind "idea" (a
thread's says "thread"), so searches of one kind leave the other out, and carries the idea's status and
votes instead of the thread's (ideas are never solved; the board's status and vote count are what a
member filters and ranks them by).

Knowledge-base articles have documents of their own (article_document): only published ones.
Drafts and articles in review are private to their author and staff, and archived articles are
reachable by link only, so none of them is ever written to an index.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from forum.core.extensions import db
from forum.models import IDEA_KIND, Article, ArticleStatus, Post, Thread, ThreadStatus, User, Visibility
from forum.models.relations import STAFF_ROLES
from forum.services import markup

EXCERPT_CHARS = 2000  # highlighting re-tokenises stored text: keep it short (it dominated query time)

MAX_BODY_CHARS = 200_000


def html_to_text(html: str) -> str:
    """The visible text of sanitized HTML (entities decoded; snippets escape it again)."""
    return markup.visible_text(html)


def _naive(moment):
    return moment.replace(tzinfo=None) if moment is not None else None


def thread_document(thread: Thread, posts: list) -> dict | None:
    """The backend-neutral document for a thread, or None when it must not be searchable.

    Text comes in parts (title, question, accepted answer, other replies) so each backend can
    weigh them its own way: Whoosh repeats the title and accepted answer in one field
    (search.backends.whoosh), PostgreSQL gives them tsvector weights A/B/C/D. staff_answered (a live
    public reply by a moderator, agent or admin) and best_reply_votes (the most helpful votes on one)
    let similar questions suggest an unsolved thread that already has an answer (search.similar).
    """
    if thread.deleted_at is not None or thread.visibility != Visibility.PUBLIC.value:
        return None
    live = [post for post in posts if post.deleted_at is None and post.visibility == Visibility.PUBLIC.value]
    texts = {post.id: html_to_text(post.body_html) for post in live}
    question = texts[live[0].id] if live else ""
    accepted = texts.get(thread.accepted_post_id, "") if thread.accepted_post_id else ""
    replies = [texts[post.id] for post in live[1:] if post.id != thread.accepted_post_id]
    idea = thread.idea if thread.kind == IDEA_KIND else None
    return {
        "thread_id": thread.id,
        "kind": "idea" if thread.kind == IDEA_KIND else "thread",
        "title": thread.title,
        "question": question[:MAX_BODY_CHARS],
        "accepted": accepted[:MAX_BODY_CHARS],
        "replies": "\n\n".join(replies)[:MAX_BODY_CHARS],
        "text": "\n\n".join(texts[post.id] for post in _accepted_twice(thread, live))[:MAX_BODY_CHARS],
        "tags": [tag.name for tag in thread.tags],
        "category": thread.category.slug,
        "author": thread.author.username_key,
        "status": idea.status if idea is not None else thread.status,
        "solved": thread.status == ThreadStatus.SOLVED.value,
        "answered": thread.first_reply_at is not None,
        "votes": idea.vote_count if idea is not None else thread.vote_count,
        "staff_answered": any(post.role in STAFF_ROLES for post in live[1:]),
        "best_reply_votes": max((post.vote_count or 0 for post in live[1:]), default=0),
        "created": _naive(thread.created_at),
        "last_activity": _naive(thread.last_activity_at),
    }


def excerpt(document: dict) -> str:
    """The start of the thread's text (question, accepted answer, replies) that snippets come from."""
    return document["text"][:EXCERPT_CHARS]


def _accepted_twice(thread: Thread, live: list) -> list:
    """The question, then the accepted answer, then every reply in order (so the accepted one twice).

    Repeating the accepted answer doubles its words' weight in Whoosh's one searched field: the
    accepted-answer boost without a field of its own to match (each field searched cost a
    third of query time), and it puts the solution in the stored excerpt snippets come from.
    """
    accepted = [post for post in live if post.id == thread.accepted_post_id]
    return [*live[:1], *accepted, *live[1:]]


def _thread_query():
    return select(Thread).options(
        joinedload(Thread.category), joinedload(Thread.author), selectinload(Thread.tags), joinedload(Thread.idea)
    )


def _post_rows(thread_ids: list[int]):
    """Only the post columns the index needs, as plain rows (no ORM objects pile up in the session): the
    replies' helpful votes and their authors' roles tell an unsolved thread worth suggesting (search.similar)."""
    return db.session.execute(
        select(Post.thread_id, Post.id, Post.body_html, Post.deleted_at, Post.visibility, Post.vote_count, User.role)
        .join(User, User.id == Post.author_id)
        .where(Post.thread_id.in_(thread_ids))
        .order_by(Post.id)
    )


def document_for(thread_id: int) -> dict | None:
    thread = db.session.scalar(_thread_query().where(Thread.id == thread_id))
    if thread is None:
        return None
    return thread_document(thread, list(_post_rows([thread_id])))


def all_documents(batch: int = 200) -> Iterator[dict]:
    """Every searchable thread's document, loaded in batches (posts fetched per batch, not per thread)."""
    last_id = 0
    while True:
        threads = list(db.session.scalars(
            _thread_query().where(Thread.id > last_id, *_searchable()).order_by(Thread.id).limit(batch)
        ).unique())
        if not threads:
            return
        posts_by_thread: dict[int, list] = {t.id: [] for t in threads}
        for post in _post_rows(list(posts_by_thread)):
            posts_by_thread[post.thread_id].append(post)
        for thread in threads:
            document = thread_document(thread, posts_by_thread[thread.id])
            if document is not None:
                yield document
        last_id = threads[-1].id


def count_searchable() -> int:
    return db.session.scalar(select(db.func.count(Thread.id)).where(*_searchable())) or 0


def _searchable() -> tuple:
    """Threads that may be in the index: live, with a public question."""
    return Thread.deleted_at.is_(None), Thread.visibility == Visibility.PUBLIC.value


# ---------------------------------------------------------------- knowledge-base articles


def article_document(article: Article) -> dict | None:
    """The backend-neutral document for a published article, or None when it must not be searchable.

    The title weighs as a thread's does (three times in Whoosh's one field, weight A in PostgreSQL);
    the body is the answer itself, so it weighs like a thread's accepted answer.
    """
    if article.status != ArticleStatus.PUBLISHED.value:
        return None
    text = html_to_text(article.body_html)[:MAX_BODY_CHARS]
    return {
        "article_id": article.id,
        "title": article.title,
        "text": text,
        "tags": [tag.name for tag in article.tags],
        "category": article.category.slug,
        "author": article.author.username_key,
        "published": _naive(article.published_at or article.updated_at),
        "updated": _naive(article.updated_at),
    }


def _article_query():
    return select(Article).options(
        joinedload(Article.category), joinedload(Article.author), selectinload(Article.tags)
    )


def article_document_for(article_id: int) -> dict | None:
    article = db.session.scalar(_article_query().where(Article.id == article_id))
    return article_document(article) if article is not None else None


def all_article_documents(batch: int = 200) -> Iterator[dict]:
    """Every published article's document, in batches (a rebuild writes them beside the threads')."""
    last_id = 0
    while True:
        found = list(db.session.scalars(
            _article_query().where(Article.id > last_id, Article.status == ArticleStatus.PUBLISHED.value)
            .order_by(Article.id).limit(batch)
        ).unique())
        if not found:
            return
        for article in found:
            document = article_document(article)
            if document is not None:
                yield document
        last_id = found[-1].id


def count_searchable_articles() -> int:
    return db.session.scalar(
        select(db.func.count(Article.id)).where(Article.status == ArticleStatus.PUBLISHED.value)
    ) or 0
