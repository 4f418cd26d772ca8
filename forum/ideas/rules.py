"""Who may post, vote for, manage and report on ideas (installed with permissions.register_rules from
forum.ideas.init_app). Reading an idea is reading its thread (THREAD_VIEW): the same visibility rules.

Idea votes are apart from helpful votes: no self-votes, none while suspended or unverified (is_active),
only on an idea the voter can see. Staff (moderators and above) set statuses, merge and attach links.
"""

from __future__ import annotations

from typing import Any

from forum.models import User
from forum.services.permissions import Action, can, is_active, is_staff


def may_create(user: User | None, _target: Any = None) -> bool:
    return is_active(user)


def may_vote(user: User | None, idea: Any) -> bool:
    """idea: an Idea (its thread decides visibility and authorship)."""
    if idea is None or not is_active(user):
        return False
    thread = idea.thread
    return thread.author_id != user.id and can(user, Action.THREAD_VIEW, thread)


def may_manage(user: User | None, _target: Any = None) -> bool:
    return is_active(user) and is_staff(user)


RULES = {
    Action.IDEA_CREATE: may_create,
    Action.IDEA_VOTE: may_vote,
    Action.IDEA_MANAGE: may_manage,
    Action.IDEA_REPORT: may_manage,
}
