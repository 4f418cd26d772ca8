"""Staff move ideas along the board: the transition table, merging duplicates, history and the event."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.core import events
from forum.core.errors import Conflict, Forbidden, Invalid
from forum.ideas import change_status, vote, votes_left
from forum.ideas.upkeep import inconsistencies
from forum.models import AuditEntry, IdeaStatus, IdeaStatusChange, IdeaVote, Post, Subscription
from forum.services import posting

MOVABLE = [s for s in IdeaStatus if s not in (IdeaStatus.NEW, IdeaStatus.DUPLICATE)]


@pytest.fixture
def published(monkeypatch) -> list[tuple[str, dict]]:
    """The domain events published during the test (a listener of our own, removed afterwards)."""
    heard: list[tuple[str, dict]] = []
    monkeypatch.setitem(events._listeners, "test.ideas_probe", lambda kind, data: heard.append((kind, data)))
    return heard


def question_of(db, idea) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == idea.thread_id, Post.is_question))


def history(db, idea) -> list[IdeaStatusChange]:
    return list(db.session.scalars(select(IdeaStatusChange).where(IdeaStatusChange.idea_id == idea.thread_id)
                                   .order_by(IdeaStatusChange.id)))


@pytest.mark.parametrize("start", [IdeaStatus.NEW, *MOVABLE])
def test_staff_may_move_an_idea_to_any_status_but_new(db, make, staff, ideas_category, start):
    for goal in MOVABLE:
        if goal == start:
            continue
        idea = make.make_idea(category=ideas_category)
        if start != IdeaStatus.NEW:
            change_status(staff, idea, start.value)
        assert change_status(staff, idea, goal.value).status == goal.value
        if start != IdeaStatus.NEW:
            with pytest.raises(Conflict):
                change_status(staff, idea, IdeaStatus.NEW.value)
            db.session.rollback()


def test_a_duplicate_is_final(db, make, staff, ideas_category, idea):
    source = make.make_idea(category=ideas_category)
    change_status(staff, source, "duplicate", duplicate_of=idea)
    for goal in IdeaStatus:
        with pytest.raises(Conflict):
            change_status(staff, source, goal.value, duplicate_of=idea if goal == IdeaStatus.DUPLICATE else None)
        db.session.rollback()
    assert source.status == "duplicate" and source.duplicate_of_id == idea.thread_id


def test_members_cannot_change_a_status(db, make, idea, idea_author):
    with pytest.raises(Forbidden):
        change_status(idea_author, idea, "planned")
    db.session.rollback()
    assert idea.status == "new" and history(db, idea) == []


def test_a_change_writes_history_audit_and_the_event(db, staff, idea, published):
    change_status(staff, idea, "planned", note="Coming in the spring release.")
    assert (idea.status, idea.status_note, idea.status_changed_by_id) == ("planned", "Coming in the spring release.",
                                                                          staff.id)
    [row] = history(db, idea)
    assert (row.from_status, row.to_status, row.note, row.actor_id) == ("new", "planned",
                                                                         "Coming in the spring release.", staff.id)
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "idea.status"))
    assert audit.target_id == idea.thread_id and audit.actor_id == staff.id
    assert ("idea.status_changed", {"idea_id": idea.thread_id, "from_status": "new", "to_status": "planned"}) \
        in published


def test_a_note_only_edit_keeps_history_but_publishes_nothing(db, clock_at, staff, idea, published):
    change_status(staff, idea, "planned", note="Spring.")
    changed_at = idea.status_changed_at
    published.clear()
    clock_at.advance(hours=2)
    change_status(staff, idea, "planned", note="Summer, sorry.")
    assert idea.status_note == "Summer, sorry." and idea.status_changed_at == changed_at
    assert [(row.from_status, row.to_status) for row in history(db, idea)] == [("new", "planned"),
                                                                              ("planned", "planned")]
    assert published == []


def test_reopening_a_shipped_idea_does_not_charge_its_votes_again(db, make, staff, idea):
    voter = make.make_user()
    vote(voter, idea)
    change_status(staff, idea, "shipped")
    assert votes_left(voter) == 10
    change_status(staff, idea, "in_progress")
    assert votes_left(voter) == 10
    assert vote(voter, idea).changed is False  # their vote still stands, given back
    assert idea.vote_count == 1


def test_a_merge_moves_votes_without_counting_anyone_twice(db, make, staff, ideas_category, idea, idea_author):
    source = make.make_idea(category=ideas_category)
    movers = [make.make_user() for _ in range(2)]
    both = make.make_user()
    muted = movers[1]
    db.session.add(Subscription(user_id=muted.id, thread_id=idea.thread_id, muted=True,
                                created_at=source.created_at))
    db.session.commit()
    for member in [*movers, both, idea_author]:
        vote(member, source)
    vote(both, idea)
    change_status(staff, source, "duplicate", note="Same as the CSV export idea.", duplicate_of=idea.thread_id)

    assert (source.status, source.duplicate_of_id) == ("duplicate", idea.thread_id)
    assert (source.vote_count, idea.vote_count) == (0, 3)
    voters = set(db.session.scalars(select(IdeaVote.user_id).where(IdeaVote.idea_id == idea.thread_id)))
    assert voters == {movers[0].id, movers[1].id, both.id}
    assert votes_left(both) == 9 and votes_left(idea_author) == 10 and votes_left(movers[0]) == 9
    [row] = history(db, source)
    assert (row.moved_votes, row.returned_votes, row.duplicate_of_id) == (2, 2, idea.thread_id)
    watches = {s.user_id: s.muted for s in db.session.scalars(
        select(Subscription).where(Subscription.thread_id == idea.thread_id))}
    assert watches[movers[0].id] is False and watches[both.id] is False
    assert watches[muted.id] is True  # a mute on the target wins
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.target_id == source.thread_id)) == "idea.merge"
    assert inconsistencies() == []


def test_votes_merged_into_a_shipped_idea_come_back(db, make, staff, ideas_category, idea):
    source = make.make_idea(category=ideas_category)
    voter = make.make_user()
    vote(voter, source)
    change_status(staff, idea, "shipped")
    change_status(staff, source, "duplicate", duplicate_of=idea)
    assert votes_left(voter) == 10 and idea.vote_count == 1


def test_wrong_duplicate_targets_are_refused_on_duplicate_of(db, make, staff, ideas_category, idea):
    merged = make.make_idea(category=ideas_category)
    change_status(staff, merged, "duplicate", duplicate_of=idea)
    deleted = make.make_idea(category=ideas_category)
    posting.delete_post(deleted.thread.author, question_of(db, deleted))
    question = make.make_thread()
    wrong = {"missing": None, "self": idea.thread_id, "not an idea": question.id, "a duplicate": merged.thread_id,
             "deleted": deleted.thread_id, "no such id": 999_999, "not an id": "12"}
    for why, target in wrong.items():
        with pytest.raises(Invalid) as refused:
            change_status(staff, idea, "duplicate", duplicate_of=target)
        assert "duplicate_of" in refused.value.errors, why
        db.session.rollback()
    with pytest.raises(Invalid) as refused:
        change_status(staff, idea, "planned", duplicate_of=merged.thread_id)
    assert "duplicate_of" in refused.value.errors
    with pytest.raises(Invalid) as refused:
        change_status(staff, idea, "someday")
    assert "status" in refused.value.errors
    db.session.rollback()
    assert idea.status == "new" and history(db, idea) == []
