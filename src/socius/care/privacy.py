"""Customer care's part in a person's export and erasure.

The customer's own download holds their requests and the messages exchanged, never a note:
notes are exported only for the controller (an administrator answering an access request
decides what to release). Erasure keeps the cases as counted facts (statuses, times,
departments: what satisfaction and response-time figures are made of) and scrubs every word
and file the customer or colleagues wrote on them.
"""

from __future__ import annotations

from typing import Any

from socius.care.models import Case, Message, MessageAttachment, Note, Rating
from socius.people.exporters import register_person_eraser, register_person_exporter
from socius.people.models import Person

ERASED = "[erased]"


def _messages(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "direction": message.direction,
            "channel": message.channel,
            "body": message.body,
            "created_at": message.created_at.isoformat(),
            "attachments": [a.name for a in message.attachments.all()],
        }
        for message in case.messages.all()
    ]


def requests_export(person: Person) -> list[dict[str, Any]]:
    cases = Case.objects.filter(person=person).prefetch_related("messages__attachments")
    return [
        {
            "request": case.pk,
            "subject": case.subject,
            "status": case.status,
            "opened_at": case.created_at.isoformat(),
            "messages": _messages(case),
            "rating": _rating(case),
        }
        for case in cases.select_related("rating").order_by("created_at", "id")
    ]


def _rating(case: Case) -> dict[str, Any] | None:
    rating = getattr(case, "rating", None)
    return None if rating is None else {"score": rating.score, "comment": rating.comment}


def notes_export(person: Person) -> list[dict[str, Any]]:
    notes = Note.objects.filter(case__person=person).select_related("author").order_by("id")
    return [
        {
            "request": note.case_id,
            "author": note.author.email if note.author else None,
            "body": note.body,
            "created_at": note.created_at.isoformat(),
        }
        for note in notes
    ]


def requests_erase(person: Person) -> int:
    cases = Case.objects.filter(person=person)
    changed = cases.update(subject=ERASED)
    for attachment in MessageAttachment.objects.filter(message__case__in=cases):
        attachment.file.delete(save=False)
    changed += MessageAttachment.objects.filter(message__case__in=cases).delete()[0]
    scrubbed = {
        "body": ERASED,
        "address": "",
        "external_id": "",
        "email_message_id": "",
        "delivery_error": "",
    }
    changed += Message.objects.filter(case__in=cases).update(**scrubbed)
    changed += Message.objects.filter(person=person).exclude(case__in=cases).update(**scrubbed)
    changed += Note.objects.filter(case__in=cases).update(body=ERASED)
    changed += Rating.objects.filter(case__in=cases).update(comment="")
    return changed


def register_care_privacy() -> None:
    covers = ("care.Case", "care.Message")
    register_person_exporter("care_requests", requests_export, for_customer=True, covers=covers)
    register_person_exporter("care_notes", notes_export, covers=covers)
    register_person_eraser("care_requests", requests_erase, covers=covers)
