"""The ideas board's numbers, as community settings (read at each use, so a change applies at once).

Lowering the budget takes no vote back: members above it simply cast no new vote until closed ideas
give theirs back. Serial voting on ideas reuses reputation.serial_vote_limit and serial_window_hours.
"""

from __future__ import annotations

from forum.core import setting_registry
from forum.core.i18n import N_
from forum.core.setting_registry import SettingSpec

VOTE_BUDGET = "ideas.vote_budget"
SHIPPED_POINTS = "ideas.shipped_points"

setting_registry.register(
    SettingSpec(VOTE_BUDGET, int, 10,
                N_("Open idea votes each member may have at once; a vote comes back when its idea ships, is "
                   "declined or is merged into one the member already voted for."), 1, 1000,
                label=N_("Idea votes per member"), unit=N_("votes")),
    SettingSpec(SHIPPED_POINTS, int, 25,
                N_("Reputation a member earns when an idea they posted ships (staff earn none)."), 0, 1000,
                label=N_("Reputation for a shipped idea"), unit=N_("points")),
)
