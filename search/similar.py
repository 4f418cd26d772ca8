"""Similar questions: what may already answer a draft, for the ask page, GET /api/v1/search/similar and
the write checks (issue 26).

Ranking: each backend scores the threads worth suggesting with the same BM25 over the title and the whole
thread (search.similar_scoring); the optional semantic re-ranker (search.semantic.rerank) may reorder the
best CANDIDATE_POOL of them; published knowledge-base articles are ranked with them by a normalised score
(search.service.merged: each kind's scores over its best, so the two scales meet; an article first on a tie).

Eligibility: a thread is suggested when it may answer the question: solved, or unsolved with a live public
reply by staff or with at least `search.suggest_answer_votes` helpful votes. The index may lag, so all of it
is re-checked in the database here: the viewer may see the thread (forum's visibility rules) and it is
public, live and not merged (a moderator sees hidden threads, which no one should be pointed to); it is
still solved, or a reply still qualifies. A thread marked as a duplicate is never suggested: its target is,
in its place, unless it is listed already. Cases are never indexed, so never suggested. Ideas share the thread
index but are never suggested for a question: the backends look at threads only (kind "thread") and the
re-check here leaves out any idea a stale index still calls a thread (similar ideas: search.similar_ideas).

Statements, each one whatever the number of candidates: the backend's (PostgreSQL: two); the candidates'
and their duplicates' targets' states (ids, status, no relations); the replies of the unsolved ones (when
there are); the threads shown, with what the pages show of them (at most limit); then the articles'.
"""

from __future__ import annotations

from sqlalchemy import Row, select, union

from forum.core.extensions import db
from forum.models import IDEA_KIND, Article, Post, Thread, ThreadStatus, User, Visibility
from forum.models.relations import STAFF_ROLES
from forum.services import community_settings, reading
from forum.services.permissions import visible_threads
from search import backends, semantic, service, similar_scoring

MIN_TITLE_CHARS = 3


def similar_threads(viewer: User | None, title: str, limit: int = 5) -> list[Thread]:
    """Threads likely to answer the same question (threads only; the ask page uses similar())."""
    return [thread for thread, _score in suggestable_threads(viewer, title, limit)]


def similar(viewer: User | None, title: str, limit: int = 5, body: str = "") -> list[Thread | Article]:
    """Threads and published articles likely to answer a draft, ranked together, at most limit.

    title: the draft's title, the main evidence; body: its text, if any (its words weigh less)."""
    if len((title or "").strip()) < MIN_TITLE_CHARS:
        return []
    threads = suggestable_threads(viewer, title, limit, body=body)
    scored = backends.current().similar_articles(title, limit=limit * 2, body=body)
    shown = service.shown_articles(viewer, [article_id for article_id, _score in scored])
    articles = [(shown[i], score) for i, score in scored if i in shown]
    both = service.merged(threads, articles, score=lambda pair: pair[1])
    return [item for (item, _raw), _score in both][:limit]


def suggestable_threads(viewer: User | None, title: str, limit: int, body: str = "") -> list[tuple[Thread, float]]:
    """(thread, score) of the threads worth suggesting for a draft, best first, at most limit."""
    if len((title or "").strip()) < MIN_TITLE_CHARS:
        return []
    min_votes = int(community_settings.cached_setting("search.suggest_answer_votes"))
    scored = backends.current().similar_scored(title, limit=max(limit, similar_scoring.CANDIDATE_POOL), body=body,
                                               min_votes=min_votes, kind="thread")
    found = _in_place_of_duplicates(_states(viewer, [thread_id for thread_id, _score in scored]), scored)
    answered = _well_answered([state.id for state, _score in found if state.status != ThreadStatus.SOLVED.value],
                              min_votes)
    eligible = [(state, score) for state, score in found
                if state.status == ThreadStatus.SOLVED.value or state.id in answered]
    ranked = _reranked(f"{title} {body or ''}".strip(), eligible)[:limit]
    shown = reading.visible_threads_by_id(viewer, [state.id for state, _score in ranked])  # with what pages show
    return [(shown[state.id], score) for state, score in ranked if state.id in shown]


def _states(viewer: User | None, thread_ids: list[int]) -> dict[int, Row]:
    """What eligibility needs of the candidates and of the threads they are duplicates of, that the viewer may
    see and anyone may be pointed to (public, live, not merged), in one light statement (no relations)."""
    if not thread_ids:
        return {}
    # One IN over a UNION, not `id IN (...) OR id IN (targets)`: PostgreSQL answers that OR with a scan of every
    # thread (10 ms at 400,000 posts), the UNION with primary-key lookups.
    targets = select(Thread.duplicate_of_id).where(Thread.id.in_(thread_ids), Thread.duplicate_of_id.is_not(None))
    wanted = union(select(Thread.id).where(Thread.id.in_(thread_ids)), targets)
    statement = (
        visible_threads(viewer)
        .with_only_columns(Thread.id, Thread.title, Thread.status, Thread.duplicate_of_id)
        .where(Thread.id.in_(wanted), Thread.deleted_at.is_(None),
               Thread.visibility == Visibility.PUBLIC.value, Thread.merged_into_id.is_(None),
               Thread.kind != IDEA_KIND)
    )
    return {row.id: row for row in db.session.execute(statement)}


def _in_place_of_duplicates(states: dict[int, Row], scored: list[tuple[int, float]]) -> list[tuple[Row, float]]:
    """The scored threads in order, a duplicate-marked one replaced by its target (at the duplicate's place and
    score) unless the target ranks above it already; each thread once."""
    found: list[tuple[Row, float]] = []
    seen: set[int] = set()
    for thread_id, score in scored:
        state = states.get(thread_id)
        if state is not None and state.duplicate_of_id is not None:
            state = states.get(state.duplicate_of_id)
        if state is not None and state.duplicate_of_id is None and state.id not in seen:
            seen.add(state.id)
            found.append((state, score))
    return found


def _well_answered(thread_ids: list[int], min_votes: int) -> set[int]:
    """The ids among unsolved thread_ids with a live public reply by staff or with min_votes helpful votes."""
    if not thread_ids:
        return set()
    statement = (
        select(Post.thread_id).join(User, User.id == Post.author_id)
        .where(Post.thread_id.in_(thread_ids), Post.is_question.is_(False), Post.deleted_at.is_(None),
               Post.visibility == Visibility.PUBLIC.value,
               User.role.in_(STAFF_ROLES) | (Post.vote_count >= max(1, min_votes)))
        .distinct()
    )
    return set(db.session.scalars(statement))


def _reranked(query_text: str, threads: list[tuple[Row, float]]) -> list[tuple[Row, float]]:
    """The semantic re-ranker's order when it is on (search.semantic), else the text ranking's."""
    if not threads:
        return threads
    order = semantic.rerank(query_text, [(thread.id, score, thread.title) for thread, score in threads])
    if order is None:
        return threads
    # Its order, with the text scores handed out again best first: fused scores (reciprocal ranks) are on no
    # scale an article's text score could be normalised against (service.merged), rank positions are.
    by_id = {thread.id: thread for thread, _score in threads}
    reordered = [by_id[thread_id] for thread_id, _fused in order if thread_id in by_id]
    scores = sorted((score for _thread, score in threads), reverse=True)
    return list(zip(reordered, scores, strict=False))
