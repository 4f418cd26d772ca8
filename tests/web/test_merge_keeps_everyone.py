"""Merging a thread keeps everyone who followed it (issue 18, item 6), through the moderator's merge form.

Before, only the posts moved: the duplicate's watchers heard nothing more, its "me too"s vanished
from the count, its tags and open case stayed behind on a deleted thread, and nobody was told.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum import cases
from forum.core.extensions import db
from forum.models import MeToo, Notification, NotificationKind, Subscription
from forum.services import qa, subscriptions
from tests.moderation_support import audit_entries
from tests.web.helpers import text


@pytest.fixture
def pair(make, community):
    """A duplicate question (source) and the thread it belongs with (target), by different askers."""
    source = make.make_thread(author=make.make_user(username="dupe"), category=community.category,
                              title="Billed two times in May", tags=["billing", "invoice"])
    target = make.make_thread(author=community.author, category=community.category,
                              title="Double charge on my invoice", tags=["billing"])
    return source, target


def merge(act_as, source, target, caller: str = "moderator"):
    return act_as(caller).post(f"/moderation/threads/{source.id}/merge",
                               data={"merge-target_id": target.id, "merge-reason": "Same question"},
                               follow_redirects=True)


def watch_state(user, thread) -> str | None:
    return subscriptions.state_of(user, thread)


def merge_notes(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == NotificationKind.MERGED.value)))


def test_watchers_of_the_merged_thread_now_watch_the_target_and_hear_its_replies(make, act_as, pair, community):
    source, target = pair
    watcher = make.make_user(username="watcher")
    subscriptions.watch(watcher, source)
    merge(act_as, source, target)
    assert watch_state(watcher, target) == "watching"
    assert watch_state(source.author, target) == "watching"  # the duplicate's asker watched it automatically
    make.make_reply(target, author=community.other, body="Refunds take five days.")
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == watcher.id, Notification.kind == NotificationKind.REPLY.value)) == 1


def test_someone_watching_both_keeps_one_watch_and_a_mute_on_either_wins(make, act_as, pair):
    source, target = pair
    both, muted_source, muted_target = (make.make_user(username=n) for n in ("both", "mutesrc", "mutetgt"))
    for thread in (source, target):
        subscriptions.watch(both, thread)
    subscriptions.mute(muted_source, source)
    subscriptions.watch(muted_source, target)
    subscriptions.watch(muted_target, source)
    subscriptions.mute(muted_target, target)
    merge(act_as, source, target)
    rows = db.session.scalars(select(Subscription).where(Subscription.thread_id == target.id,
                                                         Subscription.user_id == both.id)).all()
    assert len(rows) == 1 and not rows[0].muted
    assert watch_state(muted_source, target) == "muted" and watch_state(muted_target, target) == "muted"
    assert merge_notes(muted_source) == [] and merge_notes(muted_target) == []


def test_me_toos_join_the_target_without_counting_anyone_twice(make, act_as, pair):
    source, target = pair
    only_source, on_both = make.make_user(username="solo"), make.make_user(username="twice")
    qa.add_me_too(only_source, source)
    qa.add_me_too(on_both, source)
    qa.add_me_too(on_both, target)
    qa.add_me_too(target.author, source)  # the target's own asker: their question now, not a "me too"
    merge(act_as, source, target)
    db.session.refresh(target)
    assert target.me_too_count == 2
    assert set(db.session.scalars(select(MeToo.user_id).where(MeToo.thread_id == target.id))) == {only_source.id,
                                                                                                   on_both.id}
    assert qa.has_me_too(only_source, target)


def test_the_merged_threads_tags_join_the_targets(act_as, pair):
    source, target = pair
    merge(act_as, source, target)
    db.session.refresh(target)
    assert [tag.name for tag in target.tags] == ["billing", "invoice"]


def test_an_open_case_moves_with_its_thread_and_the_customer_keeps_it(act_as, pair, switch_user):
    source, target = pair
    case, _created = cases.escalate_thread(source.author, source, "Still charged twice")
    merge(act_as, source, target)
    db.session.refresh(case)
    assert case.thread_id == target.id and case.is_open
    assert cases.open_case_for(target) == case
    db.session.refresh(target)
    assert target.status == "escalated"
    page = text(switch_user(source.author).get(f"/cases/{case.id}"))
    assert "Double charge on my invoice" in page


def test_a_merge_between_two_open_cases_is_refused_with_the_reason(act_as, pair):
    source, target = pair
    cases.escalate_thread(source.author, source, "Still charged twice")
    cases.escalate_thread(target.author, target, "Please refund")
    page = text(merge(act_as, source, target))
    assert "Both threads have an open support case" in page
    assert source.merged_into_id is None and audit_entries("thread.merge") == []


def test_everyone_is_told_where_the_thread_went(make, act_as, pair, switch_user):
    source, target = pair
    watcher, fellow = make.make_user(username="watcher"), make.make_user(username="fellow")
    subscriptions.watch(watcher, source)
    qa.add_me_too(fellow, source)
    merge(act_as, source, target)
    for user in (watcher, fellow, source.author):
        [note] = merge_notes(user)
        assert note.thread_id == target.id and source.title in note.message and target.title in note.message
    page = text(switch_user(watcher).get("/notifications"))
    assert f"/t/{target.id}/{target.slug}" in page


def test_the_audit_entry_says_what_was_carried(make, act_as, pair):
    source, target = pair
    watcher = make.make_user(username="watcher")
    subscriptions.watch(watcher, source)
    merge(act_as, source, target)
    [entry] = audit_entries("thread.merge")
    assert '"tags_added": ["invoice"]' in entry.after_json and str(watcher.id) in entry.after_json
