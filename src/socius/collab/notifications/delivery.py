"""Notification emails: at once, or gathered into an hourly or a daily digest.

Every send re-checks, at send time, what the recipient may read and what they muted: a
colleague removed from a private space since the event must not get its content by email.
Claiming the rows (clearing ``email_pending``, setting ``emailed_at``) and sending happen
in one transaction, so a failed send leaves them waiting and a second run finds nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from socius.accounts.models import User
from socius.collab.models import Notification, NotificationPreference
from socius.collab.notifications.preferences import email_modes_of
from socius.collab.notifications.selectors import (
    muted_condition,
    notification_headline,
    notification_url,
    notifications_readable_condition,
)
from socius.collab.notifications.unsubscribe import unsubscribe_url
from socius.core.services import ActivityDraft, ActivityObject, activity_append

logger = logging.getLogger(__name__)

Email = NotificationPreference.Email
# An immediate email whose task was lost (a worker crash) goes out with the next hourly run.
IMMEDIATE_GRACE = timedelta(minutes=10)
# A busy thread (twenty comments mentioning a department) emails a colleague at once at
# most this often; what follows waits for the hourly run.
IMMEDIATE_QUIET = timedelta(hours=1)
USER_BATCH = 500


@dataclass(frozen=True)
class EmailItem:
    headline: str
    summary: str
    url: str
    updated_at: datetime


@dataclass(frozen=True)
class EmailSection:
    kind: str
    label: str
    items: list[EmailItem]
    unsubscribe_url: str


def notification_emails_send(*, user: User, mode: str, now: datetime | None = None) -> int:
    """Email this colleague what waits in the kinds they receive by ``mode``; returns how many.

    The rows are claimed in a short transaction, the email is sent outside any transaction
    (a slow mail server must not hold the database's write lock), and a failed send puts
    the rows back to wait for the next run.
    """
    now = now or timezone.now()
    rows = _claim(user=user, mode=mode, now=now)
    if not rows:
        return 0
    message = _compose(user, rows, mode)
    try:
        message.send()
    except Exception:
        Notification.objects.filter(pk__in=[row.pk for row in rows], emailed_at=now).update(
            email_pending=True, emailed_at=None
        )
        raise
    with transaction.atomic():
        activity_append(
            ActivityDraft(
                verb="collab.notifications_emailed",
                about=ActivityObject.of(user),
                payload={"mode": mode, "notifications": [row.pk for row in rows]},
            )
        )
    return len(rows)


def _claim(*, user: User, mode: str, now: datetime) -> list[Notification]:
    """Take the waiting notifications due by ``mode`` off the queue; nothing twice."""
    modes = email_modes_of(user)
    due = Q(kind__in=[kind for kind, chosen in modes.items() if chosen == mode])
    if mode == Email.IMMEDIATE:
        due &= Q(emailed_at__isnull=True) | Q(emailed_at__lt=now - IMMEDIATE_QUIET)
    if mode == Email.HOURLY:
        late = [kind for kind, chosen in modes.items() if chosen == Email.IMMEDIATE]
        due |= Q(kind__in=late, updated_at__lt=now - IMMEDIATE_GRACE)
    with transaction.atomic():
        waiting = Notification.objects.filter(recipient=user, email_pending=True)
        sendable = waiting.filter(notifications_readable_condition(user)).exclude(
            muted_condition(user)
        )
        if not user.is_active or not user.email:
            sendable = sendable.none()
        # Unreadable since, or muted: never emailed, and no longer waiting.
        waiting.exclude(pk__in=sendable.values("pk")).update(email_pending=False)
        ids = list(sendable.filter(due).values_list("pk", flat=True))
        if not ids:
            return []
        # A conditional claim: a concurrent run of the same job claims nothing twice.
        claimed = Notification.objects.filter(pk__in=ids, email_pending=True).update(
            email_pending=False, emailed_at=now
        )
        if not claimed:
            return []
        return list(
            Notification.objects.filter(pk__in=ids, emailed_at=now)
            .select_related("last_actor")
            .order_by("kind", "-updated_at", "-id")
        )


def notification_digest_run(*, mode: str) -> int:
    """One email per colleague with waiting notifications of ``mode``; returns emails sent.

    One colleague's failure (a refused address, a mail server hiccup) is logged and leaves
    their notifications waiting; the others still get theirs.
    """
    now = timezone.now()
    user_ids = sorted(
        set(
            Notification.objects.filter(email_pending=True)
            .order_by()
            .values_list("recipient_id", flat=True)
            .distinct()
        )
    )
    emails = 0
    for start in range(0, len(user_ids), USER_BATCH):
        for user in User.objects.filter(pk__in=user_ids[start : start + USER_BATCH]).order_by("pk"):
            try:
                sent = notification_emails_send(user=user, mode=mode, now=now)
            except Exception:
                logger.exception("Could not email notifications to user %s", user.pk)
                continue
            emails += 1 if sent else 0
    return emails


def _language_of(user: User) -> str:
    # The language the employee last picked in the switcher; the default until they do.
    return user.language or settings.LANGUAGE_CODE


def _subject(mode: str, sections: list[EmailSection]) -> str:
    count = sum(len(section.items) for section in sections)
    if count == 1:
        return sections[0].items[0].headline
    if mode == Email.HOURLY:
        text = ngettext(
            "Your hourly digest: %(count)d notification",
            "Your hourly digest: %(count)d notifications",
            count,
        )
    elif mode == Email.DAILY:
        text = ngettext(
            "Your daily digest: %(count)d notification",
            "Your daily digest: %(count)d notifications",
            count,
        )
    else:
        text = ngettext("%(count)d new notification", "%(count)d new notifications", count)
    return text % {"count": count}


def _compose(user: User, rows: list[Notification], mode: str) -> EmailMultiAlternatives:
    kinds = sorted({row.kind for row in rows})
    # The header unsubscribes from every kind this email carries (one click, RFC 8058);
    # the body also offers one link per kind.
    header_url = unsubscribe_url(user_id=user.pk, kinds=kinds)
    with translation.override(_language_of(user)):
        labels = dict(Notification.Kind.choices)
        sections = [
            EmailSection(
                kind=kind,
                label=str(labels[kind]),
                items=[
                    EmailItem(
                        headline=notification_headline(row),
                        summary=row.summary,
                        url=notification_url(row),
                        updated_at=row.updated_at,
                    )
                    for row in group
                ],
                unsubscribe_url=unsubscribe_url(user_id=user.pk, kinds=[kind]),
            )
            for kind, group in groupby(rows, key=lambda row: row.kind)
        ]
        subject = _subject(mode, sections)
        context = {
            "user": user,
            "mode": mode,
            "sections": sections,
            "subject": subject,
            "centre_url": f"{settings.SITE_URL}{reverse('collab:notification-list')}",
            "preferences_url": (f"{settings.SITE_URL}{reverse('collab:notification-preferences')}"),
            "unsubscribe_url": header_url,
            "company_name": settings.COMPANY_NAME,
            "language": translation.get_language(),
            "greeting": gettext("Hello %(name)s,") % {"name": user.full_name},
        }
        text = render_to_string("collab/email/notifications.txt", context)
        html = render_to_string("collab/email/notifications.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{header_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
