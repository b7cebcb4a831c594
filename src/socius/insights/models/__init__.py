"""Models of insights: the charter, the maturity assessment and the adoption rollups."""

from socius.insights.models.adoption import (
    RESPONSE_BUCKETS,
    DepartmentDay,
    FirstResponse,
    InteractionDay,
    ResponseDay,
    RolledDay,
    SpaceDay,
    UserAdoption,
    UserDay,
)
from socius.insights.models.charter import (
    Acknowledgment,
    AppendOnly,
    CharterReminder,
    CharterVersion,
    body_digest,
)
from socius.insights.models.maturity import Answer, Campaign, Invitation, Response

__all__ = [
    "DepartmentDay",
    "FirstResponse",
    "RESPONSE_BUCKETS",
    "InteractionDay",
    "ResponseDay",
    "RolledDay",
    "SpaceDay",
    "UserAdoption",
    "UserDay",
    "Acknowledgment",
    "Answer",
    "AppendOnly",
    "Campaign",
    "CharterReminder",
    "CharterVersion",
    "Invitation",
    "Response",
    "body_digest",
]
