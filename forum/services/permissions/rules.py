"""The rules: for each action, who may perform it on what; can() and require() answer from them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from forum.core.errors import Forbidden, NotAuthenticated, NotFound
from forum.core.i18n import _
from forum.models import IDEA_KIND, Post, Role, Thread, User, Visibility
from forum.services.permissions.actions import Action, Restriction
from forum.services.permissions.standing import (
    acting_role,
    can_recommend_escalation,
    can_review,
    is_active,
    is_admin,
    is_agent,
    is_moderator,
    is_staff,
    is_suspended,
    outranks,
    owns,
    restriction,
    signed_in,
)
from forum.services.permissions.thresholds import EDIT_OTHERS_REPUTATION, threshold

Rule = Callable[[User | None, Any], bool]


def _can_escalate(user: User | None, thread: Thread) -> bool:
    """The asker asks for support; staff escalate any thread; advocates and 500 reputation recommend it."""
    if not _can_view_thread(Capabilities.of(user), thread) or thread.deleted_at is not None:
        return False
    if is_staff(user):
        return True
    # A suspended asker may still ask support for help with their own thread (no issue left unanswered).
    owner_may = owns(user, thread) and restriction(user) is not Restriction.UNVERIFIED
    return owner_may or can_recommend_escalation(user)


def _can_view_case(user: User | None, case: Any) -> bool:
    """Agents see every case; a customer sees their own (never another's)."""
    return is_agent(user) or (signed_in(user) and case.customer_id == user.id)


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
    moderator: bool  # moderator, agent or admin, acting as one (see acting_role)
    advocate: bool
    edits_others: bool  # can_edit_others

    @classmethod
    def of(cls, user: User | None) -> Capabilities:
        """is_active, is_moderator and can_edit_others, from one acting_role and one restriction check: each of
        those functions derives them again (a template asks can() a few times a page; tests/unit/
        test_capabilities.py holds the two ways to the same answers)."""
        if not signed_in(user):
            return ANONYMOUS
        role, active = acting_role(user), is_active(user)
        moderator = role.level >= Role.MODERATOR.level
        advocate = role is Role.ADVOCATE
        edits_others = moderator or (active and (advocate or role.is_staff
                                                 or user.reputation >= threshold(EDIT_OTHERS_REPUTATION)))
        return cls(user_id=user.id, active=active, moderator=moderator, advocate=advocate, edits_others=edits_others)

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    def owns(self, target: Any) -> bool:
        return self.user_id is not None and getattr(target, "author_id", None) == self.user_id

    def can(self, action: Action | str, target: Any) -> bool:
        """What can(user, action, target) answers, for the actions a page asks per thread or post."""
        return bool(_rule(_VIEWER_RULES, action)(self, target))


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
    # An idea's own text takes idea votes (forum.ideas), never helpful votes; its replies take helpful votes.
    Action.POST_VOTE: lambda viewer, post: viewer.active and _is_live(post)
    and not (post.is_question and post.thread.kind == IDEA_KIND),
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


# The rules of _VIEWER_RULES as can() runs them: can_as() knows from these that an action's rule is still the
# viewer rule (a domain's register_rules() could replace it).
_WRAPPED = {action: _for_viewer(rule) for action, rule in _VIEWER_RULES.items()}
_RULES = {
    **_WRAPPED,
    Action.THREAD_RECOMMEND_ESCALATION: lambda user, thread: can_recommend_escalation(user)
    and _can_view_thread(Capabilities.of(user), thread),
    Action.THREAD_CREATE: lambda user, _target: is_active(user),
    Action.CATEGORY_MANAGE: lambda user, _target: is_admin(user),
    # An unverified account may still fix its profile; a suspended one may not rewrite it.
    Action.USER_EDIT: lambda user, target: is_admin(user)
    or (signed_in(user) and user.id == target.id and not is_suspended(user)),
    Action.USER_MANAGE: lambda user, _target: is_admin(user),
    Action.SETTINGS_MANAGE: lambda user, _target: is_admin(user),
    Action.ADMIN_VIEW: lambda user, _target: is_admin(user),
    Action.THREAD_ESCALATE: _can_escalate,
    Action.CASE_VIEW: _can_view_case,
    Action.CASE_WORK: lambda user, _target: is_agent(user),
    Action.MODERATION_REVIEW: lambda user, _target: can_review(user),
    Action.AUDIT_VIEW: lambda user, _target: is_moderator(user),
    Action.USER_SUSPEND: lambda user, target: outranks(user, target),
    Action.USER_ANONYMIZE: lambda user, target: is_admin(user) and target.id != user.id,
    Action.USER_MAKE_ADVOCATE: lambda user, target: is_staff(user) and not target.is_staff,
    Action.WATCHED_WORDS_MANAGE: lambda user, _target: is_admin(user),
    Action.MISSION_MANAGE: lambda user, _target: is_staff(user),
    # Outcome analytics are agent+ like api.md's /metrics/summary; the 360 view is for all staff.
    Action.ANALYTICS_VIEW: lambda user, _target: is_agent(user),
    Action.MEMBER_360_VIEW: lambda user, _target: is_staff(user),
    Action.INTEGRATIONS_MANAGE: lambda user, _target: is_admin(user),
    # Personal API tokens: a suspended user still sees and revokes their own, but mints none.
    Action.TOKEN_LIST: lambda user, _target: signed_in(user),
    Action.TOKEN_CREATE: lambda user, _target: is_active(user),
    Action.TOKEN_REVOKE: lambda user, token: signed_in(user) and token.user_id == user.id,
    Action.SERVICE_TOKEN_MANAGE: lambda user, _target: is_admin(user),
    # Writing (issue 22): a preview stores nothing, so a suspended member may still see how text renders;
    # drafts and blocks are writes, refused while suspended or unconfirmed. Tags: admins.
    Action.POST_PREVIEW: lambda user, _target: signed_in(user),
    Action.DRAFT_SAVE: lambda user, _target: is_active(user),
    Action.USER_AUTOCOMPLETE: lambda user, _target: signed_in(user),
    Action.USER_BLOCK: lambda user, target: is_active(user) and target is not None and target.id != user.id,
    Action.TAG_MANAGE: lambda user, _target: is_admin(user),
    # Conversations: refused until forum.conversations registers its rules (they know the participants).
    Action.CONVERSATION_START: lambda _user, _target: False,
    Action.CONVERSATION_VIEW: lambda _user, _target: False,
    Action.CONVERSATION_REPLY: lambda _user, _target: False,
    Action.CONVERSATION_MODERATE: lambda user, _target: is_moderator(user),
    # Ideas: refused until forum.ideas registers its rules.
    Action.IDEA_CREATE: lambda _user, _target: False,
    Action.IDEA_VOTE: lambda _user, _target: False,
    Action.IDEA_MANAGE: lambda _user, _target: False,
    Action.IDEA_REPORT: lambda _user, _target: False,
}

# Actions whose refusal must look like absence (the caller may not know the target exists).
_HIDDEN_WHEN_REFUSED = {
    Action.THREAD_VIEW, Action.POST_HISTORY, Action.CASE_VIEW, Action.MEMBER_360_VIEW, Action.TOKEN_REVOKE,
    Action.CONVERSATION_VIEW, Action.ARTICLE_VIEW,
}


def register_rules(rules: dict[Action, Rule]) -> None:
    """Answer these actions with a domain package's own rules (called from its init_app).

    The vocabulary stays here, in Action; a rule that needs a domain's knowledge (who takes part in a
    conversation) lives with that domain, which installs it once when the app is made.
    """
    _RULES.update(rules)


def _rule(rules: dict, action: Action | str):
    """The rule for action: looked up as given (an Action, or its text: StrEnum hashes alike), since calling
    Action() on every check cost more than the check (a thread page asks a hundred); an unknown text still
    raises ValueError."""
    found = rules.get(action)
    return found if found is not None else rules[Action(action)]


def can(user: User | None, action: Action | str, target: Any = None) -> bool:
    """Whether user may perform action on target; pure, safe to call from templates."""
    return bool(_rule(_RULES, action)(user, target))


def can_as(capabilities: Capabilities, user: User | None, action: Action | str, target: Any = None) -> bool:
    """can(user, action, target), given user's Capabilities already derived (a page asks several questions)."""
    rule = _rule(_RULES, action)
    if rule is _WRAPPED.get(action):
        return bool(_rule(_VIEWER_RULES, action)(capabilities, target))
    return bool(rule(user, target))


def require(user: User | None, action: Action | str, target: Any = None) -> None:
    """Raise unless user may perform action: 401 anonymous, 404 invisible, 403 otherwise."""
    if can(user, action, target):
        return
    action = Action(action)
    if action in _HIDDEN_WHEN_REFUSED:
        raise NotFound(_("That page does not exist or is not visible to you."))
    if not signed_in(user):
        raise NotAuthenticated(_("Please sign in first."))
    raise Forbidden(_("You are not allowed to do that."))
