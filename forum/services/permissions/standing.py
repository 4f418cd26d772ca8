"""A signed-in account's standing: its role as the rules see it, a suspension, an unconfirmed address, and
the privileges reputation unlocks. Every rule is built from these answers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from forum.core import clock
from forum.core.extensions import db
from forum.models import Post, Role, User, Visibility
from forum.services import community_settings
from forum.services.permissions.actions import Restriction
from forum.services.permissions.thresholds import (
    EDIT_OTHERS_REPUTATION,
    LINKS_APPROVED_POSTS,
    LINKS_REPUTATION,
    RECOMMEND_ESCALATION_REPUTATION,
    REVIEW_QUEUE_REPUTATION,
    links_account_age,
    threshold,
)


def signed_in(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def restriction(user: User | None) -> Restriction | None:
    """SUSPENDED while a suspension runs; UNVERIFIED until the email is confirmed (when the rule is on)."""
    if not signed_in(user):
        return None
    if is_suspended(user):
        return Restriction.SUSPENDED
    if user.email_verified_at is None and community_settings.cached_setting("accounts.require_verified_email"):
        return Restriction.UNVERIFIED
    return None


def needs_second_factor(user: User | None) -> bool:
    """Staff must enrol in two-factor sign-in before using staff powers (a setting; bots are exempt)."""
    return (
        signed_in(user) and user.role_enum.is_staff and not user.two_factor_enabled
        and not user.is_service_account and community_settings.cached_setting("accounts.staff_require_2fa")
    )


def acting_role(user: User | None) -> Role | None:
    """The role the rules see: a suspended account, or staff still owing a second factor, act as a member."""
    if not signed_in(user):
        return None
    role = user.role_enum
    if role is not Role.MEMBER and (is_suspended(user) or needs_second_factor(user)):
        return Role.MEMBER
    return role


def is_moderator(user: User | None) -> bool:
    """Moderator and above (moderator, agent, admin) may moderate content."""
    role = acting_role(user)
    return role is not None and role.level >= Role.MODERATOR.level


def is_staff(user: User | None) -> bool:
    """Staff (moderator, agent, admin) may act on any customer's question."""
    role = acting_role(user)
    return role is not None and role.is_staff


def is_admin(user: User | None) -> bool:
    return acting_role(user) is Role.ADMIN


def is_suspended(user: User | None) -> bool:
    """Suspended users read and sign in but may not post, vote or flag until suspended_until."""
    until = getattr(user, "suspended_until", None) if signed_in(user) else None
    return until is not None and until > clock.now()


def is_active(user: User | None) -> bool:
    """Signed in, not suspended and verified: may take part (post, reply, vote, flag, say "me too")."""
    return signed_in(user) and restriction(user) is None


def advocate_or_reputation(user: User | None, reputation: int) -> bool:
    return is_active(user) and (acting_role(user) is Role.ADVOCATE or is_staff(user) or user.reputation >= reputation)


def can_review(user: User | None) -> bool:
    """The review queue: moderators (and agents, admins), and advocates with 1,000 reputation (a setting, as every
    threshold here), not while suspended."""
    if is_moderator(user):
        return True
    return (is_active(user) and acting_role(user) is Role.ADVOCATE
            and user.reputation >= threshold(REVIEW_QUEUE_REPUTATION))


def can_recommend_escalation(user: User | None) -> bool:
    """Recommend escalating others' threads: advocates, staff, or reputation 500; not while suspended."""
    return is_active(user) and advocate_or_reputation(user, threshold(RECOMMEND_ESCALATION_REPUTATION))


def is_agent(user: User | None) -> bool:
    """Agents and admins work service cases (api.md's "agent+")."""
    role = acting_role(user)
    return role is not None and role.level >= Role.AGENT.level


def can_edit_others(user: User | None) -> bool:
    """Edit others' live posts (wiki-style): moderators; advocates and reputation 2,000 while not suspended."""
    return is_moderator(user) or (is_active(user) and advocate_or_reputation(user, threshold(EDIT_OTHERS_REPUTATION)))


def can_post_links(user: User | None) -> bool:
    """Links and images: reputation 10, or an account older than 3 days with 3 approved posts; staff, advocates."""
    if not signed_in(user):
        return False
    if advocate_or_reputation(user, threshold(LINKS_REPUTATION)):
        return True
    if clock.now() - user.created_at < links_account_age():
        return False
    approved = db.session.scalar(
        select(func.count(Post.id)).where(
            Post.author_id == user.id, Post.deleted_at.is_(None), Post.visibility == Visibility.PUBLIC.value
        )
    )
    return approved >= threshold(LINKS_APPROVED_POSTS)


def outranks(user: User | None, target: User) -> bool:
    """Moderators act on members and advocates; only admins act on other staff."""
    if not is_moderator(user) or target.id == user.id:
        return False
    return is_admin(user) or not target.is_staff


def owns(user: User | None, target: Any) -> bool:
    return signed_in(user) and getattr(target, "author_id", None) == user.id
