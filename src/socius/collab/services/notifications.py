"""Notifications: one unread row per recipient, kind and thread, folding new events in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from socius.accounts.models import User
from socius.collab.models import Comment, Notification, Post, Space


@dataclass(frozen=True)
class NotificationEvent:
    kind: str
    thread: str
    actor: User | None = None
    post: Post | None = None
    comment: Comment | None = None
    space: Space | None = None
    person_id: int | None = None
    summary: str = ""


def notify(*, recipient_ids: Iterable[int], event: NotificationEvent) -> None:
    """Tell these colleagues; never the actor themselves.

    Callers pass only recipients who may read what the event is about: a notification
    shows a summary, and a private space's summary must not reach a non-member.
    """
    now = timezone.now()
    for recipient_id in set(recipient_ids) - {event.actor.pk if event.actor else None}:
        folded = Notification.objects.filter(
            recipient_id=recipient_id, kind=event.kind, thread=event.thread, read_at__isnull=True
        ).update(
            event_count=F("event_count") + 1,
            last_actor=event.actor,
            comment=event.comment,
            summary=event.summary[:300],
            updated_at=now,
        )
        if folded:
            continue
        try:
            with transaction.atomic():
                Notification.objects.create(
                    recipient_id=recipient_id,
                    kind=event.kind,
                    thread=event.thread,
                    post=event.post,
                    comment=event.comment,
                    space=event.space,
                    person_id=event.person_id,
                    last_actor=event.actor,
                    summary=event.summary[:300],
                    updated_at=now,
                )
        except IntegrityError:  # a concurrent event created it first: fold into it
            Notification.objects.filter(
                recipient_id=recipient_id,
                kind=event.kind,
                thread=event.thread,
                read_at__isnull=True,
            ).update(event_count=F("event_count") + 1, updated_at=now)
