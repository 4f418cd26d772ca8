"""Recognition's numbers as community settings: the points of each ledger reason, the rank thresholds, the
rescue wait and the bounty (domain.md's defaults). The privilege thresholds are the permission rules'
(forum.services.permissions.thresholds), since the services enforce them.

Registered when this module is imported: by forum.recognition's modules that read them, so by the
package itself, before any app exists. Values are read at the point of use with cached_setting (once
per request or job), so a change applies at once. A ledger row stores the points it gave, so a change
of points reaches new rows only: reversals undo the stored row, and a recompute sums stored rows.
"""

from __future__ import annotations

from typing import Any

from forum.core.i18n import N_, _, format_number
from forum.core.setting_registry import SettingSpec, register, register_check
from forum.models import LedgerReason
from forum.services import community_settings

POINTS_UNIT = N_("points")
NEW_ROWS_ONLY = N_("A change applies to reputation earned from now on: reputation already earned keeps its "
                   "points, and undoing it takes back exactly what it gave.")
MOST_POINTS = 1000


def _points(key: str, default: int, label: str, description: str) -> SettingSpec:
    """Points of one ledger reason: at least 1, since a reason worth nothing would write no row, and rows are
    what solutions, rescues and badges are counted from."""
    return SettingSpec(key, int, default, description, 1, MOST_POINTS, label=label, unit=POINTS_UNIT,
                       help=NEW_ROWS_ONLY)


POINT_SETTINGS: dict[LedgerReason, SettingSpec] = {
    LedgerReason.REPLY_VOTED: _points(
        "reputation.points.reply_voted", 10, N_("Helpful vote on a reply"),
        N_("Reputation the author of a reply earns for each helpful vote on it.")),
    LedgerReason.QUESTION_VOTED: _points(
        "reputation.points.question_voted", 5, N_("Helpful vote on a question"),
        N_("Reputation an asker earns for each helpful vote on their question.")),
    LedgerReason.REPLY_ACCEPTED: _points(
        "reputation.points.reply_accepted", 15, N_("Reply accepted as the solution"),
        N_("Reputation the author of a reply earns when it is accepted as the solution.")),
    LedgerReason.ACCEPTED_SOLUTION: _points(
        "reputation.points.accepted_solution", 2, N_("Accepting a solution"),
        N_("Reputation an asker earns for accepting a reply by someone else as the solution.")),
    LedgerReason.RESCUE: _points(
        "reputation.points.rescue", 10, N_("Rescue bonus"),
        N_("Bonus for an accepted reply on a question that had waited longer than the rescue wait for its first "
           "reply.")),
    LedgerReason.DEFLECTION: _points(
        "reputation.points.deflection", 10, N_("Solved before support did"),
        N_("Bonus for a member whose accepted reply solved a question while it waited for the support team.")),
    LedgerReason.BOUNTY: _points(
        "bounty.points", 20, N_("Bounty"), N_("Bonus for the accepted reply on a question that carries a bounty.")),
}
RESCUE_AFTER = "reputation.rescue_after_hours"
BOUNTY_OFFER_AT = "bounty.offer_at_pct"

# Ranks from the bottom up; Newcomer, below them all, starts at 0. Names stay English (N_): the API and the
# rank's CSS class use them, pages translate them.
NEWCOMER = N_("Newcomer")
RANK_SETTINGS: dict[str, SettingSpec] = {
    spec.key: spec for spec in (
        SettingSpec("ranks.contributor.threshold", int, 50, N_("Reputation that makes a member a Contributor."),
                    1, 10_000_000, label=N_("Contributor rank from"), unit=N_("reputation")),
        SettingSpec("ranks.helper.threshold", int, 200, N_("Reputation that makes a member a Helper."),
                    1, 10_000_000, label=N_("Helper rank from"), unit=N_("reputation")),
        SettingSpec("ranks.expert.threshold", int, 1000, N_("Reputation that makes a member an Expert."),
                    1, 10_000_000, label=N_("Expert rank from"), unit=N_("reputation")),
        SettingSpec("ranks.champion.threshold", int, 5000, N_("Reputation that makes a member a Champion (and earns "
                    "the Champion badge)."), 1, 10_000_000, label=N_("Champion rank from"), unit=N_("reputation"),
                    help=N_("Each rank needs more reputation than the one below it.")),
    )
}
RANK_NAMES = {"ranks.contributor.threshold": N_("Contributor"), "ranks.helper.threshold": N_("Helper"),
              "ranks.expert.threshold": N_("Expert"), "ranks.champion.threshold": N_("Champion")}

register(
    *POINT_SETTINGS.values(),
    SettingSpec(RESCUE_AFTER, float, 24, N_("Hours a question must have waited for its first reply for the reply "
                                            "accepted on it to earn the rescue bonus."), 0.05, 24 * 90,
                label=N_("Rescue wait"), unit=N_("hours"), help=NEW_ROWS_ONLY),
    *RANK_SETTINGS.values(),
    SettingSpec(BOUNTY_OFFER_AT, int, 75, N_("A question still without a reply this far into its first reply "
                                             "target gets a bounty, so someone can still answer in time."), 5, 100,
                label=N_("Offer a bounty after"), unit=N_("%% of the first reply target")),
)


def _ranks_rise(values: dict[str, Any], changed: set[str]) -> dict[str, str]:
    """Each rank needs more reputation than the one below: the changed threshold out of order is named."""
    problems: dict[str, str] = {}
    keys = list(RANK_SETTINGS)
    for lower, upper in zip(keys, keys[1:], strict=False):
        if values[lower] < values[upper]:
            continue
        if upper in changed or lower not in changed:
            problems.setdefault(upper, _("It must be more than the %(rank)s rank's %(threshold)s: each rank needs "
                                         "more reputation than the one below.", rank=_(RANK_NAMES[lower]),
                                         threshold=format_number(values[lower])))
        else:
            problems.setdefault(lower, _("It must be less than the %(rank)s rank's %(threshold)s: each rank needs "
                                         "more reputation than the one below.", rank=_(RANK_NAMES[upper]),
                                         threshold=format_number(values[upper])))
    return problems


register_check(_ranks_rise)


def points(reason: LedgerReason) -> int:
    """What a new row of reason gives now (rows keep what they gave)."""
    return int(community_settings.cached_setting(POINT_SETTINGS[reason].key))


def rank_thresholds() -> list[tuple[int, str]]:
    """(threshold, rank name) from the top rank down to Newcomer at 0, as the community set them."""
    ranks = [(int(community_settings.cached_setting(key)), RANK_NAMES[key]) for key in RANK_SETTINGS]
    return [*reversed(ranks), (0, NEWCOMER)]


def rescue_after_hours() -> float:
    return float(community_settings.cached_setting(RESCUE_AFTER))


def bounty_share() -> float:
    """How far into sla.first_reply_hours a question without a reply gets a bounty (0.75 by default)."""
    return community_settings.cached_setting(BOUNTY_OFFER_AT) / 100
