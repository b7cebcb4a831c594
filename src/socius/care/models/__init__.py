"""Customer care's tables: cases and their conversation, and how care is set up."""

from socius.care.models.cases import (
    ACTIVE_STATUSES,
    PRIORITY_RANK,
    Case,
    CaseLink,
    Channel,
    Message,
    MessageAttachment,
    Note,
    Priority,
    ReplyDraft,
    Status,
    Tag,
    active_cases,
)
from socius.care.models.setup import (
    AgentStatus,
    CannedReply,
    Rating,
    RoutingRule,
    SlaPolicy,
    SurveyWording,
)

__all__ = [
    "ACTIVE_STATUSES",
    "PRIORITY_RANK",
    "AgentStatus",
    "CannedReply",
    "Case",
    "CaseLink",
    "Channel",
    "Message",
    "MessageAttachment",
    "Note",
    "Priority",
    "Rating",
    "ReplyDraft",
    "RoutingRule",
    "SlaPolicy",
    "Status",
    "SurveyWording",
    "Tag",
    "active_cases",
]
