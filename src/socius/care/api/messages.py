"""Inbound messages from other systems: POST /api/v1/care/messages, idempotent on
``external_id``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from socius.accounts.api_auth import api_user
from socius.care.api.auth import WRITE
from socius.care.api.files import files_decode
from socius.care.api.schemas import InboundMessageIn, ReceiptOut
from socius.care.models import Channel
from socius.care.services.intake import Inbound, message_receive
from socius.core.errors import InvalidInput
from socius.people.services.types import IdentifierIn, Profile

router = Router(tags=["care"])


class ChannelNotAccepted(InvalidInput):
    code = "channel_not_accepted"
    default_message = _(
        'This endpoint receives messages of the "api" channel only: email, Messenger and '
        "the portal have entry points of their own."
    )


def _inbound(data: InboundMessageIn, sender_id: int) -> Inbound:
    if data.channel != Channel.API:
        raise ChannelNotAccepted(details={"field": "channel", "allowed": [Channel.API.value]})
    return Inbound(
        channel=Channel.API,
        body=data.body,
        identifiers=tuple(IdentifierIn(item.kind, item.value) for item in data.identifiers),
        profile=data.profile.to_data() if data.profile else Profile(),
        subject=data.subject,
        # Each integration (token owner) has its own ids: two systems both sending "7"
        # must not have the second message taken for a repeat of the first.
        external_id=f"{sender_id}:{data.external_id}",
        attachments=tuple(files_decode(data.attachments)),
    )


@router.post(
    "/messages",
    response={200: ReceiptOut, 201: ReceiptOut},
    auth=WRITE,
    summary="Receive a customer's message (idempotent on external_id)",
)
def messages_receive(request: Any, data: InboundMessageIn) -> Status[dict[str, Any]]:
    """201 when stored; 200 with the same ids when this ``external_id`` was received before."""
    receipt = message_receive(_inbound(data, api_user(request).pk))
    return Status(
        201 if receipt.created else 200,
        {
            "case_id": receipt.case.pk,
            "person_id": receipt.person_id,
            "message_id": receipt.message.pk,
        },
    )
