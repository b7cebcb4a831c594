"""Models of insights: the charter, the maturity assessment and the adoption rollups."""

from socius.insights.models.charter import (
    Acknowledgment,
    AppendOnly,
    CharterReminder,
    CharterVersion,
    body_digest,
)

__all__ = [
    "Acknowledgment",
    "AppendOnly",
    "CharterReminder",
    "CharterVersion",
    "body_digest",
]
