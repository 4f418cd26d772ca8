"""Similar questions on the PostgreSQL backend, scored with the same BM25 as on Whoosh.

ts_rank_cd is no BM25 (no document frequencies, a length normalisation of its own), and the bench
showed it ranking similar questions below Whoosh. So PostgreSQL only finds the candidates: the
CANDIDATE_POOL threads worth suggesting (solved, answered by staff, or a reply with enough helpful
votes) that share a word with the draft, best ts_rank on the question as asked first (question_document: the
title, weight A, and the question's text, C; the title's words' rank plus the body's at their query weight, as
BM25 weighs them next). They are picked among the threads whose title shares a word with the draft's title first
(title_document, its own GIN index), and only when fewer than the pool do, among the rest whose question shares
any word of the draft. (The draft's body words in that first pick cost half a MAP point on the SemEval dev set,
title and body: a title sharing one body word displaced a question sharing several.) Only the pool's
whole-thread tsvectors are then read, cut to the query's lexemes (ts_delete), and scored in Python with
search.similar_scoring's BM25 on the fields Whoosh has: the title (the weight-A positions) and the whole thread,
which Whoosh's field holds as the title three times and the accepted answer (weight B) twice, so the same counts
are added here. The field lengths were counted when the row was written (store_lengths).

Why the title first (issue 26, 400,000 posts): in a community's own vocabulary most questions share a common word
("help", "feel", "routine"), so the question as asked matched 11,000-16,000 of 20,000 threads and ranking them all
was 60-90 ms; titles are short, and a title match leads BM25 anyway (the title field, and the title three times in
the whole thread): on the bench's 200 drafts the pool was the same 40 threads for every one, a few thousand
threads ranked instead.
Why not the whole thread's tsvector for picking and ranking (issue 26's first version): it is stored
compressed, and ranking decompressed every matching thread's text, 285-487 ms p95 at 40,000 posts.

Two statements whatever the number of candidates: the candidates with their term counts and lengths, then the
document frequency of each query lexeme and the total, as the worker last counted them
(search.backends.postgres_terms; a lexeme it has not seen yet is counted live, one GIN lookup). Document
frequencies are over the whole table, as Whoosh's; the average field lengths are the candidates' (an average over
the table would read every row on every question).
"""

from __future__ import annotations

from sqlalchemy import text

from forum.core.extensions import db
from search import similar_scoring
from search.backends import postgres_terms
from search.similar_scoring import MAX_BODY_QUERY_CHARS, MAX_TITLE_CHARS, bm25, idf

TITLE_REPEATS_EXTRA = 2  # Whoosh's field has the title three times: once here, two more
ACCEPTED_REPEATS_EXTRA = 1  # and the accepted answer twice

_QUERY = """
    query AS (
        SELECT lexeme, max(weight) AS weight FROM (
            SELECT lexeme, 1.0 AS weight FROM unnest(to_tsvector('english'::regconfig, :title))
            UNION ALL
            SELECT lexeme, CAST(:body_weight AS float8) FROM unnest(to_tsvector('english'::regconfig, :body))
        ) AS words GROUP BY lexeme
    )"""

# Which rows may be suggested: threads worth suggesting, or (similar ideas) any idea not declined or merged.
_ELIGIBLE = {
    "thread": "d.kind = 'thread' AND (d.solved OR d.staff_answered OR d.best_reply_votes >= :min_votes)",
    "idea": "d.kind = 'idea' AND d.status NOT IN ('declined', 'duplicate')",
}

_RANK = "ts_rank(d.question_document, m.title_q) + :body_weight * ts_rank(d.question_document, m.q)"

