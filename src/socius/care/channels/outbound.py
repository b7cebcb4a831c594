"""Replies leave on the channel the customer last wrote from, through that channel's sender.

Each channel module registers a sender (``register_sender``); ``deliver`` runs in the
worker, outside any request and outside any transaction while the channel is called (a slow
mail server must not hold the database). A sender receives a ``Message`` (never a note:
senders are handed messages only) and raises ``DeliveryFailed`` when the channel refuses.

A reply is claimed (``claimed_at``) before it is sent, so two workers never send it at
once; it is marked sent after the channel accepted it. ``replies_sweep`` (every few
minutes) sends again what was never taken, what a dead worker left claimed, and what
failed, a few times with growing pauses: a reply is sent at least once, and a worker dying
between the channel's answer and the mark is the only way it could leave twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from socius.care.models import Message
from socius.care.services.common import nudge

logger = logging.getLogger(__name__)

Sender = Callable[[Message], None]
_SENDERS: dict[str, Sender] = {}

MAX_ATTEMPTS = 5
CLAIM_TIMEOUT = dt.timedelta(minutes=10)
NOT_TAKEN_AFTER = dt.timedelta(minutes=2)


class DeliveryFailed(Exception):
    """The channel refused the message; the text says why (shown to the agent)."""


def register_sender(channel: str, sender: Sender) -> None:
    _SENDERS[channel] = sender


def _claimable(now: dt.datetime) -> Q:
    return Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)


def deliver(message_id: int) -> str:
    """Send a pending reply once; returns its delivery state."""
    now = timezone.now()
    claimed = Message.objects.filter(
        _claimable(now),
        pk=message_id,
        direction=Message.Direction.OUTBOUND,
        delivery=Message.Delivery.PENDING,
    ).update(claimed_at=now, attempts=F("attempts") + 1)
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
        _mark(message, delivery=Message.Delivery.FAILED, delivery_error=str(error)[:300])
        return Message.Delivery.FAILED
    _mark(message, delivery=Message.Delivery.SENT, sent_at=timezone.now(), delivery_error="")
    return Message.Delivery.SENT


def _mark(message: Message, **changes: object) -> None:
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(claimed_at=None, **changes)
        nudge(message.case)


def delivery_retry(*, message: Message) -> None:
    """Put a failed reply back in the queue (an agent's "send again")."""
    with transaction.atomic():
        retried = Message.objects.filter(
            pk=message.pk, direction=Message.Direction.OUTBOUND, delivery=Message.Delivery.FAILED
        ).update(delivery=Message.Delivery.PENDING, claimed_at=None)
        if retried:
            from socius.care.tasks import message_deliver

            message_id = message.pk
            transaction.on_commit(lambda: message_deliver.enqueue(message_id))
            nudge(message.case)


def replies_sweep(now: dt.datetime | None = None, limit: int = 200) -> int:
    """Send again the replies left behind; returns how many were tried."""
    now = now or timezone.now()
    stale_pending = Q(delivery=Message.Delivery.PENDING, created_at__lt=now - NOT_TAKEN_AFTER) & (
        _claimable(now)
    )
    # A failed reply waits 5, 10, 20, 40 minutes between tries, then waits for an agent.
    failed = Q(delivery=Message.Delivery.FAILED, attempts__lt=MAX_ATTEMPTS)
    candidates = list(
        Message.objects.filter(stale_pending | failed, direction=Message.Direction.OUTBOUND)
        .order_by("pk")
        .values_list("pk", "delivery", "attempts", "created_at")[: limit * 4]
    )
    tried = 0
    for pk, delivery, attempts, created in candidates:
        if tried >= limit:
            break
        if delivery == Message.Delivery.FAILED:
            wait = dt.timedelta(minutes=5 * 2 ** max(attempts - 1, 0))
            if created + wait > now:
                continue
            Message.objects.filter(pk=pk, delivery=Message.Delivery.FAILED).update(
                delivery=Message.Delivery.PENDING, claimed_at=None
            )
        deliver(pk)
        tried += 1
    return tried
