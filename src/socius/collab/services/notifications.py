"""Notifications: one unread row per recipient, kind and thread, folding new events in.

Each recipient's email choice is applied when the event happens (``email_pending``) and
checked again when the email goes out (``collab.notifications.delivery``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.collab.models import (
    Comment,
    Notification,
    NotificationPreference,
    Post,
    Space,
    ThreadMute,
)
from socius.collab.notifications.preferences import KINDS, MODES, email_modes_for
from socius.collab.notifications.unsubscribe import Unsubscription, unsubscribe_token_read
from socius.collab.services.common import append_activity
from socius.core.errors import InvalidInput, NotFound
from socius.core.live import LiveEvent, publish_many_on_commit
from socius.core.models import Visibility
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.core.verbs import register_verbs

Email = NotificationPreference.Email

register_verbs(
    {
        "collab.notification_read": _("Notification read"),
        "collab.notifications_read_all": _("All notifications read"),
        "collab.notification_preference_set": _("Notification emails changed"),
        "collab.notification_unsubscribed": _("Unsubscribed from notification emails"),
        "collab.notifications_emailed": _("Notifications emailed"),
        "collab.thread_muted": _("Post muted"),
        "collab.thread_unmuted": _("Post unmuted"),
    }
)


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
    link: str = ""  # a path, for events outside the social network (customer requests)


def notify(*, recipient_ids: Iterable[int], event: NotificationEvent) -> None:
    """Tell these colleagues; never the actor themselves, nor who muted the post.

    Callers pass only recipients who may read what the event is about: a notification
    shows a summary, and a private space's summary must not reach a non-member.
    """
    recipients = set(recipient_ids) - {event.actor.pk if event.actor else None}
    if event.post is not None and recipients:
        recipients -= set(
            ThreadMute.objects.filter(post=event.post, user_id__in=recipients).values_list(
                "user_id", flat=True
            )
        )
    if not recipients:
        return
    modes = email_modes_for(user_ids=recipients, kind=event.kind)
    emailed = {r for r in recipients if modes[r] != Email.OFF}
    _fold_or_create(recipients, emailed, event, timezone.now())
    _bell_nudge(recipients)
    immediate = sorted(r for r in recipients if modes[r] == Email.IMMEDIATE)
    if immediate:
        transaction.on_commit(lambda: _enqueue_immediate(immediate))


def _fold_or_create(
    recipients: set[int], emailed: set[int], event: NotificationEvent, now: datetime
) -> None:
    """Fold the event into each recipient's unread notification of this thread, or start
    one: a handful of statements for any number of recipients (a department mention may
    reach hundreds)."""
    unread = Notification.objects.filter(kind=event.kind, thread=event.thread, read_at__isnull=True)
    present = set(unread.filter(recipient_id__in=recipients).values_list("recipient_id", flat=True))
    _fold(unread, present, emailed, event, now)
    missing = recipients - present
    if not missing:
        return
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=recipient_id,
                kind=event.kind,
                thread=event.thread,
                post=event.post,
                comment=event.comment,
                space=event.space,
                person_id=event.person_id,
                link=event.link,
                last_actor=event.actor,
                summary=event.summary[:300],
                updated_at=now,
                email_pending=recipient_id in emailed,
            )
            for recipient_id in sorted(missing)
        ],
        ignore_conflicts=True,  # a concurrent event created some first
    )
    # Rows that are not ours (another timestamp) were created by a concurrent event:
    # this event folds into them.
    raced = set(
        unread.filter(recipient_id__in=missing)
        .exclude(updated_at=now)
        .values_list("recipient_id", flat=True)
    )
    _fold(unread, raced, emailed, event, now)


def _fold(
    unread: QuerySet[Notification],
    recipient_ids: set[int],
    emailed: set[int],
    event: NotificationEvent,
    now: datetime,
) -> None:
    changes: dict[str, object] = {
        "event_count": F("event_count") + 1,
        "updated_at": now,
        "last_actor": event.actor,
        "comment": event.comment,
        "summary": event.summary[:300],
    }
    # A new event after an email is news again; "off" never makes one pending.
    for email, group in ((True, recipient_ids & emailed), (False, recipient_ids - emailed)):
        if group:
            pending = {"email_pending": True} if email else {}
            unread.filter(recipient_id__in=sorted(group)).update(**changes, **pending)


def _enqueue_immediate(user_ids: list[int]) -> None:
    from socius.collab.tasks import notification_emails_send_immediate

    for user_id in user_ids:
        notification_emails_send_immediate.enqueue(user_id)


def _bell_nudge(user_ids: Iterable[int]) -> None:
    """Open pages refresh their bell once the change is committed."""
    publish_many_on_commit(
        [LiveEvent(channel=f"user:{user_id}", name="notification") for user_id in sorted(user_ids)]
    )


def _append_personal_activity(
    actor: User, verb: str, about: object, payload: dict[str, Any]
) -> None:
    activity_append(
        ActivityDraft(
            verb=verb,
            actor_id=actor.pk,
            department_id=actor.department_id,
            about=ActivityObject.of(about),
            payload=payload,
            # Counted for adoption; nobody else's panel needs to show who read what.
            visibility=Visibility.RESTRICTED,
        )
    )


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Read in the app: no email about it any more (it was seen)."""
    if notification.recipient_id != actor.pk:
        raise NotFound()
    now = timezone.now()
    changed = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now, email_pending=False
    )
    if changed:
        notification.read_at, notification.email_pending = now, False
        _append_personal_activity(actor, "collab.notification_read", notification, {})
        _bell_nudge([actor.pk])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: User) -> int:
    changed = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now(), email_pending=False
    )
    if changed:
        _append_personal_activity(actor, "collab.notifications_read_all", actor, {"count": changed})
        _bell_nudge([actor.pk])
    return changed


