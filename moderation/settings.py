"""Moderation's numbers as community settings: how much each standing's flag weighs, how many links a new
member's post may carry, and how many of their posts with links wait for a moderator.

Registered when this module is imported (moderation's init_app, and the services that read them), so
they are on the admin page's "Moderation and spam" group (their prefix) and in the settings API, and a
change applies to the next flag or post without a restart.
"""

from __future__ import annotations

from forum.core import setting_registry
from forum.core.i18n import N_
from forum.core.setting_registry import SettingSpec

FLAG_POINTS = N_("flag points")


def _weight(standing: str, default: int, description: str, label: str) -> SettingSpec:
    return SettingSpec(f"moderation.flag_weight.{standing}", int, default, description, 0, 100, label=label,
                       unit=FLAG_POINTS,
                       help=N_("A post is hidden pending review when its open flags weigh as much as the flag score "
                               "that hides a post. A weight of 0 still sends the flag to the review queue. The "
                               "weight is taken when the flag is raised; flags already raised keep theirs."))


setting_registry.register(
    _weight("member", 1, N_("How much a member's flag counts toward hiding a post."),
            N_("Weight of a member's flag")),
    _weight("advocate", 2, N_("How much an advocate's flag counts toward hiding a post."),
            N_("Weight of an advocate's flag")),
    _weight("staff", 3, N_("How much a flag from staff (moderators, agents, admins) counts toward hiding a post."),
            N_("Weight of a staff member's flag")),
    SettingSpec("moderation.new_member_max_links", int, 2,
                N_("Most links one post may carry from a member below the link privilege."), 0, 50,
                label=N_("Links per post from new members"), unit=N_("links")),
    SettingSpec("moderation.held_link_posts", int, 2,
                N_("How many of the first posts with links by a member below the link privilege wait for a "
                   "moderator's approval."), 0, 20,
                label=N_("New members' posts with links held for review"), unit=N_("posts")),
)
