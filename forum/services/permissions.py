"""Who may do what: one vocabulary of actions shared by services, views and templates.

can() answers for templates and views; require() raises Forbidden, or NotFound for
things the caller may not even see, so a refusal never leaks that something exists.
visible_threads()/visible_posts() are *the* definition of what a viewer may read.

An account's standing limits every rule at once: a suspended account (whatever its role) and
an unverified one only read (restriction()); staff who must but did not yet enrol in two-factor
sign-in act as members (_role()). The web and the API also refuse every write from a restricted
account in one place, forum.http.standing, unless the route is one the restriction leaves open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, or_, select

from forum.core import clock
from forum.core.errors import Forbidden, NotAuthenticated, NotFound
from forum.core.extensions import db
from forum.models import Post, Role, Thread, User, Visibility
from forum.services import community_settings

# Reputation that unlocks each privilege (domain.md, "trust grows slowly, falls fast").
LINKS_REPUTATION = 10
RECOMMEND_ESCALATION_REPUTATION = 500
REVIEW_QUEUE_REPUTATION = 1000
EDIT_OTHERS_REPUTATION = 2000
LINKS_ACCOUNT_AGE = timedelta(days=3)
LINKS_APPROVED_POSTS = 3


class Action(StrEnum):
    THREAD_VIEW = "thread:view"
    THREAD_CREATE = "thread:create"
    THREAD_REPLY = "thread:reply"
    THREAD_EDIT = "thread:edit"
    THREAD_MODERATE = "thread:moderate"
    POST_EDIT = "post:edit"
    POST_DELETE = "post:delete"
    POST_HISTORY = "post:history"
    POST_VOTE = "post:vote"
    THREAD_ACCEPT = "thread:accept"
    THREAD_ME_TOO = "thread:me-too"
    THREAD_REQUEST_INFO = "thread:request-info"
    THREAD_CLEAR_INFO = "thread:clear-info"
    CATEGORY_MANAGE = "category:manage"
    USER_EDIT = "user:edit"
    USER_MANAGE = "user:manage"
    SETTINGS_MANAGE = "settings:manage"
    ADMIN_VIEW = "admin:view"
    POST_FLAG = "post:flag"
    THREAD_RECOMMEND_ESCALATION = "thread:recommend-escalation"
    THREAD_ESCALATE = "thread:escalate"
    CASE_VIEW = "case:view"
    CASE_WORK = "case:work"
    MODERATION_REVIEW = "moderation:review"
    AUDIT_VIEW = "audit:view"
    USER_SUSPEND = "user:suspend"
    USER_ANONYMIZE = "user:anonymize"
    USER_MAKE_ADVOCATE = "user:make-advocate"
    WATCHED_WORDS_MANAGE = "watched-words:manage"
    MISSION_MANAGE = "mission:manage"
    ANALYTICS_VIEW = "analytics:view"
    MEMBER_360_VIEW = "member-360:view"
    INTEGRATIONS_MANAGE = "integrations:manage"
    TOKEN_LIST = "token:list"  # nosec B105  # permission name
    TOKEN_CREATE = "token:create"  # nosec B105  # permission name
    TOKEN_REVOKE = "token:revoke"  # nosec B105  # permission name
    SERVICE_TOKEN_MANAGE = "service-token:manage"  # nosec B105  # permission name


class Restriction(StrEnum):
    """Why a signed-in account may only read."""

    SUSPENDED = "suspended"
    UNVERIFIED = "unverified"


def _signed_in(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def restriction(user: User | None) -> Restriction | None:
    """SUSPENDED while a suspension runs; UNVERIFIED until the email is confirmed (when the rule is on)."""
    if not _signed_in(user):
        return None
    if is_suspended(user):
        return Restriction.SUSPENDED
    if user.email_verified_at is None and community_settings.cached_setting("accounts.require_verified_email"):
        return Restriction.UNVERIFIED
    return None


def needs_second_factor(user: User | None) -> bool:
    """Staff must enrol in two-factor sign-in before using staff powers (a setting; bots are exempt)."""
    return (
        _signed_in(user) and user.role_enum.is_staff and not user.two_factor_enabled
        and not user.is_service_account and community_settings.cached_setting("accounts.staff_require_2fa")
    )


def _role(user: User | None) -> Role | None:
    """The role the rules see: a suspended account, or staff still owing a second factor, act as a member."""
    if not _signed_in(user):
        return None
    role = user.role_enum
    if role is not Role.MEMBER and (is_suspended(user) or needs_second_factor(user)):
        return Role.MEMBER
    return role


def is_moderator(user: User | None) -> bool:
    """Moderator and above (moderator, agent, admin) may moderate content."""
    role = _role(user)
    return role is not None and role.level >= Role.MODERATOR.level


def is_staff(user: User | None) -> bool:
    """Staff (moderator, agent, admin) may act on any customer's question."""
    role = _role(user)
    return role is not None and role.is_staff


