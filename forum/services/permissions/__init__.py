"""Who may do what: one vocabulary of actions shared by services, views and templates.

can() answers for templates and views; require() raises Forbidden, or NotFound for
things the caller may not even see, so a refusal never leaks that something exists.
visible_threads()/visible_posts() are *the* definition of what a viewer may read.

An account's standing limits every rule at once: a suspended account (whatever its role) and
an unverified one only read (restriction()); staff who must but did not yet enrol in two-factor
sign-in act as members (acting_role()). The web and the API also refuse every write from a restricted
account in one place, forum.http.standing, unless the route is one the restriction leaves open.

actions (the vocabulary), thresholds (the privileges' reputation, as community settings), standing (an
account's role, restriction and privileges), rules (who may do what; domain packages add theirs with
register_rules) and visibility (query filters) hold the parts; callers import the names re-exported here.
"""

from __future__ import annotations

from forum.services.permissions import thresholds
from forum.services.permissions.actions import Action, Restriction
from forum.services.permissions.rules import ANONYMOUS, Capabilities, Rule, can, can_as, register_rules, require
from forum.services.permissions.standing import (
    acting_role,
    advocate_or_reputation,
    can_edit_others,
    can_post_links,
    can_recommend_escalation,
    can_review,
    is_active,
    is_admin,
    is_agent,
    is_moderator,
    is_staff,
    is_suspended,
    needs_second_factor,
    restriction,
    signed_in,
)
from forum.services.permissions.visibility import (
    bound_viewer,
    viewer_params,
    visible_posts,
    visible_posts_as,
    visible_threads,
    visible_threads_as,
)

__all__ = [
    "ANONYMOUS", "Action", "Capabilities", "Restriction", "Rule",
    "acting_role", "advocate_or_reputation", "can", "can_as", "can_edit_others", "can_post_links",
    "can_recommend_escalation", "can_review",
    "is_active", "is_admin", "is_agent", "is_moderator", "is_staff", "is_suspended", "needs_second_factor",
    "register_rules", "require", "restriction", "signed_in", "thresholds",
    "bound_viewer", "viewer_params", "visible_posts", "visible_posts_as", "visible_threads", "visible_threads_as",
]
