"""Document frequencies for BM25 on PostgreSQL (search.models.SearchTerm): statistics, as ANALYZE keeps them.

BM25's idf needs, for each word of a draft, how many documents hold it. Counted live, that is a GIN lookup and a
walk over every matching row per word: 10-15 ms for a common word at 400,000 posts, a third of a similar-questions
call (bench/RESULTS.md, 2026-12-07). So the worker counts them all at once (ts_stat over the documents, about a
second at 400,000 posts) after every rebuild and when the documents have drifted (ensure_fresh, from the
search.ensure_index job every minute): DRIFT of the count, or REFRESH_AFTER. Between two counts an idf is
slightly stale (5 % more documents moves it by log(1.05) = 0.05), which no ranking notices. A word the last
count did not see (new since) is counted live, cheaply: it is rare. Nothing is stored yet (a fresh migration):
everything is counted live, as before.

Concurrent counts (two workers) are safe: each upserts every lexeme and then drops the ones it did not see.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from forum.core import clock
from forum.core.extensions import db

TOTAL = ""  # the row holding the number of documents counted; no lexeme is empty
DRIFT = 0.05
REFRESH_AFTER = timedelta(days=1)

_COUNT = text("""
INSERT INTO search_terms AS t (lexeme, documents, counted_at)
SELECT word, ndoc, :now FROM ts_stat('SELECT document FROM search_documents')
UNION ALL
SELECT :total, count(*), :now FROM search_documents HAVING count(*) > 0
ON CONFLICT (lexeme) DO UPDATE SET documents = excluded.documents, counted_at = excluded.counted_at
""")
_DROP_UNSEEN = text("DELETE FROM search_terms WHERE counted_at < :now")
_COUNTED = text("SELECT documents, counted_at FROM search_terms WHERE lexeme = :total")
_LIVE_TOTAL = text("SELECT count(*) FROM search_documents")

# Per query lexeme (the CTE `query` of search.backends.postgres_similar): the stored frequency, else a live count;
# COALESCE runs the live subqueries only when nothing is stored.
FREQUENCIES_SQL = """
SELECT q.lexeme, q.weight,
       coalesce((SELECT t.documents FROM search_terms t WHERE t.lexeme = q.lexeme),
                (SELECT count(*) FROM search_documents d WHERE d.document @@ quote_literal(q.lexeme)::tsquery)) AS df,
       coalesce((SELECT t.documents FROM search_terms t WHERE t.lexeme = ''),
                (SELECT count(*) FROM search_documents)) AS total
FROM query q
"""


def count() -> None:
    """Count every lexeme's documents now (in the caller's transaction; the caller commits). With no documents
    nothing is stored: a total of 0 would stay the total while the first threads come in (live counts follow them)."""
    now = clock.now().replace(tzinfo=None)
    db.session.execute(_COUNT, {"now": now, "total": TOTAL})
    db.session.execute(_DROP_UNSEEN, {"now": now})


def ensure_fresh() -> bool:
    """Count again when nothing is stored, the number of documents drifted by DRIFT, or REFRESH_AFTER passed;
    commits when it counted. Whether it counted."""
    counted = db.session.execute(_COUNTED, {"total": TOTAL}).first()
    documents = db.session.scalar(_LIVE_TOTAL) or 0
    if counted is None:
        stale = documents > 0
    else:
        drifted = abs(documents - counted.documents) > DRIFT * max(counted.documents, 1)
        stale = drifted or clock.now().replace(tzinfo=None) - counted.counted_at.replace(tzinfo=None) > REFRESH_AFTER
    if stale:
        count()
        db.session.commit()
    return stale