def is_admin(user: User | None) -> bool:
    return _role(user) is Role.ADMIN


def is_suspended(user: User | None) -> bool:
    """Suspended users read and sign in but may not post, vote or flag until suspended_until."""
    until = getattr(user, "suspended_until", None) if _signed_in(user) else None
    return until is not None and until > clock.now()


def _active(user: User | None) -> bool:
    """Signed in, not suspended and verified: may take part (post, reply, vote, flag, say "me too")."""
    return _signed_in(user) and restriction(user) is None


def _advocate_or_reputation(user: User | None, reputation: int) -> bool:
    return _active(user) and (_role(user) is Role.ADVOCATE or is_staff(user) or user.reputation >= reputation)


def can_review(user: User | None) -> bool:
    """The review queue: moderators (and agents, admins), and advocates with 1,000 reputation, not while suspended."""
    if is_moderator(user):
        return True
    return _active(user) and _role(user) is Role.ADVOCATE and user.reputation >= REVIEW_QUEUE_REPUTATION


def can_recommend_escalation(user: User | None) -> bool:
    """Recommend escalating others' threads: advocates, staff, or reputation 500; not while suspended."""
    return _active(user) and _advocate_or_reputation(user, RECOMMEND_ESCALATION_REPUTATION)


def is_agent(user: User | None) -> bool:
    """Agents and admins work service cases (api.md's "agent+")."""
    role = _role(user)
    return role is not None and role.level >= Role.AGENT.level


def _can_escalate(user: User | None, thread: Thread) -> bool:
    """The asker asks for support; staff escalate any thread; advocates and 500 reputation recommend it."""
    if not _can_view_thread(Capabilities.of(user), thread) or thread.deleted_at is not None:
        return False
    if is_staff(user):
        return True
    # A suspended asker may still ask support for help with their own thread (no issue left unanswered).
    owner_may = _owns(user, thread) and restriction(user) is not Restriction.UNVERIFIED
    return owner_may or can_recommend_escalation(user)


def _can_view_case(user: User | None, case: Any) -> bool:
    """Agents see every case; a customer sees their own (never another's)."""
    return is_agent(user) or (_signed_in(user) and case.customer_id == user.id)


def can_edit_others(user: User | None) -> bool:
    """Edit others' live posts (wiki-style): moderators; advocates and reputation 2,000 while not suspended."""
    return is_moderator(user) or (_active(user) and _advocate_or_reputation(user, EDIT_OTHERS_REPUTATION))


def can_post_links(user: User | None) -> bool:
    """Links and images: reputation 10, or an account older than 3 days with 3 approved posts; staff, advocates."""
    if not _signed_in(user):
        return False
    if _advocate_or_reputation(user, LINKS_REPUTATION):
        return True
    if clock.now() - user.created_at < LINKS_ACCOUNT_AGE:
        return False
    approved = db.session.scalar(
        select(func.count(Post.id)).where(
            Post.author_id == user.id, Post.deleted_at.is_(None), Post.visibility == Visibility.PUBLIC.value
        )
    )
    return approved >= LINKS_APPROVED_POSTS


def _outranks(user: User | None, target: User) -> bool:
    """Moderators act on members and advocates; only admins act on other staff."""
    if not is_moderator(user) or target.id == user.id:
        return False
    return is_admin(user) or not target.is_staff


def _owns(user: User | None, target: Any) -> bool:
    return _signed_in(user) and getattr(target, "author_id", None) == user.id


