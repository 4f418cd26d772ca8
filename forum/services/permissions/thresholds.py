"""The reputation (and for links, account age and approved posts) that unlocks each privilege, as community
settings (domain.md, "trust grows slowly, falls fast"): registered here, beside the rules that enforce
them, and read when a rule is asked (cached once per request or job), so a change applies at once.
"""

from __future__ import annotations

from datetime import timedelta

from forum.core.i18n import N_
from forum.core.setting_registry import SettingSpec, register
from forum.services import community_settings  # it imports this package: use it by name

LINKS_REPUTATION = "privileges.links.threshold"
LINKS_ACCOUNT_AGE_DAYS = "privileges.links.account_age_days"
LINKS_APPROVED_POSTS = "privileges.links.approved_posts"
RECOMMEND_ESCALATION_REPUTATION = "privileges.recommend_escalation.threshold"
REVIEW_QUEUE_REPUTATION = "privileges.review.threshold"
EDIT_OTHERS_REPUTATION = "privileges.edit_others.threshold"
MOST_REPUTATION = 10_000_000

register(
    SettingSpec(LINKS_REPUTATION, int, 10, N_("Reputation a member needs to put links and images in posts."),
                0, MOST_REPUTATION, label=N_("Post links and images from"), unit=N_("reputation"),
                help=N_("Advocates and staff always may; so may older accounts with enough approved posts.")),
    SettingSpec(LINKS_ACCOUNT_AGE_DAYS, int, 3,
                N_("Age after which an account with enough approved posts may post links and images whatever its "
                   "reputation."), 0, 365, label=N_("Links and images: account older than"), unit=N_("days")),
    SettingSpec(LINKS_APPROVED_POSTS, int, 3,
                N_("Approved posts an account older than that needs to post links and images whatever its "
                   "reputation."), 0, 1000, label=N_("Links and images: approved posts"), unit=N_("posts")),
    SettingSpec(RECOMMEND_ESCALATION_REPUTATION, int, 500,
                N_("Reputation a member needs to recommend that the support team take over a question asked by "
                   "someone else."), 0, MOST_REPUTATION, label=N_("Recommend escalation from"),
                unit=N_("reputation"), help=N_("Advocates and staff always may.")),
    SettingSpec(REVIEW_QUEUE_REPUTATION, int, 1000,
                N_("Reputation an advocate needs to work the review queue (moderators always may)."),
                0, MOST_REPUTATION, label=N_("Review queue for advocates from"), unit=N_("reputation")),
    SettingSpec(EDIT_OTHERS_REPUTATION, int, 2000, N_("Reputation a member needs to edit posts by others, wiki-style."),
                0, MOST_REPUTATION, label=N_("Edit others' posts from"), unit=N_("reputation"),
                help=N_("Advocates and moderators always may; every edit keeps the earlier version.")),
)


def threshold(key: str) -> int:
    """A privilege's number as the community set it now."""
    return int(community_settings.cached_setting(key))


def links_account_age() -> timedelta:
    return timedelta(days=threshold(LINKS_ACCOUNT_AGE_DAYS))
