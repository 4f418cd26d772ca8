"""VADER sentiment of post text: one compound score (-1 very negative .. 1 very positive) per post.

Scored from the plain text (no Markdown or HTML noise) when a post is written or edited,
so escalation and the sentiment_shift metric read a stored number instead of re-scoring.
"""

from __future__ import annotations

from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

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
