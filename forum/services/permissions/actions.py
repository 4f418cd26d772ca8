"""The vocabulary: every action a rule answers for and the reasons an account may only read (the reputation
that unlocks each privilege is a community setting: thresholds)."""

from __future__ import annotations

from enum import StrEnum


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
    # Writing and conversation (issue 22). The conversation rules know who takes part in one, so the
    # conversations package registers them (register_rules); the others are answered here.
    POST_PREVIEW = "post:preview"
    DRAFT_SAVE = "draft:save"
    USER_AUTOCOMPLETE = "user:autocomplete"
    USER_BLOCK = "user:block"
    TAG_MANAGE = "tag:manage"
    CONVERSATION_START = "conversation:start"
    CONVERSATION_VIEW = "conversation:view"
    CONVERSATION_REPLY = "conversation:reply"
    CONVERSATION_MODERATE = "conversation:moderate"
    # The knowledge base (issue 25): forum.knowledge.rules answers these (register_rules).
    ARTICLE_VIEW = "article:view"  # published and archived: anyone; drafts and in review: author and staff
    ARTICLE_PROPOSE = "article:propose"  # start a draft: staff, advocates, or the reputation the setting names
    ARTICLE_EDIT = "article:edit"  # the author while draft or in review; staff until archived
    ARTICLE_SUBMIT = "article:submit"  # draft → in review: the author or staff
    ARTICLE_PUBLISH = "article:publish"  # staff
    ARTICLE_ARCHIVE = "article:archive"  # staff
    ARTICLE_FEEDBACK = "article:feedback"  # "did this help?": signed in and active, on a published article
    ARTICLE_MANAGE = "article:manage"  # the staff pages: review queue, needs review, helpfulness
    # The ideas board (issue 29): forum.ideas.rules answers these (register_rules); viewing is THREAD_VIEW.
    IDEA_CREATE = "idea:create"  # signed in and active
    IDEA_VOTE = "idea:vote"  # active, may see the idea, not its author
    IDEA_MANAGE = "idea:manage"  # staff: status, note, merge, links
    IDEA_REPORT = "idea:report"  # staff: the ideas report and its CSV


class Restriction(StrEnum):
    """Why a signed-in account may only read."""

    SUSPENDED = "suspended"
    UNVERIFIED = "unverified"