_CANDIDATES_SQL = f"""
WITH {_QUERY},
    matching AS (
        SELECT array_to_string(array_agg(quote_literal(lexeme)), ' | ')::tsquery AS q,
               coalesce(array_to_string(array_agg(quote_literal(lexeme)) FILTER (WHERE weight = 1.0), ' | '),
                        '')::tsquery AS title_q,
               array_agg(lexeme) AS lexemes
        FROM query
    ),
    titled AS MATERIALIZED (
        SELECT d.thread_id, {_RANK} AS rank
        FROM search_documents d, matching m
        WHERE d.title_document @@ m.title_q AND {{eligible}}
        ORDER BY rank DESC NULLS LAST, d.thread_id DESC
        LIMIT :pool
    ),
    untitled AS MATERIALIZED (
        SELECT d.thread_id, {_RANK} AS rank
        FROM search_documents d, matching m
        WHERE (SELECT count(*) FROM titled) < :pool AND d.question_document @@ m.q
              AND NOT coalesce(d.title_document @@ m.title_q, false) AND {{eligible}}
        ORDER BY rank DESC NULLS LAST, d.thread_id DESC
        LIMIT :pool
    ),
    candidates AS (
        SELECT thread_id FROM titled
        UNION ALL
        (SELECT thread_id FROM untitled ORDER BY rank DESC NULLS LAST, thread_id DESC
         LIMIT greatest(0, :pool - (SELECT count(*) FROM titled)))
    )
SELECT c.thread_id, c.title_length AS a, c.accepted_length AS b, c.document_length AS total, (
        SELECT json_agg(json_build_array(u.lexeme, cardinality(array_positions(u.weights, 'A')),
                                         cardinality(array_positions(u.weights, 'B')), cardinality(u.weights)))
        FROM unnest(ts_delete(c.document, tsvector_to_array(ts_delete(c.document, m.lexemes)))) u
    ) AS terms
FROM search_documents c, matching m
WHERE c.thread_id IN (SELECT thread_id FROM candidates)
"""  # nosec B608  # the module's own constant SQL, joined from its parts; every value is bound
_CANDIDATES = {kind: text(_CANDIDATES_SQL.replace("{eligible}", condition)) for kind, condition in _ELIGIBLE.items()}

# Written with each row (the worker): the position counts BM25 needs as field lengths, so a search never
# reads all of a candidate's positions to count them.
_LENGTHS = text("""
UPDATE search_documents d SET title_length = l.a, accepted_length = l.b, document_length = l.total
FROM (
    SELECT s.thread_id, count(*) FILTER (WHERE w = 'A') AS a, count(*) FILTER (WHERE w = 'B') AS b,
           count(*) AS total
    FROM search_documents s, unnest(s.document) u, unnest(u.weights) w
    WHERE s.thread_id = ANY(:ids)
    GROUP BY s.thread_id
) AS l
WHERE d.thread_id = l.thread_id
""")

_FREQUENCIES = text(f"WITH {_QUERY}\n{postgres_terms.FREQUENCIES_SQL}")  # nosec B608  # constant SQL, values bound


def store_lengths(thread_ids: list[int]) -> None:
    """Count the positions of the rows just written, by weight (the worker, after each batch)."""
    db.session.execute(_LENGTHS, {"ids": thread_ids})


def similar(title: str, limit: int = 5, body: str = "", min_votes: int = 3,
            kind: str = "thread") -> list[tuple[int, float]]:
    """(thread id, BM25 score) of the threads worth suggesting for a draft, best first: the limit best by
    ts_rank re-scored (search.similar asks for its CANDIDATE_POOL); kind="idea": ideas (_ELIGIBLE)."""
    values = {"title": (title or "")[:MAX_TITLE_CHARS], "body": (body or "")[:MAX_BODY_QUERY_CHARS],
              "body_weight": similar_scoring.BODY_QUERY_WEIGHT}
    rows = db.session.execute(_CANDIDATES[kind], {**values, "min_votes": max(1, min_votes), "pool": limit}).all()
    if not rows:
        return []
    frequencies = db.session.execute(_FREQUENCIES, values).all()
    documents = frequencies[0].total if frequencies else len(rows)
    terms = {row.lexeme: (float(row.weight), idf(row.df, documents)) for row in frequencies}
    lengths = [(a, a * (1 + TITLE_REPEATS_EXTRA) + b * ACCEPTED_REPEATS_EXTRA + total - a)
               for _id, a, b, total, _terms in rows]
    average_title = sum(title for title, _body in lengths) / len(lengths)
    average_body = sum(body for _title, body in lengths) / len(lengths)
    scored = []
    for (thread_id, *_counts, counts), (title_length, body_length) in zip(rows, lengths, strict=True):
        score = 0.0
        for lexeme, in_title, in_accepted, everywhere in counts or []:
            weight, word_idf = terms.get(lexeme, (0.0, 0.0))
            in_body = everywhere + in_title * TITLE_REPEATS_EXTRA + in_accepted * ACCEPTED_REPEATS_EXTRA
            score += weight * (similar_scoring.TITLE_WEIGHT * bm25(word_idf, in_title, title_length, average_title)
                               + bm25(word_idf, in_body, body_length, average_body))
        scored.append((thread_id, score))
    scored.sort(key=lambda pair: (-pair[1], -pair[0]))
    return scored
