"""Writes of the charter: drafting, publishing, acknowledging, reminding."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.core.errors import Forbidden, InvalidInput
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.insights.errors import CharterNotPublishable, CharterTextChanged
from socius.insights.models import Acknowledgment, CharterReminder, CharterVersion, body_digest
from socius.insights.selectors import (
    charter_binding_version,
    charter_current,
    users_in_good_standing,
)

logger = logging.getLogger(__name__)
REMINDER_INTERVAL = timedelta(days=7)


def _record(
    verb: str,
    version: CharterVersion,
    *,
    payload: dict[str, object],
    by: User | None = None,
    to: User | None = None,
) -> None:
    """One step of the charter in the Activity log: done ``by`` an employee, or sent ``to``
    one (on their own timeline), under that employee's department."""
    employee = by or to
    assert employee is not None
    activity_append(
        ActivityDraft(
            verb=verb,
            actor_id=by.pk if by is not None else None,
            person_id=to.person_id if to is not None else None,
            department_id=employee.department_id,
            about=ActivityObject.of(version),
            summary=version.title,
            payload=payload,
        )
    )


def _ensure_manager(actor: User) -> None:
    if not actor.can(Capability.MANAGE_CHARTER):
        raise Forbidden()


@transaction.atomic
def charter_version_create(*, actor: User, title: str, body: str, material: bool) -> CharterVersion:
    """A new draft; its text is fixed from now on, so that its hash stays the proof."""
    _ensure_manager(actor)
    title, body = title.strip(), body.strip()
    if not title:
        raise InvalidInput(details={"field": "title"})
    if not body:
        raise InvalidInput(details={"field": "body"})
    # Numbers follow creation; the lock on the last row keeps two drafts from sharing one.
    last = CharterVersion.objects.select_for_update().order_by("-number").first()
    number = (last.number if last else 0) + 1
    version = CharterVersion.objects.create(
        number=number,
        title=title,
        body=body,
        material=material,
        body_sha256=body_digest(body),
        created_by=actor,
    )
    _record(
        "charter.version_created",
        version,
        by=actor,
        payload={"number": number, "material": material, "body_sha256": version.body_sha256},
    )
    return version


@transaction.atomic
def charter_publish(*, actor: User, version: CharterVersion) -> CharterVersion:
    """Publish a draft: it becomes the current version (the latest published)."""
    _ensure_manager(actor)
    version = CharterVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != CharterVersion.Status.DRAFT:
        raise CharterNotPublishable()
    # Two versions published in the same instant would leave "current" undecided.
    latest = CharterVersion.objects.filter(status=CharterVersion.Status.PUBLISHED).aggregate(
        at=Max("published_at")
    )["at"]
    now = timezone.now()
    if latest is not None and now <= latest:
        now = latest + timedelta(microseconds=1)
    version.status = CharterVersion.Status.PUBLISHED
    version.published_at = now
    version.published_by = actor
    version.save(update_fields=["status", "published_at", "published_by"])
    _record(
        "charter.published",
        version,
        by=actor,
        payload={"number": version.number, "material": version.material},
    )
    return version


def charter_acknowledge(*, user: User, version: CharterVersion, body_sha256: str) -> Acknowledgment:
    """Record that ``user`` read the current text, identified by the hash the page showed.

    Acknowledging twice returns the first record: the earliest date is the one that counts.
    """
    existing = Acknowledgment.objects.filter(version=version, user=user).first()
    if existing is not None:
        return existing
    current = charter_current()
    # A page left open across a publication, or a forged hash, must not be recorded as
    # having read a text the employee never saw.
    if current is None or current.pk != version.pk or body_sha256 != current.body_sha256:
        raise CharterTextChanged(
            details={"current_body_sha256": current.body_sha256 if current else None}
        )
    try:
        with transaction.atomic():
            acknowledgment = Acknowledgment.objects.create(
                version=version,
                user=user,
                acknowledged_at=timezone.now(),
                body_sha256=body_sha256,
            )
            _record(
                "charter.acknowledged",
                version,
                by=user,
                payload={"number": version.number, "body_sha256": body_sha256},
            )
    except IntegrityError:
        # A double click raced the first request: that one is the record.
        return Acknowledgment.objects.get(version=version, user=user)
    return acknowledgment


def charter_reminders_send(*, now: datetime | None = None) -> int:
    """Email the employees who have not acknowledged the binding material version, each
    at most once a week. Returns how many were reminded."""
    now = now or timezone.now()
    binding = charter_binding_version()
    if binding is None:
        return 0
    path = reverse("insights:charter")
    url = f"{settings.SITE_URL}{path}"
    sent = 0
    done = users_in_good_standing(binding)
    for user in User.objects.filter(is_active=True).exclude(pk__in=done).order_by("pk"):
        with transaction.atomic():
            reminder = CharterReminder.objects.select_for_update().filter(user=user).first()
            if reminder is not None and reminder.reminded_at > now - REMINDER_INTERVAL:
                continue
            CharterReminder.objects.update_or_create(user=user, defaults={"reminded_at": now})
            _record("charter.reminded", binding, to=user, payload={"number": binding.number})
        # Recorded before sending: a failed send is logged rather than retried, since the
        # weekly limit matters more than one missed reminder.
        try:
            _reminder_email(user, binding, url)
        except Exception:
            logger.exception("Charter reminder to user %s failed", user.pk)
            continue
        sent += 1
    return sent


def _reminder_email(user: User, version: CharterVersion, url: str) -> None:
    context = {
        "user": user,
        "version": version,
        "url": url,
        "company_name": getattr(settings, "COMPANY_NAME", ""),
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("insights/emails/charter_reminder_subject.txt", context)
        message = render_to_string("insights/emails/charter_reminder.txt", context)
    send_mail(
        subject=subject.strip(), message=message, from_email=None, recipient_list=[user.email]
    )
