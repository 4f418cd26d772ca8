"""Flags: reasons, one per user per post, weights by standing, the hide threshold, needs_staff."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.core.errors import Conflict, Forbidden, Invalid, NotAuthenticated
from forum.core.extensions import db
from forum.services import community_settings, reading
from moderation.models import ReviewItem
from moderation.services import flags
from moderation.services.flags import NewFlag
from tests.moderation_support import audit_entries, moderation_notes


@pytest.fixture
def reply(make):
    thread = make.make_thread()
    return make.make_reply(thread)


def open_items(post_id: int) -> list[ReviewItem]:
    return list(db.session.scalars(select(ReviewItem).where(ReviewItem.post_id == post_id,
                                                            ReviewItem.resolved_at.is_(None))))


def test_three_member_flags_hide_the_post_and_tell_the_author_why(make, reply):
    for reason in ("spam", "spam"):
        flags.flag_post(make.make_user(), reply, NewFlag(reason))
        assert reply.visibility == "public"
    flags.flag_post(make.make_user(), reply, NewFlag("offensive"))
    assert reply.visibility == "hidden" and reply.thread.reply_count == 0
    assert moderation_notes(reply.author_id) == [
        "Your post was hidden pending review. Reason: Community members flagged it (offensive, spam); "
        "a moderator will review it."]
    [item] = open_items(reply.id)
    assert item.kind == "flagged"
    [entry] = audit_entries("flags.hide")
    assert entry.actor_id is None and entry.target_id == reply.id


@pytest.mark.parametrize(("roles", "hidden"), [
    (["advocate"], False),
    (["advocate", "member"], True),
    (["moderator"], True),
    (["agent"], True),
    (["member", "member"], False),
])
def test_flags_weigh_by_standing_member_1_advocate_2_staff_3(make, reply, roles, hidden):
    for role in roles:
        flags.flag_post(make.make_user(role), reply, NewFlag("off_topic"))
    assert (reply.visibility == "hidden") is hidden


def test_the_threshold_is_a_community_setting(make, reply):
    community_settings.update_settings(make.make_user("admin"), {"moderation.hide_threshold": 5})
    for _ in range(4):
        flags.flag_post(make.make_user(), reply, NewFlag("spam"))
    assert reply.visibility == "public" and flags.score(reply.id) == 4
    flags.flag_post(make.make_user(), reply, NewFlag("spam"))
    assert reply.visibility == "hidden"


def test_needs_staff_raises_the_post_to_staff_instead_of_hiding_it(make, reply):
    for _ in range(3):
        flags.flag_post(make.make_user("moderator"), reply, NewFlag("needs_staff", "Customer shared an account number"))
    assert reply.visibility == "public" and flags.score(reply.id) == 0
    [item] = open_items(reply.id)
    assert item.kind == "needs_staff" and "account number" in item.reason


def test_a_needs_staff_flag_takes_over_an_open_flagged_item(make, reply):
    flags.flag_post(make.make_user(), reply, NewFlag("spam"))
    flags.flag_post(make.make_user(), reply, NewFlag("needs_staff"))
    [item] = open_items(reply.id)
    assert item.kind == "needs_staff" and "spam" in item.reason and "staff" in item.reason


def test_one_flag_per_user_per_post(make, reply):
    flagger = make.make_user()
    flags.flag_post(flagger, reply, NewFlag("spam"))
    with pytest.raises(Conflict):
        flags.flag_post(flagger, reply, NewFlag("offensive"))
    assert flags.score(reply.id) == 1


def test_bad_reasons_and_notes_are_refused_with_every_problem(make, reply):
    with pytest.raises(Invalid) as caught:
        flags.flag_post(make.make_user(), reply, NewFlag("boring", "x" * 600))
    assert set(caught.value.errors) == {"reason", "note"}
    with pytest.raises(Invalid) as caught:
        flags.flag_post(make.make_user(), reply, NewFlag("other", "  "))
    assert "note" in caught.value.errors


def test_anonymous_suspended_and_authors_cannot_flag(make, reply, clock_at):
    with pytest.raises(NotAuthenticated):
        flags.flag_post(None, reply, NewFlag("spam"))
    with pytest.raises(Forbidden):
        flags.flag_post(reply.author, reply, NewFlag("spam"))
    suspended = make.make_user(suspended_until=clock_at.advance(days=1), suspension_reason="spam")
    clock_at.advance(days=-1)
    with pytest.raises(Forbidden):
        flags.flag_post(suspended, reply, NewFlag("spam"))


def test_a_hidden_question_hides_its_thread(make):
    thread = make.make_thread()
    question = reading.question_post(thread)
    flags.flag_post(make.make_user("moderator"), question, NewFlag("offensive"))
    assert thread.visibility == "hidden"


def test_flagger_accuracy_counts_upheld_and_rejected_flags(make, reply):
    flagger = make.make_user()
    flags.flag_post(flagger, reply, NewFlag("spam"))
    assert flags.accuracy([flagger.id]) == {flagger.id: (0, 0)}
    assert flags.has_flagged(flagger, [reply.id]) == {reply.id}
