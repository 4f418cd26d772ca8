"""Marking a duplicate on the pages (issue 26, item 5): the thread page's form, its banner, and taking it back.

A moderator names the thread that answers the question (its number or its address); the question
stays, closed, and everyone reading it sees "Answered here" linking to the target. Form errors come
back as a notice on the thread page and change nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.core.extensions import db
from forum.models import Thread
from moderation.models import DuplicatePair
from tests.moderation_support import audit_entries
from tests.web.helpers import BACK, FORBIDDEN, SIGN_IN, expect, text


@pytest.fixture
def pair(make, community):
    """community.thread answers it (asked first); the duplicate is a newer question by another member."""
    duplicate = make.make_thread(author=make.make_user(username="dupe"), category=community.category,
                                 title="Billed two times this month")
    return duplicate, community.thread


def mark(client, duplicate, target: str, reason: str = "Same charge question", **extra):
    return client.post(f"/moderation/threads/{duplicate.id}/duplicate",
                       data={"duplicate-target": target, "duplicate-reason": reason, **extra})


def marked(thread: Thread) -> int | None:
    return db.session.scalar(select(Thread.duplicate_of_id).where(Thread.id == thread.id))


@pytest.mark.parametrize("target", ["{id}", "#{id}", "http://localhost/t/{id}/charged-twice-for-my-plan",
                                    "/t/{id}"])
def test_a_moderator_marks_by_number_or_address_and_everyone_sees_answered_here(act_as, pair, target):
    duplicate, answer = pair
    response = mark(act_as("moderator"), duplicate, target.format(id=answer.id))
    expect(response, BACK)
    assert response.headers["Location"].startswith(f"/t/{duplicate.id}/")
    assert marked(duplicate) == answer.id
    for caller in ("moderator", "other", "anonymous"):
        page = text(act_as(caller).get(f"/t/{duplicate.id}/{duplicate.slug}"))
        assert "Answered here:" in page and f'href="/t/{answer.id}/{answer.slug}"' in page
        assert answer.title in page
    assert "Answered here:" not in text(act_as("anonymous").get(f"/t/{answer.id}/{answer.slug}"))
    [entry] = audit_entries("thread.duplicate")
    assert entry.reason == "Same charge question"
    assert db.session.scalars(select(DuplicatePair.target_id)).all() == [answer.id]


@pytest.mark.parametrize(("target", "says"), [("", "Give the number"), ("the other one", "Give a thread number"),
                                              ("/t/987654", "existing thread"), ("{self}", "itself")])
def test_a_form_error_is_shown_on_the_thread_page_and_changes_nothing(act_as, pair, target, says):
    duplicate, _answer = pair
    client = act_as("moderator")
    response = mark(client, duplicate, target.format(self=duplicate.id))
    expect(response, BACK)
    page = text(client.get(response.headers["Location"]))
    assert says in page
    assert marked(duplicate) is None and audit_entries("thread.duplicate") == []


def test_marking_a_thread_twice_says_why(act_as, pair, make):
    duplicate, answer = pair
    client = act_as("moderator")
    mark(client, duplicate, str(answer.id))
    response = mark(client, duplicate, str(make.make_thread().id))
    assert "already marked as a duplicate" in text(client.get(response.headers["Location"]))
    assert marked(duplicate) == answer.id


@pytest.mark.parametrize(("caller", "outcome"), [("anonymous", SIGN_IN), ("author", FORBIDDEN), ("other", FORBIDDEN)])
def test_only_moderators_mark_or_unmark(act_as, pair, caller, outcome):
    duplicate, answer = pair
    expect(mark(act_as(caller), duplicate, str(answer.id)), outcome)
    expect(act_as(caller).post(f"/moderation/threads/{duplicate.id}/duplicate/unmark"), outcome)
    expect(act_as(caller).get("/moderation/duplicates"), outcome)
    assert marked(duplicate) is None


def test_the_moderator_panel_offers_the_form_and_then_the_way_back(act_as, pair):
    duplicate, answer = pair
    client = act_as("moderator")
    assert 'name="duplicate-target"' in text(client.get(f"/t/{duplicate.id}/{duplicate.slug}"))
    assert 'name="duplicate-target"' not in text(act_as("other").get(f"/t/{duplicate.id}/{duplicate.slug}"))
    client = act_as("moderator")
    mark(client, duplicate, str(answer.id))
    page = text(client.get(f"/t/{duplicate.id}/{duplicate.slug}"))
    assert "Not a duplicate: reopen" in page and 'name="duplicate-target"' not in page
    response = client.post(f"/moderation/threads/{duplicate.id}/duplicate/unmark", data={"unmark-reason": "Oops"})
    expect(response, BACK)
    assert marked(duplicate) is None
    assert db.session.scalar(select(Thread.status).where(Thread.id == duplicate.id)) == "open"
    assert "Answered here:" not in text(client.get(f"/t/{duplicate.id}/{duplicate.slug}"))
    assert [e.action for e in audit_entries()][-2:] == ["thread.duplicate", "thread.unduplicate"]


def test_the_staff_menu_links_the_possible_duplicates_page(act_as, community):
    assert 'href="/moderation/duplicates"' in text(act_as("moderator").get("/"))
    assert 'href="/moderation/duplicates"' not in text(act_as("other").get("/"))


def test_the_audit_log_words_the_mark(act_as, pair):
    duplicate, answer = pair
    client = act_as("admin")
    mark(client, duplicate, str(answer.id))
    page = text(client.get("/moderation/audit"))
    assert "marked as a duplicate the thread" in page and "Duplicate of" in page
