"""Search stays fresh by itself: every thread a transaction touched gets one index update, queued before it commits.

Services used to call reindex_thread at each write (18 places); a new write path that forgot it
left search silently stale. Now a session hook notices every change that alters what a thread's
search document holds — a thread or post created or deleted, or a change to a field the document
reads (search.documents), by the ORM or by an UPDATE naming the row's id — collects the thread ids
as each flush happens, and queues the updates in the same transaction just before it commits
(by job name: forum never imports the search package). A rolled-back transaction queues nothing.

Knowledge-base articles ride the same hooks: an article created, deleted, or changed in a field its
document reads (search.documents.article_document), while published or by a change of status,
queues one "search.index_article" job, so publishing, editing, archiving or any later write path
keeps article search fresh. A draft's edits queue nothing: no draft is ever in the index.

Ideas are threads (their own flushes queue them as above); their Idea row holds what their document
takes from it instead of the thread's (search.documents: status, and duplicate_of, which says merged),
so an Idea created, or changed in those fields by the ORM or by an UPDATE naming its thread_id, queues
its thread too. Its vote_count is no trigger, as a thread's helpful votes are none: votes refresh with
the next update of the thread.
"""

from __future__ import annotations

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BinaryExpression, BindParameter

from forum.core import database, outbox
from forum.models import Article, ArticleStatus, Idea, Job, JobStatus, Post, Thread

INDEX_THREAD_JOB = "search.index_thread"
PURGE_THREAD_JOB = "search.purge_thread"
INDEX_ARTICLE_JOB = "search.index_article"
PENDING = "horseshoe.search_updates"
THREAD_FIELDS = ("title", "status", "category_id", "visibility", "deleted_at", "accepted_post_id",
                 "first_reply_at", "author_id", "tags")
POST_FIELDS = ("body_html", "visibility", "deleted_at", "thread_id", "thread", "is_question")
IDEA_FIELDS = ("status", "duplicate_of_id")
ARTICLE_FIELDS = ("title", "body_html", "status", "category_id", "tags", "published_at", "author_id")
_installed = False


