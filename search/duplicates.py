"""Possible duplicates of new questions, for moderators (issue 26, item 5): the similar engine, then a check.

The similar-questions engine (search.similar.similar, what the ask page suggests) finds the earlier
threads most like each new question. Its scores are ranks, not measures: BM25 and the backends'
ranks are not comparable across questions, so they can't be held against one threshold a community
sets once. Each candidate is therefore given an *alikeness* in 0..1 that means the same everywhere:

    alikeness = cosine(v(question), v(candidate))

where v(x) counts x's stemmed search words (search.analysis.words: "routers" is "router", stop words
gone), each title word counted TITLE_WEIGHT times and each word of the question's text once. The
cosine of two count vectors is 1 for the same words in the same proportions and 0 for no shared
word, whatever the lengths; weighting titles makes two short titles that say the same thing count
more than a long body that happens to share common words (a title is the question in a line; a
body is also greetings, device names and log lines). Only pairs at or above the community's
setting `search.duplicate_threshold` are shown (0.5 by default: about half of the weighted words
shared).

Only earlier threads qualify (the older question is where the answer lives), never the question
itself, and never a thread that is itself marked as a duplicate (it points elsewhere).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from forum.core.extensions import db
from forum.models import Post, Thread
from search import analysis, similar

TITLE_WEIGHT = 3
MAX_TEXT = 4000  # characters of a question's text that count: enough to say what it is about
CANDIDATES = 5  # earlier threads asked of the engine per question


@dataclass(frozen=True)
class Candidate:
    """An earlier thread that may already answer a question, with how alike the two read (0..1)."""

    thread: Thread
    alikeness: float


def word_counts(title: str, text: str) -> Counter[str]:
    """The weighted stemmed-word counts of a question: title words TITLE_WEIGHT times, text words once."""
    counts = Counter(analysis.words(text[:MAX_TEXT]))
    for word in analysis.words(title):
        counts[word] += TITLE_WEIGHT
    return counts


def alikeness(title: str, text: str, other_title: str, other_text: str) -> float:
    """The cosine of the two questions' weighted word counts (see the module docstring), 0..1."""
    return cosine(word_counts(title, text), word_counts(other_title, other_text))


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(count * b[word] for word, count in a.items() if word in b)
    return min(dot / (math.sqrt(sum(c * c for c in a.values())) * math.sqrt(sum(c * c for c in b.values()))), 1.0)


def possible_duplicates(viewer, questions: list[tuple[Thread, str]], threshold: float) -> dict[int, list[Candidate]]:
    """Question id → its earlier look-alikes at or above threshold, most alike first.

    questions: each new question with its text. The engine is asked once per question; the
    candidates' texts are then read in one statement for the whole page.
    """
    found = {thread.id: _earlier(thread, similar.similar(viewer, thread.title, limit=CANDIDATES, body=text))
             for thread, text in questions}
    texts = question_texts({candidate.id for threads in found.values() for candidate in threads})
    pairs: dict[int, list[Candidate]] = {}
    for thread, text in questions:
        mine = word_counts(thread.title, text)
        scored = [Candidate(other, round(cosine(mine, word_counts(other.title, texts.get(other.id, ""))), 3))
                  for other in found[thread.id]]
        shown = sorted((c for c in scored if c.alikeness >= threshold), key=lambda c: -c.alikeness)
        if shown:
            pairs[thread.id] = shown
    return pairs


def _earlier(question: Thread, items: list) -> list[Thread]:
    """Threads (not articles) asked before the question, other than it, and not duplicates themselves."""
    return [item for item in items if isinstance(item, Thread) and item.id != question.id
            and item.created_at <= question.created_at and item.duplicate_of_id is None]


def question_texts(thread_ids: set[int]) -> dict[int, str]:
    """Thread id → its question post's text (the Markdown the asker wrote), in one statement."""
    if not thread_ids:
        return {}
    rows = db.session.execute(select(Post.thread_id, Post.body).where(
        Post.thread_id.in_(thread_ids), Post.is_question.is_(True)))
    return {thread_id: body or "" for thread_id, body in rows}
