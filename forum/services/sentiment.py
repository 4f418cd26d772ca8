"""VADER sentiment of post text: one compound score (-1 very negative .. 1 very positive) per post.

Scored from the plain text (no Markdown or HTML noise) when a post is written or edited,
so escalation and the sentiment_shift metric read a stored number instead of re-scoring.
Posts stored before sentiment existed are filled in by `flask --app wsgi analytics backfill-sentiment`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from sqlalchemy import bindparam, func, select
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from forum.core.extensions import db
from forum.models import Post
from forum.services import markup


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    """Built once per process: loading the lexicon takes far longer than scoring a post."""
    return SentimentIntensityAnalyzer()


def score(body: str) -> float:
    """The VADER compound score of a Markdown body."""
    text = markup.plain_text(body or "")
    if not text:
        return 0.0
    return float(_analyzer().polarity_scores(text)["compound"])


def count_unscored() -> int:
    """Posts stored before sentiment existed (or whose scoring was skipped): the backfill's work."""
    return db.session.scalar(select(func.count(Post.id)).where(Post.sentiment.is_(None))) or 0


def backfill(progress: Callable[[int], object] = lambda _n: None, *, batch: int = 500) -> int:
    """Score every post whose sentiment is NULL, `batch` posts per transaction; returns how many were scored.

    Posts are read in id order by keyset (never all at once) and each batch commits, so a large
    community is never held in one transaction and an interrupted run keeps what it did: running it
    again only finds the posts still unscored. A post edited meanwhile was re-scored by the edit
    itself, so the write only fills a score that is still NULL (never overwrites a newer one).
    Historical posts are only scored: this opens no sentiment cases (that trigger is for new follow-ups).
    """
    table = Post.__table__
    fill = (
        table.update()
        .where(table.c.id == bindparam("post_id"), table.c.sentiment.is_(None))
        .values(sentiment=bindparam("score"))
    )
    scored, last_id = 0, 0
    while rows := db.session.execute(
        select(Post.id, Post.body).where(Post.id > last_id, Post.sentiment.is_(None)).order_by(Post.id).limit(batch)
    ).all():
        db.session.execute(fill, [{"post_id": post_id, "score": score(body)} for post_id, body in rows])
        db.session.commit()
        scored += len(rows)
        progress(len(rows))
        last_id = rows[-1].id
    return scored
