"""Personal data moved out of a public post leaves no copy anywhere (issue 18, item 7).

The post's first version held an email address and a card number; its author then swapped the
address for a phone number, and a moderator edited it too (the audit log keeps that edit's body
before and after). A webhook subscriber was sent the first version, the search index holds the
thread and a signed-out visitor's page sits in the page cache. After an agent moves the data into
the case, every row of every table (the case conversation aside, where it was moved to), the
search index on each backend, the page cache and the pages themselves are read for any piece of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from forum import cases
from forum.core.extensions import db
from forum.http import urls
from forum.http.page_cache import PageCache, SQLiteStore
from forum.integrations import webhooks
from forum.integrations.webhooks import SubscriptionInput
from forum.models import CaseMessage, Post
from forum.services import posting
from search.backends.whoosh import index
from tests.search.helpers import ids
from tests.support.receiver import Receiver, running_receiver

EMAIL = "quokka.fan@example.com"
CARD = "5555 5555 5555 4444"
PHONE = "+44 20 7946 0958"
FIRST = f"Charged twice. My card is {CARD}, mail me at {EMAIL}."
SECOND = f"Charged twice. My card is {CARD}, call me on {PHONE}."
THIRD = f"Charged twice this month. My card is {CARD}, call me on {PHONE}."
# Whole values and the words an index splits them into: none may be left anywhere.
PIECES = (EMAIL, "quokka", CARD, "5555", "4444", PHONE, "7946", "0958")
PLACEHOLDERS = ("[card number removed]", "[phone number removed]")
MOVED_TO = {"case_message"}  # where the data was moved to on purpose (only the customer and agents read it)


def leftovers(text: str | bytes) -> list[str]:
    raw = text if isinstance(text, bytes) else text.encode()
    return [piece for piece in PIECES if piece.encode() in raw]


def database_leftovers() -> dict[str, list[str]]:
    """Every text value of every row of every table (tsvectors included), and the pieces found in it."""
    db.session.expire_all()
    found: dict[str, list[str]] = {}
    for table in db.metadata.sorted_tables:
        if table.name in MOVED_TO:
            continue
        for row in db.session.execute(select(table)).mappings():
            for column, value in row.items():
                if isinstance(value, str) and leftovers(value):
                    found[f"{table.name}.{column}"] = leftovers(value)
    return found


def whoosh_leftovers() -> dict[str, list[str]]:
    """The bytes of every file of the Whoosh index: stored fields and terms of deleted documents too."""
    return {path.name: leftovers(path.read_bytes()) for path in Path(index.root()).rglob("*")
            if path.is_file() and leftovers(path.read_bytes())}


def cache_leftovers(cache: PageCache) -> list[str]:
    rows = cache.store._connection().execute("SELECT value FROM page").fetchall()
    return [piece for (value,) in rows for piece in leftovers(value)]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from running_receiver()


@pytest.fixture
def page_cache(app: Flask, db, tmp_path) -> Iterator[PageCache]:
    cache: PageCache = app.extensions["page_cache"]
    saved = (cache.store, cache.ttl_s)
    cache.store, cache.ttl_s = SQLiteStore(tmp_path / "page_cache.sqlite3"), 60
    yield cache
    cache.store, cache.ttl_s = saved


@pytest.fixture
def leaky(make, search_index, receiver):
    """The post and its thread's case; the data is in the post's history, the audit log and a webhook."""
    asker = make.make_user("advocate", username="asker")  # trusted with links: the post is public at once
    admin, moderator = make.make_user("admin"), make.make_user("moderator")
    webhooks.create_subscription(admin, SubscriptionInput(receiver.url, ["post.created"], "s" * 20, allow_private=True))
    thread = make.make_thread(author=asker, title="Charged twice for my plan", body="Billing question.")
    post = make.make_reply(thread, author=asker, body=FIRST)
    posting.edit_post(asker, post, SECOND)
    posting.edit_post(moderator, post, THIRD, reason="Clearer wording")
    case, _created = cases.escalate_thread(asker, thread, "Charged twice")
    return post, case


def test_moved_personal_data_is_gone_from_every_copy(app, make, leaky, login_as, search_index, search_backend,
                                                     page_cache, receiver):
    post, case = leaky
    backend = search_index()  # the worker indexes the thread and sends the webhook
    thread_path = urls.thread_path(post.thread)
    assert {CARD, PHONE} <= set(leftovers(app.test_client().get(thread_path).data))  # now in the page cache
    # Every place read below does hold the data before the move.
    before = database_leftovers()
    assert {"post.body", "post_revision.body", "audit_entry.before_json", "webhook_delivery.payload_json"} \
        <= set(before)
    assert ids(backend, "7946") == [post.thread_id] and ids(backend, "4444") == [post.thread_id]
    if search_backend.name == "whoosh":
        assert whoosh_leftovers()
    else:
        assert "search_documents.document" in before and "search_documents.excerpt" in before
    assert cache_leftovers(page_cache) and EMAIL in receiver.received[0].body.decode()

    agent = make.make_user("agent")
    moved = login_as(agent).post(f"/desk/cases/{case.id}/posts/{post.id}/move-private", data={"reason": "card"})
    assert moved.status_code in (302, 303)
    backend = search_index()  # the worker runs what the move queued

    assert database_leftovers() == {}
    assert whoosh_leftovers() == {}
    assert cache_leftovers(page_cache) == []
    for word in (EMAIL, "7946", "5555", "4444"):
        assert ids(backend, word) == []
    hits = backend.search("charged twice month").hits
    assert [hit.thread_id for hit in hits] == [post.thread_id] and not leftovers(hits[0].highlight)

    post = db.session.get(Post, post.id)
    assert all(placeholder in post.body and placeholder in post.body_html for placeholder in PLACEHOLDERS)
    history = login_as(agent).get(f"/p/{post.id}/history").get_data(as_text=True)
    assert "[email address removed]" in history and not leftovers(history)
    page = app.test_client().get(thread_path).get_data(as_text=True)
    assert "[card number removed]" in page and not leftovers(page)
    [original] = db.session.scalars(select(CaseMessage.body).where(CaseMessage.case_id == case.id))
    assert original == THIRD  # moved, not lost
