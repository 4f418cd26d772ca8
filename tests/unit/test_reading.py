"""Lists: filters, sorts and cursors give every visible thread exactly once."""

from __future__ import annotations

import pytest

from forum.core.errors import Invalid
from forum.services import posting, qa, reading
from forum.services.reading import ThreadQuery


def _all_pages(query: ThreadQuery, limit: int = 2) -> list[int]:
    ids, cursor = [], None
    while True:
        page = reading.list_threads(None, query, limit, cursor)
        ids.extend(thread.id for thread in page.items)
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


def test_paging_with_a_cursor_returns_each_thread_once_newest_first(make, clock_at):
    category = make.make_category()
    created = []
    for _ in range(7):
        clock_at.advance(minutes=5)
        created.append(make.make_thread(category=category).id)
    assert _all_pages(ThreadQuery(category_id=category.id, sort="latest")) == created[::-1]


def test_filters_select_unanswered_unsolved_and_tagged_threads(make):
    category = make.make_category()
    quiet = make.make_thread(category=category, tags=["billing"])
    answered = make.make_thread(category=category, replies=1)
    discussion = make.make_thread(category=category, kind="discussion")
    base = {"category_id": category.id}
    assert _all_pages(ThreadQuery(**base, filter="unanswered")) == [quiet.id]
    assert set(_all_pages(ThreadQuery(**base, filter="unsolved"))) == {quiet.id, answered.id}
    assert _all_pages(ThreadQuery(**base, tag="Billing")) == [quiet.id]
    assert _all_pages(ThreadQuery(**base, status="answered")) == [answered.id]
    assert discussion.id in _all_pages(ThreadQuery(**base))


def test_new_activity_moves_a_thread_to_the_top_of_active(make, clock_at):
    category = make.make_category()
    older = make.make_thread(category=category)
    clock_at.advance(minutes=1)
    make.make_thread(category=category)
    clock_at.advance(minutes=1)
    posting.reply_to_thread(make.make_user(), older, "A fresh reply")
    assert _all_pages(ThreadQuery(category_id=category.id, sort="active"))[0] == older.id


@pytest.mark.parametrize(
    ("query", "cursor", "field"),
    [
        (ThreadQuery(sort="oldest"), None, "sort"),
        (ThreadQuery(filter="everything"), None, "filter"),
        (ThreadQuery(status="lost"), None, "status"),
        (ThreadQuery(), "not-a-cursor", "cursor"),
        (ThreadQuery(), "WyJ4Il0", "cursor"),
    ],
)
def test_bad_list_parameters_are_reported_by_name(db, query, cursor, field):
    with pytest.raises(Invalid) as caught:
        reading.list_threads(None, query, 10, cursor)
    assert field in caught.value.errors


def test_sorting_threads_by_question_votes(make):
    category = make.make_category()
    quiet, popular, liked = (make.make_thread(category=category) for _ in range(3))
    for thread, votes in ((popular, 3), (liked, 1)):
        for _ in range(votes):
            qa.vote_helpful(make.make_user(), reading.question_post(thread))
    assert _all_pages(ThreadQuery(category_id=category.id, sort="votes")) == [popular.id, liked.id, quiet.id]


def test_a_thread_comes_with_its_tags_in_order_and_a_tagless_one_with_none(make):
    tagged = make.make_thread(tags=["wifi", "billing", "router"])
    bare = make.make_thread()
    assert [tag.name for tag in reading.get_thread(None, tagged.id).tags] == ["billing", "router", "wifi"]
    assert reading.get_thread(None, bare.id).tags == []


def test_reading_a_thread_looks_up_its_own_tags_instead_of_scanning_every_threads(make, db):
    """Nested in the outer join, "thread_tag JOIN tag" made SQLite materialize every thread's tags on each
    thread page (cost growing with the community); the flat joins are primary-key lookups."""
    for _ in range(3):
        make.make_thread(tags=["wifi", "billing"])
    engine = db.session.get_bind()
    if engine.dialect.name != "sqlite":
        pytest.skip("the plan checked is SQLite's (PostgreSQL plans by its statistics)")
    compiled = reading._thread_statement().compile(engine)
    plan = db.session.connection().exec_driver_sql(
        f"EXPLAIN QUERY PLAN {compiled.string}", tuple(compiled.construct_params({"thread_id": 1}).values())
    ).all()
    details = [row[-1] for row in plan]
    assert not any("MATERIALIZE" in step or step.startswith("SCAN") for step in details), details
