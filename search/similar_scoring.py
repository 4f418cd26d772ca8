"""How similar questions are scored, the same on both backends (issue 26; figures in bench/RESULTS.md).

A draft's words (stemmed, standard English stop words dropped) are OR-ed: a similar question rarely
shares every word. Each thread document is scored with BM25 (Robertson's k1 = 1.2, b = 0.75, the
textbook defaults, not tuned on the bench) on two fields, summed:

- the title alone (title_text), weight TITLE_WEIGHT: two questions asking the same thing share
  title words above all (Whoosh's field; PostgreSQL's weight-A positions);
- the whole thread (title, question, accepted answer, replies), weight 1: the question and its
  answer are evidence too, in the words of whoever wrote them.

Title words of the draft count fully; words of its body (when the ask page has one) count
BODY_QUERY_WEIGHT each: a body is long and wanders, so unweighted it drowned the title (bench:
title+body MAP 66.7 unweighted, 70.6 at 0.3). The body's words are read from its first
MAX_BODY_QUERY_CHARS characters, which bounds the OR's width and so the query's cost.

The "question words" stop list (search.query.similar_words) dropped words that carry meaning in a
title ("help", "use", "keep", "get"); the analyzer's standard stop list ranks better (bench: +2 MAP).
"""

from __future__ import annotations

import math

from search.analysis import words
from search.query import QUESTION_WORDS

# Function words every question has ("how do I", "my"), dropped before analysis as PostgreSQL's 'english' stop
# list drops them; the words of search.query's list that carry meaning in a title are kept.
CONTENT_WORDS = frozenset("help use using get gets got keep keeps still please no not".split())
FUNCTION_WORDS = QUESTION_WORDS - CONTENT_WORDS

TITLE_WEIGHT = 1.0
BODY_QUERY_WEIGHT = 0.3
MAX_BODY_QUERY_CHARS = 300
MAX_TITLE_CHARS = 300
K1 = 1.2
B = 0.75
# The text scores a backend ranks before the eligibility checks and the optional semantic re-ranker:
# a few pages of suggestions, a fixed number whatever the corpus (the statements never grow with it).
CANDIDATE_POOL = 40


def _content(text: str) -> str:
    return " ".join(word for word in text.split() if word.lower().strip("?!.,;:'\"()") not in FUNCTION_WORDS)


def query_terms(title: str, body: str = "") -> dict[str, float]:
    """Stemmed word → its weight in the query: the title's 1.0, the body's others BODY_QUERY_WEIGHT."""
    weights = dict.fromkeys(words(_content((title or "")[:MAX_TITLE_CHARS])), 1.0)
    for word in words(_content((body or "")[:MAX_BODY_QUERY_CHARS])):
        weights.setdefault(word, BODY_QUERY_WEIGHT)
    return weights


def idf(document_frequency: int, documents: int) -> float:
    """Whoosh's idf (whoosh.scoring.WeightingModel.idf), so both backends weigh rare words alike."""
    return math.log(max(documents, 1) / (document_frequency + 1)) + 1


def bm25(idf_value: float, frequency: float, length: float, average_length: float) -> float:
    """Whoosh's BM25 term score (whoosh.scoring.bm25) with K1 and B."""
    if frequency <= 0:
        return 0.0
    norm = (1 - B) + B * length / (average_length or 1.0)
    return idf_value * (frequency * (K1 + 1)) / (frequency + K1 * norm)
