"""Replies leave on the channel the customer last wrote from, through that channel's sender.

Each channel module registers a sender (``register_sender``); ``deliver`` runs in the
worker, outside any request. A sender receives a ``Message`` (never a note: senders are
handed messages only) and raises ``DeliveryFailed`` when the channel refuses it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from socius.care.models import Message
from socius.care.services.common import nudge

logger = logging.getLogger(__name__)

Sender = Callable[[Message], None]
_SENDERS: dict[str, Sender] = {}


class DeliveryFailed(Exception):
    """The channel refused the message; the text says why (shown to the agent)."""


def register_sender(channel: str, sender: Sender) -> None:
    _SENDERS[channel] = sender


def deliver(message_id: int) -> str:
    """Send a pending reply once; returns its delivery state."""
    with transaction.atomic():
        # Claim the message so that two workers never send it twice.
        claimed = Message.objects.filter(
            pk=message_id, direction=Message.Direction.OUTBOUND, delivery=Message.Delivery.PENDING
        ).update(delivery=Message.Delivery.SENT, sent_at=timezone.now())
    message = Message.objects.select_related("case", "case__person", "author").get(pk=message_id)
    if not claimed:
        return message.delivery
    sender = _SENDERS.get(message.channel)
    try:
        if sender is None:
            raise DeliveryFailed(f"No sender for the {message.channel} channel.")
        sender(message)
    except Exception as error:  # recorded on the message, shown to the agent
        logger.warning("Reply %s not delivered on %s: %s", message.pk, message.channel, error)
        with transaction.atomic():
            Message.objects.filter(pk=message.pk).update(
                delivery=Message.Delivery.FAILED, delivery_error=str(error)[:300]
            )
            nudge(message.case)
        return Message.Delivery.FAILED
    return Message.Delivery.SENT
