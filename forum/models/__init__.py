"""All models, imported here so Alembic and create_all see the whole schema."""

from forum.models.accounts import (
    SERVICE_EMAIL_DOMAIN,
    ApiToken,
    DataExport,
    RecoveryCode,
    Role,
    SignInFailure,
    TokenKind,
    User,
    UserSession,
)
from forum.models.analytics import ScorecardSnapshot
from forum.models.audit import AuditEntry
from forum.models.cases import Case, CaseEvent, CaseMessage, CasePriority, CaseSource, CaseStatus, MessageVisibility
from forum.models.community import CommunitySetting
from forum.models.content import (
    Category,
    Post,
    PostRevision,
    RevisionField,
    Tag,
    TagSynonym,
    Thread,
    ThreadKind,
    ThreadStatus,
    Visibility,
    thread_tag,
)
from forum.models.conversations import Conversation, ConversationMessage, ConversationParticipant
from forum.models.identities import SpentNonce, UserIdentity
from forum.models.incidents import (
    AlertStatus,
    Incident,
    IncidentAlert,
    IncidentAlertThread,
    IncidentStatus,
    IncidentThread,
    IncidentUpdate,
)
from forum.models.integrations import CaseConnector, DeliveryStatus, InboundEvent, WebhookDelivery, WebhookSubscription
from forum.models.jobs import Job, JobStatus, OutboundEmail
from forum.models.mail import InboundChannel, InboundMail, InboundStatus, MailAddressHealth
from forum.models.notifications import Feedback, Notification, NotificationKind, Subscription
from forum.models.qa import MeToo, Vote
from forum.models.relations import Block
from forum.models.reputation import (
    VOTE_REASONS,
    BadgeGrant,
    Correction,
    LedgerReason,
    Mission,
    MissionProgress,
    ReputationEvent,
)
from forum.models.uploads import Attachment, Upload, UploadKind, UploadRendition
from forum.models.writing import Draft

__all__ = [
    "Block",
    "Conversation",
    "ConversationMessage",
    "ConversationParticipant",
    "Draft",
    "RevisionField",
    "TagSynonym",
    "SERVICE_EMAIL_DOMAIN",
    "DataExport",
    "RecoveryCode",
    "UserSession",
    "Case",
    "CaseEvent",
    "CaseMessage",
    "CasePriority",
    "CaseSource",
    "CaseStatus",
    "CaseConnector",
    "DeliveryStatus",
    "InboundEvent",
    "WebhookDelivery",
    "WebhookSubscription",
    "MessageVisibility",
    "AuditEntry",
    "ScorecardSnapshot",
    "AlertStatus",
    "Incident",
    "IncidentAlert",
    "IncidentAlertThread",
    "IncidentStatus",
    "IncidentThread",
    "IncidentUpdate",
    "BadgeGrant",
    "Correction",
    "LedgerReason",
    "Mission",
    "MissionProgress",
    "ReputationEvent",
    "VOTE_REASONS",
    "Visibility",
    "Feedback",
    "Notification",
    "NotificationKind",
    "Subscription",
    "MeToo",
    "Vote",
    "ApiToken",
    "SignInFailure",
    "SpentNonce",
    "TokenKind",
    "UserIdentity",
    "Category",
    "CommunitySetting",
    "Job",
    "InboundChannel",
    "InboundMail",
    "InboundStatus",
    "MailAddressHealth",
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
    "Attachment",
    "Upload",
    "UploadKind",
    "UploadRendition",
]