def install() -> None:
    """Listen on every session (once per process, however many apps are built)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "before_flush", _collect_moves)
    event.listen(Session, "after_flush", _collect_flushed)
    event.listen(Session, "do_orm_execute", _collect_bulk)
    event.listen(Session, "before_commit", _queue_before_commit)
    event.listen(Session, "after_soft_rollback", _forget)
    _installed = True


def _pending(session: Session) -> dict[str, set[int]]:
    return session.info.setdefault(PENDING, {"threads": set(), "posts": set(), "articles": set()})


def _collect_moves(session: Session, _context, _instances) -> None:
    """A post moving to another thread changes the thread it leaves: its id is still on the post until the flush."""
    left = {obj.thread_id for obj in session.dirty
            if isinstance(obj, Post) and inspect(obj).attrs.thread.history.has_changes()}
    if left - {None}:
        _pending(session)["threads"].update(left - {None})


def _collect_flushed(session: Session, _context) -> None:
    threads = {_thread_of(obj) for obj in (*session.new, *session.deleted)}
    threads.update(_thread_of(obj) for obj in session.dirty
                   if type(obj) in _FIELDS and database.has_changes(obj, _FIELDS[type(obj)]))
    if threads - {None}:
        _pending(session)["threads"].update(threads - {None})
    articles = _articles_flushed(session)
    if articles:
        _pending(session)["articles"].update(articles)


_FIELDS = {Thread: THREAD_FIELDS, Post: POST_FIELDS, Idea: IDEA_FIELDS}


def _thread_of(obj) -> int | None:
    """The thread whose search document obj is part of (None for anything else)."""
    if isinstance(obj, Thread):
        return obj.id
    if isinstance(obj, Post | Idea):
        return obj.thread_id
    return None


def _articles_flushed(session: Session) -> set[int]:
    """Articles whose search document may have changed: created or changed while published, moved in
    or out of published (any status change), or deleted."""
    articles = {obj.id for obj in session.deleted if isinstance(obj, Article)}
    for obj in session.new:
        if isinstance(obj, Article) and obj.status == ArticleStatus.PUBLISHED.value:
            articles.add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, Article) and database.has_changes(obj, ARTICLE_FIELDS) and (
                obj.status == ArticleStatus.PUBLISHED.value or database.has_changes(obj, ("status",))):
            articles.add(obj.id)
    return articles - {None}


def _collect_bulk(execute_state) -> None:
    """UPDATE/DELETE statements on threads, posts or articles that name their row by id (the counter-exact moves)."""
    mapper = execute_state.bind_mapper
    if not (execute_state.is_update or execute_state.is_delete) or mapper is None:
        return
    model = mapper.class_
    kind, fields = _BULK_WATCHED.get(model, (None, None))
    if fields is None or (execute_state.is_update and not database.update_may_set(execute_state.statement, fields)):
        return
    ids = _ids_named(execute_state.statement, model, "thread_id" if model is Idea else "id")
    _pending(execute_state.session)[kind].update(ids)


_BULK_WATCHED = {Thread: ("threads", THREAD_FIELDS), Post: ("posts", POST_FIELDS),
                 Article: ("articles", ARTICLE_FIELDS), Idea: ("threads", IDEA_FIELDS)}


def _ids_named(statement, model: type, key: str = "id") -> set[int]:
    """The ids in `model.<key> == value` (or `IN (...)`) terms of the statement's WHERE clause (key: its primary
    key, an idea's being its thread's id)."""
    ids: set[int] = set()
    for term in visitors.iterate(statement.whereclause) if statement.whereclause is not None else ():
        if isinstance(term, BinaryExpression) and getattr(term.left, "key", None) == key \
                and getattr(term.left, "table", None) is model.__table__ and isinstance(term.right, BindParameter):
            value = term.right.effective_value
            if term.operator is operators.eq and isinstance(value, int):
                ids.add(value)
            elif term.operator is operators.in_op and isinstance(value, list | tuple):
                ids.update(v for v in value if isinstance(v, int))
    return ids


def _queue_before_commit(session: Session) -> None:
    session.flush()  # commit would flush next anyway; the last changes' threads join the set first
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    threads = set(pending["threads"])
    if pending["posts"]:
        threads.update(session.scalars(select(Post.thread_id).where(Post.id.in_(sorted(pending["posts"])))))
    for thread_id in sorted(threads):
        reindex_thread(thread_id, session)
    for article_id in sorted(pending["articles"]):
        reindex_article(article_id, session)


def _forget(session: Session, previous_transaction) -> None:
    """A rolled-back transaction queues nothing; a rolled-back savepoint keeps what came before it."""
    if not previous_transaction.nested:
        session.info.pop(PENDING, None)


def reindex_thread(thread_id: int, session: Session) -> None:
    """Queue an index update in the caller's transaction; it runs only if that commits.

    A thread that already has an update waiting needs no second one: the job reads the thread as
    it is when it runs. The waiting job's row is locked until this transaction ends (SKIP LOCKED:
    if a worker is claiming it right now, queue our own), so it can't start before this change
    commits and index the thread without it. Posting many replies to one thread queued one job each.
    """
    _enqueue_once(INDEX_THREAD_JOB, {"thread_id": thread_id}, session)


def reindex_article(article_id: int, session: Session) -> None:
    """Queue an article's index update in the caller's transaction (for changes no flush of the article shows,
    such as a tag renamed or merged under it); deduplicated like reindex_thread."""
    _enqueue_once(INDEX_ARTICLE_JOB, {"article_id": article_id}, session)


def _enqueue_once(name: str, payload: dict, session: Session) -> None:
    """Queue the job unless the same one is already waiting (and not being claimed right now)."""
    waiting = session.scalar(
        select(Job.id)
        .where(Job.status == JobStatus.QUEUED.value, Job.name == name, outbox.same_payload(payload))
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if waiting is None:
        outbox.enqueue(name, payload)


def purge_article(article_id: int) -> None:
    """Queue, in the caller's transaction, a rewrite of the article's search document that leaves no older copy
    (its author's name after an erasure); like purge_thread, never deduplicated."""
    outbox.enqueue(INDEX_ARTICLE_JOB, {"article_id": article_id, "purge": True})


def purge_thread(thread_id: int) -> None:
    """Queue, in the caller's transaction, a rewrite of the thread's search document that leaves no older copy.

    For text that must not survive anywhere (personal data moved out of a post): a plain update
    replaces the document, but a backend may keep the replaced copy on disk (Whoosh does, until
    its segment is merged). Not deduplicated like reindex_thread: it is rare, and it must run.
    """
    outbox.enqueue(PURGE_THREAD_JOB, {"thread_id": thread_id})
