"""All models, imported here so Alembic and create_all see the whole schema."""

from forum.models.accounts import ApiToken, Role, User
from forum.models.community import CommunitySetting
from forum.models.content import Category, Post, PostRevision, Tag, Thread, ThreadKind, ThreadStatus, thread_tag
from forum.models.jobs import Job, JobStatus, OutboundEmail
from forum.models.notifications import Feedback, Notification, NotificationKind, Subscription
from forum.models.qa import MeToo, Vote

__all__ = [
    "Feedback",
    "Notification",
    "NotificationKind",
    "Subscription",
    "MeToo",
    "Vote",
    "ApiToken",
    "Category",
    "CommunitySetting",
    "Job",
    "JobStatus",
    "OutboundEmail",
    "Post",
    "PostRevision",
    "Role",
    "Tag",
    "Thread",
    "ThreadKind",
    "ThreadStatus",
    "User",
    "thread_tag",
]
