"""The privilege catalogue for the explanation page: what each privilege allows, who has it, how far away it is.

The rules themselves live in permissions.py (its thresholds and can_* checks, which the
services enforce for web and API alike) and in the domain packages' rules (forum.knowledge.rules);
this module only describes them and measures each user against them, so the page can never claim
something the services would refuse. The thresholds are community settings, read when shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from forum.core.i18n import N_, _, format_number
from forum.knowledge import rules as knowledge_rules
from forum.models import Role, User
from forum.services import community_settings, permissions
from forum.services.permissions import Action, thresholds


def _takes_part(user: User | None) -> bool:
    """Signed in and not suspended: the rule behind posting, replying, voting and flagging."""
    return permissions.can(user, Action.THREAD_CREATE)


@dataclass(frozen=True)
class Privilege:
    """One privilege: its rule is check; setting holds the reputation that unlocks it, if any."""

    key: str
    name: str  # name, allows and wording stay English here (N_) and are translated where shown
    allows: str
    wording: str  # what it needs, in words; "%(threshold)s" stands for the threshold
    check: Callable[[User | None], bool]
    setting: str | None = None  # the community setting that holds the threshold
    needs_advocate: bool = False  # members need the advocate role as well as the reputation

    @property
    def threshold(self) -> int | None:
        return int(community_settings.cached_setting(self.setting)) if self.setting is not None else None

    @property
    def label(self) -> str:
        return _(self.name)

    @property
    def description(self) -> str:
        return _(self.allows)

    @property
    def requirement(self) -> str:
        """What it needs, in the reader's language, the threshold written as they write numbers."""
        threshold = self.threshold
        return _(self.wording, threshold=format_number(threshold) if threshold is not None else "",
                 days=thresholds.threshold(thresholds.LINKS_ACCOUNT_AGE_DAYS),
                 posts=thresholds.threshold(thresholds.LINKS_APPROVED_POSTS))


CATALOGUE: tuple[Privilege, ...] = (
    Privilege("post", N_("Ask and reply"), N_("Start questions and discussions, and reply to anyone's."),
              N_("Signed in, not suspended."), _takes_part),
    Privilege("vote", N_("Vote helpful, say “me too”, flag"),
              N_("Tell people their post helped, show you have the same question, and flag posts for moderators."),
              N_("Signed in, not suspended."), _takes_part),
    Privilege("links", N_("Post links and images"), N_("Put links and images in your posts."),
              N_("Reputation %(threshold)s, or an account older than %(days)d days with %(posts)d approved posts."),
              permissions.can_post_links, thresholds.LINKS_REPUTATION),
    Privilege("recommend_escalation", N_("Recommend escalation"),
              N_("Recommend that the support team take over someone else's question as a service case."),
              N_("Reputation %(threshold)s, or advocate."), permissions.can_recommend_escalation,
              thresholds.RECOMMEND_ESCALATION_REPUTATION),
    Privilege("review", N_("Review queue"), N_("Approve new members' posts and handle flagged posts."),
              N_("Advocates with reputation %(threshold)s, and moderators."), permissions.can_review,
              thresholds.REVIEW_QUEUE_REPUTATION, needs_advocate=True),
    Privilege("edit_others", N_("Edit others' posts"),
              N_("Improve anyone's post, wiki-style; every edit keeps the earlier version in its history."),
              N_("Reputation %(threshold)s, or advocate."), permissions.can_edit_others,
              thresholds.EDIT_OTHERS_REPUTATION),
    Privilege("propose_articles", N_("Propose knowledge-base articles"),
              N_("Write articles for the knowledge base, or turn a solved question into one; staff review and "
                 "publish them, and a published proposal earns reputation."),
              N_("Reputation %(threshold)s, or advocate."), knowledge_rules.holds_article_privilege,
              setting="knowledge.propose_reputation"),
)


@dataclass(frozen=True)
class Standing:
    """Where one user stands on one privilege; has is None for signed-out visitors."""

    privilege: Privilege
    has: bool | None
    points_missing: int = 0
    needs_advocate: bool = False
    suspended: bool = False


def standings(user: User | None) -> list[Standing]:
    """Every privilege with the user's standing: held, or how many points (and whether a role) are missing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return [Standing(privilege, None) for privilege in CATALOGUE]
    return [_standing(user, privilege) for privilege in CATALOGUE]


def _standing(user: User, privilege: Privilege) -> Standing:
    if privilege.check(user):
        return Standing(privilege, True)
    missing = max(0, privilege.threshold - user.reputation) if privilege.threshold is not None else 0
    return Standing(
        privilege, False, points_missing=missing,
        needs_advocate=privilege.needs_advocate and user.role_enum is Role.MEMBER,
        suspended=permissions.is_suspended(user),
    )