@transaction.atomic
def notification_preferences_set(*, actor: User, choices: dict[str, str]) -> None:
    """Set the email mode of some kinds; nothing changes unless every choice is valid."""
    invalid = {
        kind: mode for kind, mode in choices.items() if kind not in KINDS or mode not in MODES
    }
    if invalid:
        raise InvalidInput(details={"field": "preferences", "invalid": sorted(invalid)})
    for kind, mode in sorted(choices.items()):
        NotificationPreference.objects.update_or_create(
            user=actor, kind=kind, defaults={"email": mode}
        )
    off = [kind for kind, mode in choices.items() if mode == Email.OFF]
    if off:  # waiting emails of a kind switched off are never sent
        Notification.objects.filter(recipient=actor, kind__in=off, email_pending=True).update(
            email_pending=False
        )
    if any(mode == Email.IMMEDIATE for mode in choices.values()):
        # What waited for a digest goes now that the colleague wants it at once.
        transaction.on_commit(lambda: _enqueue_immediate([actor.pk]))
    _append_personal_activity(
        actor, "collab.notification_preference_set", actor, {"preferences": choices}
    )


def notification_preference_set(*, actor: User, kind: str, email: str) -> None:
    notification_preferences_set(actor=actor, choices={kind: email})


@transaction.atomic
def notification_unsubscribe(*, token: str) -> tuple[User, Unsubscription]:
    """One-click unsubscribe from an email link: those kinds by email are switched off."""
    unsubscription = unsubscribe_token_read(token)
    user = None
    if unsubscription is not None:
        user = User.objects.filter(pk=unsubscription.user_id).first()
    if unsubscription is None or user is None:
        raise NotFound()
    notification_preferences_set(
        actor=user, choices=dict.fromkeys(unsubscription.kinds, Email.OFF.value)
    )
    _append_personal_activity(
        user, "collab.notification_unsubscribed", user, {"kinds": list(unsubscription.kinds)}
    )
    return user, unsubscription


@transaction.atomic
def thread_mute(*, actor: User, post: Post) -> None:
    """Nothing more about this post reaches the colleague, in the app or by email."""
    _, created = ThreadMute.objects.get_or_create(user=actor, post=post)
    Notification.objects.filter(recipient=actor, post=post, email_pending=True).update(
        email_pending=False
    )
    if created:
        append_activity(actor, "collab.thread_muted", post, post.space)


@transaction.atomic
def thread_unmute(*, actor: User, post: Post) -> None:
    deleted, _ = ThreadMute.objects.filter(user=actor, post=post).delete()
    if deleted:
        append_activity(actor, "collab.thread_unmuted", post, post.space)
