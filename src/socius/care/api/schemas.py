"""The shape of cases, their conversation and the requests that work them.

Shapes only: the rules (which statuses, who may be assigned, what a file may be) are the
services' (``care.services``) and answer ``{"code", "message", "details"}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.utils.translation import gettext
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from socius.care.selectors import View
from socius.core.ids import MAX_DIGITS
from socius.core.pagination import MAX_PAGE_SIZE
from socius.people.schemas_ingest import MAX_IDENTIFIERS, IdentifierIn, ProfileIn

# An id in a body: a JSON number a database key holds (not "12", not true), refused
# before any read otherwise.
Id = Annotated[int, Field(strict=True, ge=1, lt=10**MAX_DIGITS)]
Body = Annotated[str, Field(min_length=1, max_length=20_000)]
CaseStatus = Literal["open", "waiting", "resolved", "closed"]
CasePriority = Literal["low", "normal", "high", "urgent"]
ReplyStatus = Literal["open", "waiting", "resolved"]


class FileIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255, examples=["receipt.pdf"])
    content_base64: str = Field(description="The file's bytes, standard base64.")


class InboundMessageIn(Schema):
    """A customer's message from another system; ``external_id`` makes a retry harmless."""

    model_config = ConfigDict(extra="forbid")

    channel: str = Field("api", max_length=16, description='Always "api" here.')
    identifiers: list[IdentifierIn] = Field(min_length=1, max_length=MAX_IDENTIFIERS)
    profile: ProfileIn | None = None
    subject: str = Field("", max_length=200)
    body: Body
    external_id: str = Field(min_length=1, max_length=300)
    attachments: list[FileIn] = Field(default_factory=list, max_length=50)


class ReceiptOut(Schema):
    case_id: int
    person_id: int
    message_id: int


class InboxQueryIn(Schema):
    view: View = "all"
    cursor: str | None = Field(None, max_length=500)
    size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class EmployeeOut(Schema):
    id: int
    name: str


class SlaOut(Schema):
    first_response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    next_due_at: dt.datetime | None
    breached: bool = Field(description="A target was missed, or is past and still running.")


class LinkOut(Schema):
    kind: str
    reference: str
    created_at: dt.datetime


class CaseItemOut(Schema):
    id: int
    subject: str
    status: str
    priority: str
    channel: str
    department: str | None = Field(description="The department's slug.")
    assignee: EmployeeOut | None
    person_id: int
    person_name: str
    tags: list[str]
    sla: SlaOut
    message_count: int
    note_count: int
    created_at: dt.datetime
    updated_at: dt.datetime
    last_message_at: dt.datetime
    awaiting_since: dt.datetime | None = Field(
        description="The oldest customer message not answered yet."
    )


class InboxPageOut(Schema):
    items: list[CaseItemOut]
    next_cursor: str | None = Field(description="Pass it back as ``cursor`` for the next page.")


class CaseOut(CaseItemOut):
    links: list[LinkOut]
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    reopen_count: int


class AttachmentOut(Schema):
    id: int
    name: str = Field(description="The sender's file name, as metadata only.")
    size: int
    content_type: str
    url: str = Field(description="Download it here, with the same token.")


class EntryOut(Schema):
    """A message exchanged with the customer, or a colleagues' note (employees only)."""

    type: Literal["message", "note"]
    id: int
    direction: Literal["in", "out"] | None = Field(description="Messages only.")
    channel: str | None = Field(description="Messages only.")
    author: EmployeeOut | None = Field(description="The colleague who wrote it.")
    person_id: int | None = Field(description="The customer who wrote it (inbound messages).")
    body: str
    delivery: str | None = Field(description="Messages only: received, pending, sent, failed.")
    created_at: dt.datetime
    attachments: list[AttachmentOut]


class CaseDetailOut(CaseOut):
    messages: list[EntryOut] = Field(description="Messages and notes, oldest first.")


class ReplyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: Body
    status: ReplyStatus = Field("waiting", description="The case's status once answered.")
    seen_message_id: Id | None = Field(
        None,
        description="The newest message you had read: if a colleague answered after it, "
        'nothing is sent and the answer is 409 "colleague_replied".',
    )
    attachments: list[FileIn] = Field(default_factory=list, max_length=50)


class NoteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: Body = Field(description="Markdown; ``@handle`` and ``@department`` are told.")


class CasePatchIn(Schema):
    """Any subset; ``assignee`` and ``department`` take null to clear them."""

    model_config = ConfigDict(extra="forbid")

    status: CaseStatus | None = None
    priority: CasePriority | None = None
    tags: list[Annotated[str, Field(max_length=40)]] | None = Field(None, max_length=20)
    assignee: Id | None = Field(None, description="A colleague's user id.")
    department: str | None = Field(None, max_length=60, description="A department slug.")

    @field_validator("status", "priority", "tags", mode="before")
    @classmethod
    def _stated(cls, value: object) -> object:
        # Leaving a field out keeps it; null would read as "clear it", which these have not.
        if value is None:
            raise ValueError(gettext("Leave the field out to keep its value."))
        return value


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    absorbed: Id = Field(description="The case merged into this one, then closed.")


class LinkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["order", "group_order"]
    reference: str = Field(min_length=1, max_length=100)


class EscalateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    department: str | None = Field(None, max_length=60, description="A department slug.")
    reason: str = Field("", max_length=200)
