"""Reads behind the data-subject rights: records of one human, requests, retention."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Coalesce

from socius.accounts.roles import Capability
from socius.core.errors import NotFound
from socius.core.models import Activity, Visibility
from socius.people.models import Identifier, Person, PersonPost, PrivacyRequest

if TYPE_CHECKING:
    from socius.accounts.models import User

MAX_MERGE_DEPTH = 50
PURCHASE_VERB = "interaction.purchase"


def merged_record_ids(*, person: Person) -> list[int]:
    """The person's id, then every record merged into them, directly or through others.

    A tombstone left by a merge is the same human: their rights cover it too.
    """
    ids, frontier = [person.pk], [person.pk]
    for _depth in range(MAX_MERGE_DEPTH):
        frontier = list(
            Person.objects.filter(merged_into_id__in=frontier)
            .exclude(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not frontier:
            break
        ids.extend(frontier)
    return ids


def person_customer_timeline(*, person: Person, limit: int = 50) -> QuerySet[Activity]:
    """What the customer may see of their own timeline: entries marked for them, only."""
    return (
        Activity.objects.filter(person=person, visibility=Visibility.CUSTOMER)
        .select_related("department")
        .order_by("-occurred_at", "-id")[:limit]
    )


def privacy_request_pending_for(*, person: Person, kind: str) -> PrivacyRequest | None:
    return (
        PrivacyRequest.objects.filter(
            person=person, kind=kind, status=PrivacyRequest.Status.PENDING
        )
        .order_by("-requested_at")
        .first()
    )


def privacy_requests_for_employee(
    *, user: User, status: str = PrivacyRequest.Status.PENDING, limit: int = 200
) -> QuerySet[PrivacyRequest]:
    if not user.can(Capability.ADMINISTER_PEOPLE):
        raise NotFound()
    # Pending requests oldest first (the legal clock runs); handled ones latest first.
    order = (
        ("requested_at", "pk")
        if status == PrivacyRequest.Status.PENDING
        else ("-handled_at", "-pk")
    )
    return (
        PrivacyRequest.objects.filter(status=status)
        .select_related("person", "handled_by")
        .order_by(*order)[:limit]
    )


def privacy_request_get_for_employee(*, user: User, request_id: int) -> PrivacyRequest:
    if not user.can(Capability.ADMINISTER_PEOPLE):
        raise NotFound()
    found = PrivacyRequest.objects.filter(pk=request_id).select_related("person").first()
    if found is None:
        raise NotFound()
    return found


def retention_period() -> dt.timedelta | None:
    """How long a prospect is kept after their last own contact; None when turned off."""
    days = settings.RETENTION_PROSPECT_DAYS
    return dt.timedelta(days=days) if days > 0 else None


def retention_candidates(
    *, now: dt.datetime, horizon: dt.timedelta | None = None
) -> QuerySet[Person]:
    """Prospects whose retention period is over at ``now`` (plus ``horizon`` to look ahead).

    A prospect is a live person with no purchase on their timeline and no employee
    account; the period runs from their last own contact, or from their creation when
    they never reached out. Oldest first.
    """
    period = retention_period()
    if period is None:
        return Person.objects.none()
    cutoff = now + (horizon or dt.timedelta()) - period
    purchases = Activity.objects.filter(person_id=OuterRef("pk"), verb=PURCHASE_VERB)
    return (
        Person.objects.filter(merged_into__isnull=True, erased_at__isnull=True, user__isnull=True)
        .alias(has_purchase=Exists(purchases))
        .filter(has_purchase=False)
        .annotate(retention_from=Coalesce("last_own_contact_at", "created_at"))
        .filter(retention_from__lt=cutoff)
        .order_by("retention_from", "pk")
    )


def retention_upcoming(*, now: dt.datetime, horizon: dt.timedelta) -> QuerySet[Person]:
    """Prospects whose period ends within ``horizon`` after ``now`` (not yet due)."""
    due_now = retention_candidates(now=now).values("pk")
    return retention_candidates(now=now, horizon=horizon).exclude(pk__in=due_now)


@dataclass(frozen=True)
class ErasurePreview:
    """What an erasure of the person will touch, shown before an employee confirms it."""

    merged_records: int
    identifiers: int
    timeline_entries: int
    discussion_posts: int
    is_employee: bool


def erasure_preview(*, person: Person) -> ErasurePreview:
    ids = merged_record_ids(person=person)
    return ErasurePreview(
        merged_records=len(ids) - 1,
        identifiers=Identifier.objects.filter(person_id__in=ids).count(),
        timeline_entries=Activity.objects.filter(person_id__in=ids).count(),
        discussion_posts=PersonPost.objects.filter(person_id__in=ids).count(),
        is_employee=Person.objects.filter(pk__in=ids, user__isnull=False).exists(),
    )
