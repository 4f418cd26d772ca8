"""Natural support questions find their thread (issue 26): over the demo community, on both backends.

Each query is what a customer types ("my bill is too high"), not the thread's title: most of them
find nothing with every word required, so they exercise the relaxed matching, the stop words both
backends drop and the title and phrase boosts (search.query_language). The demo is seeded once for
the module (committed, wiped at the end) and indexed once per backend; every query must rank a
thread about its issue (a demo issue's title, in any of the demo's title forms) in the top three.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from forum.cli import demo
from forum.core import clock
from forum.core.extensions import db
from forum.models import Thread
from search import backends
from search.backends.whoosh import index
from tests.conftest import TEST_NOW
from tests.support.seeded import committed

SIZE = {"threads": 80, "users": 20}  # every issue of the question topics has threads, among distractors
TOP = 3

# (what a customer types, the title of the demo issue that answers it)
NATURAL_QUERIES = [
    ("wifi drops", "Wi-Fi drops every evening"),
    ("my bill is too high", "Bill is higher than my plan price"),
    ("refund for a double charge", "Charged twice this month"),
    ("locked out of my account", "Locked out after too many sign-in attempts"),
    ("only getting half the speed I pay for", "Speed is half of what I pay for"),
    ("app keeps crashing", "App crashes on start after the update"),
    ("two factor code not working", "Two-factor codes are always rejected"),
    ("how do I get an invoice with VAT", "How do I download a VAT invoice?"),
    ("didn't get the activation email", "Activation email never arrived"),
    ("moving to a new house", "Moving house: how do I transfer my service?"),
    ("router light is red", "Red light on the router"),
    ("friends can't join my game server", "Ports for my game server won't open"),
    ("tv buffering at night", "TV box buffers in the evening"),
    ("change the day my direct debit comes out", "Can I move my direct debit date?"),
    ("fee for cancelling my contract is wrong", "Early termination fee looks wrong"),
]


@pytest.fixture(scope="module")
def demo_index(app) -> Iterator[list[str]]:
    """The demo, seeded at the suite's moment and indexed by every backend this database can run."""
    with committed(app):
        clock.freeze(TEST_NOW)
        try:
            demo.seed_demo(**SIZE)
            names = ["whoosh"] + (["postgres"] if db.engine.dialect.name == "postgresql" else [])
            for name in names:
                backends.by_name(name).rebuild()
            db.session.commit()
        finally:
            clock.freeze(None)
        db.session.remove()
        try:
            yield names
        finally:
            shutil.rmtree(index.root(), ignore_errors=True)


def _threads_about(issue_title: str) -> set[int]:
    """The demo threads asking about an issue, whatever title form the demo gave them."""
    stem = issue_title.rstrip("?")
    return {thread.id for thread in db.session.scalars(select(Thread)) if stem in thread.title}


def test_natural_questions_find_their_threads_on_every_backend(app, demo_index):
    """One test for every query and backend, so the demo is seeded once: parametrized, the tests of this module
    were spread over the workers and each worker seeded the demo again (minutes of the suite on PostgreSQL)."""
    settings = app.config["HORSESHOE"]
    previous = settings.search_backend
    misses = []
    try:
        for name in demo_index:
            settings.search_backend = name
            for query, issue_title in NATURAL_QUERIES:
                intended = _threads_about(issue_title)
                assert intended, f"the demo has no thread about {issue_title!r}"
                top = [hit.thread_id for hit in backends.by_name(name).search(query).hits[:TOP]]
                if not intended & set(top):
                    titles = dict(db.session.execute(select(Thread.id, Thread.title).where(Thread.id.in_(top))).all())
                    misses.append(f"{name}: {query!r} ranked {[titles[i] for i in top]}")
    finally:
        settings.search_backend = previous
    assert not misses, "\n".join(misses)