@dataclass(frozen=True, slots=True)
class Capabilities:
    """One viewer's standing, derived once: everything the rules about threads and posts ask of the viewer.

    A thread page asks the same questions for every post it shows (may I edit, delete, flag, vote?).
    Deriving the role, the restriction and the reputation privileges once per page instead of inside every
    check is most of what makes the page cheap for a signed-in member. The rules below are written against
    this object and can() builds one per call, so a page and a single check can never disagree.
    """

    user_id: int | None
    active: bool  # signed in, not suspended, verified: may take part
    moderator: bool  # moderator, agent or admin, acting as one (see _role)
    advocate: bool
    edits_others: bool  # can_edit_others

    @classmethod
    def of(cls, user: User | None) -> Capabilities:
        if not _signed_in(user):
            return ANONYMOUS
        return cls(user_id=user.id, active=_active(user), moderator=is_moderator(user),
                   advocate=_role(user) is Role.ADVOCATE, edits_others=can_edit_others(user))

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    def owns(self, target: Any) -> bool:
        return self.user_id is not None and getattr(target, "author_id", None) == self.user_id

    def can(self, action: Action | str, target: Any) -> bool:
        """What can(user, action, target) answers, for the actions a page asks per thread or post."""
        return bool(_VIEWER_RULES[Action(action)](self, target))


ANONYMOUS = Capabilities(user_id=None, active=False, moderator=False, advocate=False, edits_others=False)


def _can_view_thread(viewer: Capabilities, thread: Thread) -> bool:
    if viewer.moderator:
        return True
    if thread.deleted_at is not None:
        return False
    return thread.visibility == Visibility.PUBLIC.value or viewer.owns(thread)


def _can_view_post(viewer: Capabilities, post: Post) -> bool:
    if not _can_view_thread(viewer, post.thread):
        return False
    if viewer.moderator:
        return True
    return not post.is_deleted and (post.visibility == Visibility.PUBLIC.value or viewer.owns(post))


def _is_live(post: Post) -> bool:
    return post.is_public and post.thread.deleted_at is None and post.thread.visibility == Visibility.PUBLIC.value


def _can_reply(viewer: Capabilities, thread: Thread) -> bool:
    if not viewer.active or not _can_view_thread(viewer, thread) or thread.deleted_at is not None:
        return False
    return not thread.locked or viewer.moderator


def _can_edit_post(viewer: Capabilities, post: Post) -> bool:
    """Authors edit their own; moderators any; advocates and 2,000 reputation edit others' live posts (wiki)."""
    if post.is_deleted or viewer.moderator:
        return viewer.moderator
    if not viewer.active or post.thread.locked:
        return False
    return viewer.owns(post) or (_is_live(post) and viewer.edits_others)


def _can_flag(viewer: Capabilities, post: Post) -> bool:
    return viewer.active and not viewer.owns(post) and _can_view_post(viewer, post) and not post.is_deleted


def _can_delete_post(viewer: Capabilities, post: Post) -> bool:
    return not post.is_deleted and (viewer.moderator or (viewer.active and viewer.owns(post)))


# The rules about one thread or post, asked of a viewer's Capabilities (a page derives them once).
# "Staff" and "moderator" are the same roles here (Role.is_staff: moderator and above).
_VIEWER_RULES = {
    Action.THREAD_VIEW: _can_view_thread,
    Action.THREAD_REPLY: _can_reply,
    Action.THREAD_EDIT: lambda viewer, thread: viewer.moderator
    or (viewer.active and viewer.owns(thread) and not thread.locked),
    Action.THREAD_MODERATE: lambda viewer, _target: viewer.moderator,
    Action.POST_EDIT: _can_edit_post,
    Action.POST_DELETE: _can_delete_post,
    # Old versions may hold what the author removed on purpose (an account number): author and moderators.
    Action.POST_HISTORY: lambda viewer, post: _can_view_post(viewer, post) and (viewer.moderator or viewer.owns(post)),
    Action.POST_VOTE: lambda viewer, post: viewer.active and _is_live(post),
    Action.POST_FLAG: _can_flag,
    Action.THREAD_ACCEPT: lambda viewer, thread: _can_view_thread(viewer, thread)
    and (viewer.moderator or (viewer.active and viewer.owns(thread))),
    Action.THREAD_ME_TOO: lambda viewer, thread: viewer.active and _can_view_thread(viewer, thread),
    Action.THREAD_REQUEST_INFO: lambda viewer, thread: _can_view_thread(viewer, thread)
    and (viewer.moderator or (viewer.active and viewer.advocate)),
    Action.THREAD_CLEAR_INFO: lambda viewer, thread: _can_view_thread(viewer, thread)
    and (viewer.moderator or (viewer.active and viewer.owns(thread))),
}


def _for_viewer(rule):
    return lambda user, target: rule(Capabilities.of(user), target)


