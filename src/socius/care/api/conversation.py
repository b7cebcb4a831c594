"""Answering the customer and writing to colleagues on a case."""

from __future__ import annotations

from typing import Any

from ninja import Router, Status

from socius.accounts.api_auth import api_user
from socius.care.api.auth import WRITE
from socius.care.api.files import files_decode
from socius.care.api.lookup import case_for
from socius.care.api.output import message_out, note_out
from socius.care.api.schemas import EntryOut, NoteIn, ReplyIn
from socius.care.services.conversation import case_note_add, case_reply

router = Router(tags=["care"])


@router.post("/cases/{case_id}/replies", response={201: EntryOut}, auth=WRITE)
def cases_reply(request: Any, case_id: str, data: ReplyIn) -> Status[dict[str, Any]]:
    """Sent on the channel the customer last wrote from. With ``seen_message_id``, a reply
    a colleague sent meanwhile stops this one: 409 ``colleague_replied``."""
    actor = api_user(request)
    case = case_for(user=actor, case_id=case_id)
    message = case_reply(
        actor=actor,
        case=case,
        body=data.body,
        status=data.status,
        seen_message_id=data.seen_message_id,
        files=files_decode(data.attachments),
    )
    return Status(201, message_out(message))


@router.post("/cases/{case_id}/notes", response={201: EntryOut}, auth=WRITE)
def cases_note_add(request: Any, case_id: str, data: NoteIn) -> Status[dict[str, Any]]:
    """A private note for colleagues, never sent to the customer."""
    actor = api_user(request)
    note = case_note_add(actor=actor, case=case_for(user=actor, case_id=case_id), body=data.body)
    return Status(201, note_out(note))
