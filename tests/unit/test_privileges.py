"""Privileges by reputation and role: refused below the threshold in the services, and described truthfully."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.core import clock
from forum.core.errors import Forbidden, Invalid
from forum.recognition import privileges
from forum.services import posting, qa, reading
from forum.services.permissions import Action, can
from moderation.services import review_queue

IMAGE = "Here is a screenshot: ![router lights](https://example.com/router.png)"


def test_editing_others_posts_needs_two_thousand_or_the_advocate_role(make):
    reply = make.make_reply(make.make_thread())
    with pytest.raises(Forbidden):
        posting.edit_post(make.make_user(reputation=1999), reply, "A clearer version of this answer.")
    posting.edit_post(make.make_user(reputation=2000), reply, "A clearer version of this answer.")
    posting.edit_post(make.make_user("advocate"), reply, "An even clearer version of this answer.")
    assert reply.body == "An even clearer version of this answer."


def test_the_review_queue_needs_an_advocate_with_a_thousand_or_a_moderator(make):
    for refused in (make.make_user(reputation=5000), make.make_user("advocate", reputation=999)):
        with pytest.raises(Forbidden):
            review_queue.list_open(refused, 20)
    review_queue.list_open(make.make_user("advocate", reputation=1000), 20)
    review_queue.list_open(make.make_user("moderator"), 20)


def test_recommending_escalation_needs_five_hundred_or_the_advocate_role(make):
    thread = make.make_thread()
    assert not can(make.make_user(reputation=499), Action.THREAD_RECOMMEND_ESCALATION, thread)
    assert can(make.make_user(reputation=500), Action.THREAD_RECOMMEND_ESCALATION, thread)
    assert can(make.make_user("advocate"), Action.THREAD_RECOMMEND_ESCALATION, thread)
    suspended = make.make_user(reputation=900, suspended_until=clock.now() + timedelta(days=1))
    assert not can(suspended, Action.THREAD_RECOMMEND_ESCALATION, thread)


def test_images_need_ten_reputation(make):
    thread = make.make_thread()
    with pytest.raises(Invalid):
        posting.reply_to_thread(make.make_user(reputation=9), thread, IMAGE)
    assert posting.reply_to_thread(make.make_user(reputation=10), thread, IMAGE).visibility == "public"


def test_a_suspended_member_may_not_vote_whatever_their_reputation(make):
    reply = make.make_reply(make.make_thread())
    suspended = make.make_user(reputation=3000, suspended_until=clock.now() + timedelta(hours=2))
    with pytest.raises(Forbidden):
        qa.vote_helpful(suspended, reply)


def by_key(user) -> dict[str, privileges.Standing]:
    return {s.privilege.key: s for s in privileges.standings(user)}


def test_a_new_member_sees_how_many_points_each_privilege_is_away(make):
    standing = by_key(make.make_user(reputation=4))
    assert standing["post"].has and standing["vote"].has
    assert {key: standing[key].points_missing for key in ("links", "recommend_escalation", "review", "edit_others")} \
        == {"links": 6, "recommend_escalation": 496, "review": 996, "edit_others": 1996}
    assert standing["review"].needs_advocate and not standing["edit_others"].needs_advocate


def test_a_member_past_a_threshold_has_it_and_the_review_queue_still_needs_the_role(make):
    standing = by_key(make.make_user(reputation=1500))
    assert standing["recommend_escalation"].has and not standing["edit_others"].has
    assert not standing["review"].has
    assert (standing["review"].points_missing, standing["review"].needs_advocate) == (0, True)


def test_advocates_and_moderators_hold_the_role_privileges(make):
    advocate = by_key(make.make_user("advocate"))
    assert advocate["recommend_escalation"].has and advocate["edit_others"].has
    assert (advocate["review"].has, advocate["review"].points_missing, advocate["review"].needs_advocate) == (
        False, 1000, False)
    assert all(s.has for s in privileges.standings(make.make_user("moderator")))


def test_a_suspended_member_is_told_why_they_lack_what_their_points_would_give(make):
    standing = by_key(make.make_user(reputation=3000, suspended_until=clock.now() + timedelta(days=2)))
    assert not standing["post"].has and standing["post"].suspended
    assert not standing["edit_others"].has and standing["edit_others"].points_missing == 0


def test_visitors_see_the_catalogue_without_a_standing():
    assert [s.has for s in privileges.standings(None)] == [None] * len(privileges.CATALOGUE)


@pytest.mark.parametrize("role,points", [("member", 0), ("member", 600), ("member", 2500), ("advocate", 0),
                                         ("advocate", 1200), ("moderator", 0), ("agent", 0)])
def test_the_page_says_exactly_what_the_services_enforce(make, role, points):
    thread = make.make_thread()
    reply = make.make_reply(thread)
    user = make.make_user(role, reputation=points)
    enforced = {
        "post": can(user, Action.THREAD_CREATE),
        "vote": can(user, Action.POST_VOTE, reply),
        "recommend_escalation": can(user, Action.THREAD_RECOMMEND_ESCALATION, thread),
        "review": can(user, Action.MODERATION_REVIEW),
        "edit_others": can(user, Action.POST_EDIT, reading.question_post(thread)),
    }
    described = by_key(user)
    assert {key: described[key].has for key in enforced} == enforced
