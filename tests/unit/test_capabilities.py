"""Capabilities.of derives a viewer's standing in one pass (issue 21); the standing functions each derive it
again. Both must give the same answers for every kind of account, or a page would show a control the action
then refuses (or hide one it allows)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.core import clock
from forum.models import Role
from forum.services import community_settings
from forum.services.permissions import ANONYMOUS, Capabilities, acting_role, can_edit_others, is_active, is_moderator

ROLES = ("member", "advocate", "moderator", "agent", "admin")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("reputation", [0, 1999, 2000])
@pytest.mark.parametrize("state", ["plain", "suspended", "unverified", "owes_second_factor"])
def test_capabilities_agree_with_the_standing_rules(make, db, role, reputation, state):
    admin = make.make_user("admin")
    community_settings.update_settings(admin, {"accounts.require_verified_email": True,
                                               "accounts.staff_require_2fa": state == "owes_second_factor"})
    user = make.make_user(role, reputation=reputation, verified=state != "unverified")
    if state == "suspended":
        user.suspended_until = clock.now() + timedelta(days=1)
    db.session.commit()

    capabilities = Capabilities.of(user)
    assert capabilities.user_id == user.id
    assert capabilities.active is is_active(user)
    assert capabilities.moderator is is_moderator(user)
    assert capabilities.advocate is (acting_role(user) is Role.ADVOCATE)
    assert capabilities.edits_others is can_edit_others(user)


def test_a_visitor_has_no_capabilities(db):
    assert Capabilities.of(None) is ANONYMOUS
    assert not (ANONYMOUS.active or ANONYMOUS.moderator or ANONYMOUS.edits_others)


@pytest.mark.parametrize("role", ROLES)
def test_can_as_answers_what_can_answers_for_every_action(make, db, role):
    """Templates ask can_as with the viewer's Capabilities derived once per rendering: every action, on a
    thread, a post and nothing, gets can()'s answer (the viewer rules and the others alike)."""
    from forum.services.permissions import Action, can, can_as

    user = make.make_user(role, reputation=2500)
    thread = make.make_thread()
    reply = make.make_reply(thread)
    capabilities = Capabilities.of(user)
    for action in Action:
        for target in (thread, reply, thread.author):
            try:
                expected = can(user, action, target)
            except (AttributeError, TypeError, ValueError):  # a rule about another kind of target
                continue
            assert can_as(capabilities, user, action, target) is expected, (action, target)
