"""Cases and their conversation as the API shows them to employees.

``message_out`` reads a ``Message`` only: a reply's answer, like every path that may reach
the customer, cannot carry a note. Notes appear only in ``conversation_out``, for colleagues.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from socius.accounts.models import User
from socius.care.models import Case, Message, MessageAttachment, Note
from socius.care.selectors import Entry


def _employee(user: User | None) -> dict[str, Any] | None:
    return {"id": user.pk, "name": user.full_name} if user is not None else None


def _late(done_at: dt.datetime | None, due_at: dt.datetime | None, now: dt.datetime) -> bool:
    return due_at is not None and (done_at or now) > due_at


def sla_out(case: Case, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The targets and whether one was missed: answered late, resolved late, or a target
    already past while it still runs (the worker may not have flagged it yet)."""
    now = now or timezone.now()
    resolution_running = case.is_active or case.resolved_at is not None
    breached = (
        case.sla_breached_at is not None
        or _late(case.first_response_at, case.first_response_due_at, now)
        or (resolution_running and _late(case.resolved_at, case.resolution_due_at, now))
    )
    return {
        "first_response_due_at": case.first_response_due_at,
        "resolution_due_at": case.resolution_due_at,
        "next_due_at": case.next_due_at,
        "breached": breached,
    }


def case_item_out(case: Case) -> dict[str, Any]:
    """What the inbox lists; reads only what ``care.selectors`` fetched with the case."""
    return {
        "id": case.pk,
        "subject": case.subject,
        "status": case.status,
        "priority": case.priority,
        "channel": case.channel,
        "department": case.department.slug if case.department else None,
        "assignee": _employee(case.assignee),
        "person_id": case.person_id,
        "person_name": case.person.display_name,
        "tags": sorted(tag.name for tag in case.tags.all()),
        "sla": sla_out(case),
        "message_count": case.message_count,
        "note_count": case.note_count,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "last_message_at": case.last_message_at,
        "awaiting_since": case.awaiting_since,
    }


def case_out(case: Case) -> dict[str, Any]:
    return {
        **case_item_out(case),
        "links": [
            {"kind": link.kind, "reference": link.reference, "created_at": link.created_at}
            for link in case.links.order_by("kind", "reference")
        ],
        "first_response_at": case.first_response_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "reopen_count": case.reopen_count,
    }


def _attachment_out(attachment: MessageAttachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "url": reverse("api:care_attachments_download", args=[attachment.pk]),
    }


def message_out(message: Message) -> dict[str, Any]:
    return {
        "type": "message",
        "id": message.pk,
        "direction": message.direction,
        "channel": message.channel,
        "author": _employee(message.author),
        "person_id": message.person_id,
        "body": message.body,
        "delivery": message.delivery,
        "created_at": message.created_at,
        "attachments": [_attachment_out(a) for a in message.attachments.all()],
    }


def note_out(note: Note) -> dict[str, Any]:
    return {
        "type": "note",
        "id": note.pk,
        "direction": None,
        "channel": None,
        "author": _employee(note.author),
        "person_id": None,
        "body": note.body,
        "delivery": None,
        "created_at": note.created_at,
        "attachments": [],
    }


def conversation_out(entries: list[Entry]) -> list[dict[str, Any]]:
    """For colleagues only (``care.selectors.case_conversation``)."""
    return [
        message_out(entry.item) if isinstance(entry.item, Message) else note_out(entry.item)
        for entry in entries
    ]
