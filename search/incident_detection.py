"""The incident detector: many similar unsolved questions in a short window look like one problem.

A periodic worker job. It reads the window's unsolved questions from the database (the index may
lag by seconds), turns each into a weighted bag of stemmed words with the search analyzer —
title twice, the start of the question once — weighs words by how rare they are in the whole
index of either backend (so "help" or "problem" bind nothing; PostgreSQL re-stems each word with
its 'english' configuration, near enough for weights), and groups questions whose cosine similarity
reaches the `incident.similarity` setting (single link: A~B and B~C put A, B, C together). Groups of at
least `incident.min_questions` become alerts through forum.incidents, which makes sure
a question is alerted once.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from forum import incidents
from forum.core import clock
from forum.core.extensions import db
from forum.models import Post, Thread, ThreadKind, Visibility
from forum.services import community_settings
from search import analysis, backends

DETECT_JOB = "search.detect_incidents"
DETECT_EVERY_S = 120
MAX_QUESTIONS = 500  # a window with more unsolved questions than this is an outage the desk already sees
BODY_CHARS = 500
SHARED_TERMS = 4


def _words(text: str) -> list[str]:
    return analysis.words(text)


def _recent_unsolved_questions(since) -> list[tuple[int, str, str]]:
    return list(db.session.execute(
        select(Thread.id, Thread.title, Post.body)
        .join(Post, (Post.thread_id == Thread.id) & Post.is_question.is_(True))
        .where(
            Thread.kind == ThreadKind.QUESTION.value,
            Thread.created_at >= since,
            Thread.accepted_post_id.is_(None),
            Thread.deleted_at.is_(None),
            Thread.merged_into_id.is_(None),
            Thread.visibility == Visibility.PUBLIC.value,
        )
        .order_by(Thread.id.desc())  # the newest: in a flood, the wave that is happening now
        .limit(MAX_QUESTIONS)
    ))


def _document_frequencies(words: set[str], questions: int) -> tuple[dict[str, int], int]:
    """How many indexed threads hold each word; the window itself stands in when the index is smaller."""
    frequencies, total = backends.current().document_frequencies(words)
    return (frequencies, total) if total and total >= questions else ({}, 0)


def _vectors(rows: list[tuple[int, str, str]]) -> dict[int, dict[str, float]]:
    bags = {thread_id: Counter(_words(f"{title} {title} {(body or '')[:BODY_CHARS]}"))
            for thread_id, title, body in rows}
    vocabulary = set().union(*bags.values()) if bags else set()
    frequencies, total = _document_frequencies(vocabulary, len(bags))
    if not total:  # no index yet: rarity within the window
        frequencies = Counter(word for bag in bags.values() for word in bag)
        total = len(bags)
    vectors = {}
    for thread_id, bag in bags.items():
        weights = {word: (1 + math.log(count)) * math.log(1 + total / (1 + frequencies.get(word, 0)))
                   for word, count in bag.items()}
        norm = math.sqrt(sum(weight * weight for weight in weights.values())) or 1.0
        vectors[thread_id] = {word: weight / norm for word, weight in weights.items()}
    return vectors


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(word, 0.0) for word, weight in a.items())


def _clusters(vectors: dict[int, dict[str, float]], threshold: float) -> list[list[int]]:
    """Single-link groups (union-find) of questions at least `threshold` alike."""
    parent = {thread_id: thread_id for thread_id in vectors}

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    ids = sorted(vectors)
    for i, first in enumerate(ids):
        for second in ids[i + 1:]:
            if cosine(vectors[first], vectors[second]) >= threshold:
                parent[root(second)] = root(first)
    groups: dict[int, list[int]] = {}
    for thread_id in ids:
        groups.setdefault(root(thread_id), []).append(thread_id)
    return [group for group in groups.values() if len(group) > 1]


def _shared_terms(group: list[int], vectors: dict[int, dict[str, float]]) -> list[str]:
    """The words most of the group's questions use, heaviest first: what the alert is about."""
    totals: Counter[str] = Counter()
    holders: Counter[str] = Counter()
    for thread_id in group:
        for word, weight in vectors[thread_id].items():
            totals[word] += weight
            holders[word] += 1
    common = [word for word in totals if holders[word] * 2 >= len(group) and (len(word) > 2 or word.isdigit())]
    return sorted(common, key=lambda word: -totals[word])[:SHARED_TERMS]


def detect(_payload: dict | None = None) -> int:
    """Job: raise an alert for each new group of similar unsolved questions; returns how many are new."""
    window = timedelta(hours=community_settings.get_setting("incident.window_hours"))
    minimum = community_settings.get_setting("incident.min_questions")
    threshold = community_settings.get_setting("incident.similarity")
    rows = _recent_unsolved_questions(clock.now() - window)
    if len(rows) < 2:
        return 0
    vectors = _vectors(rows)
    raised = 0
    for group in _clusters(vectors, threshold):
        _alert, new = incidents.raise_alert(group, _shared_terms(group, vectors), minimum)
        raised += new
    return raised