_RULES = {
    **{action: _for_viewer(rule) for action, rule in _VIEWER_RULES.items()},
    Action.THREAD_RECOMMEND_ESCALATION: lambda user, thread: can_recommend_escalation(user)
    and _can_view_thread(Capabilities.of(user), thread),
    Action.THREAD_CREATE: lambda user, _target: _active(user),
    Action.CATEGORY_MANAGE: lambda user, _target: is_admin(user),
    # An unverified account may still fix its profile; a suspended one may not rewrite it.
    Action.USER_EDIT: lambda user, target: is_admin(user)
    or (_signed_in(user) and user.id == target.id and not is_suspended(user)),
    Action.USER_MANAGE: lambda user, _target: is_admin(user),
    Action.SETTINGS_MANAGE: lambda user, _target: is_admin(user),
    Action.ADMIN_VIEW: lambda user, _target: is_admin(user),
    Action.THREAD_ESCALATE: _can_escalate,
    Action.CASE_VIEW: _can_view_case,
    Action.CASE_WORK: lambda user, _target: is_agent(user),
    Action.MODERATION_REVIEW: lambda user, _target: can_review(user),
    Action.AUDIT_VIEW: lambda user, _target: is_moderator(user),
    Action.USER_SUSPEND: lambda user, target: _outranks(user, target),
    Action.USER_ANONYMIZE: lambda user, target: is_admin(user) and target.id != user.id,
    Action.USER_MAKE_ADVOCATE: lambda user, target: is_staff(user) and not target.is_staff,
    Action.WATCHED_WORDS_MANAGE: lambda user, _target: is_admin(user),
    Action.MISSION_MANAGE: lambda user, _target: is_staff(user),
    # Outcome analytics are agent+ like api.md's /metrics/summary; the 360 view is for all staff.
    Action.ANALYTICS_VIEW: lambda user, _target: is_agent(user),
    Action.MEMBER_360_VIEW: lambda user, _target: is_staff(user),
    Action.INTEGRATIONS_MANAGE: lambda user, _target: is_admin(user),
    # Personal API tokens: a suspended user still sees and revokes their own, but mints none.
    Action.TOKEN_LIST: lambda user, _target: _signed_in(user),
    Action.TOKEN_CREATE: lambda user, _target: _active(user),
    Action.TOKEN_REVOKE: lambda user, token: _signed_in(user) and token.user_id == user.id,
    Action.SERVICE_TOKEN_MANAGE: lambda user, _target: is_admin(user),
}

# Actions whose refusal must look like absence (the caller may not know the target exists).
_HIDDEN_WHEN_REFUSED = {
    Action.THREAD_VIEW, Action.POST_HISTORY, Action.CASE_VIEW, Action.MEMBER_360_VIEW, Action.TOKEN_REVOKE,
}


def can(user: User | None, action: Action | str, target: Any = None) -> bool:
    """Whether user may perform action on target; pure, safe to call from templates."""
    return bool(_RULES[Action(action)](user, target))


def require(user: User | None, action: Action | str, target: Any = None) -> None:
    """Raise unless user may perform action: 401 anonymous, 404 invisible, 403 otherwise."""
    if can(user, action, target):
        return
    action = Action(action)
    if action in _HIDDEN_WHEN_REFUSED:
        raise NotFound("That page does not exist or is not visible to you.")
    if not _signed_in(user):
        raise NotAuthenticated("Please sign in first.")
    raise Forbidden("You are not allowed to do that.")


def _public_or_own(model: type[Thread] | type[Post], viewer: User | None):
    public = model.visibility == Visibility.PUBLIC.value
    return or_(public, model.author_id == viewer.id) if _signed_in(viewer) else public


def visible_threads(viewer: User | None) -> Select:
    """Threads the viewer may read: public ones, the viewer's own pending or hidden ones; moderators all."""
    query = select(Thread)
    if not is_moderator(viewer):
        query = query.where(Thread.deleted_at.is_(None), _public_or_own(Thread, viewer))
    return query


def visible_posts(viewer: User | None) -> Select:
    """Posts the viewer may read, in threads the viewer may read (pending/hidden: author and moderators)."""
    query = select(Post).join(Thread, Post.thread_id == Thread.id)
    if not is_moderator(viewer):
        query = query.where(
            Post.deleted_at.is_(None), Thread.deleted_at.is_(None),
            _public_or_own(Post, viewer), _public_or_own(Thread, viewer),
        )
    return query
