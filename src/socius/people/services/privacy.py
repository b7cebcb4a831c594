"""Data-subject rights: rectification and the requests customers make from the portal.

Export lives in ``privacy_export.py``, erasure and its replay log in ``privacy_erase.py``,
the retention policy in ``retention.py``; they are re-exported here.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from socius.core.errors import InvalidInput
from socius.core.models import Visibility
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.core.verbs import register_verbs
from socius.people.errors import (
    PersonErased,
    PersonMergedAway,
    PrivacyRequestClosed,
    PrivacyRequestPending,
)
from socius.people.models import Person, PrivacyRequest
from socius.people.names import search_name
from socius.people.selectors.privacy import privacy_request_pending_for
from socius.people.services.privacy_erase import erasures_replay, person_erase
from socius.people.services.privacy_export import person_export, person_export_data
from socius.people.services.types import PROFILE_FIELDS

if TYPE_CHECKING:
    from socius.accounts.models import User

__all__ = [
    "RECTIFIABLE_FIELDS",
    "erasures_replay",
    "person_erase",
    "person_export",
    "person_export_data",
    "person_rectify",
    "privacy_request_carry_out",
    "privacy_request_create",
    "privacy_request_refuse",
]

RECTIFIABLE_FIELDS = PROFILE_FIELDS
MAX_MESSAGE = 2000
MAX_REFUSAL = 500

register_verbs(
    {
        "person.exported": _("Data exported"),
        "person.erased": _("Data erased"),
        "person.rectified": _("Profile rectified"),
        "privacy_request.created": _("Erasure requested"),
        "privacy_request.done": _("Erasure request carried out"),
        "privacy_request.refused": _("Erasure request refused"),
        "people.retention_applied": _("Retention period applied"),
    }
)


def _check_live(person: Person) -> None:
    if person.erased_at is not None:
        raise PersonErased(details={"person_id": person.pk})
    if person.merged_into_id is not None:
        raise PersonMergedAway(survivor_id=person.merged_into_id)


def _clean_birth_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(details={"field": "birth_date", "problem": "not_a_date"}) from None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidInput(details={"field": "birth_date", "problem": "not_a_date"})
    if value > timezone.localdate() or value.year < 1900:
        raise InvalidInput(details={"field": "birth_date", "problem": "out_of_range"})
    return value


def _clean_changes(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(RECTIFIABLE_FIELDS))
    if unknown:
        raise InvalidInput(details={"field": unknown[0], "allowed": list(RECTIFIABLE_FIELDS)})
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "birth_date":
            cleaned[name] = _clean_birth_date(value)
            continue
        text = " ".join(str(value or "").split())
        max_length = Person._meta.get_field(name).max_length  # type: ignore[union-attr]
        if max_length is not None and len(text) > max_length:
            raise InvalidInput(details={"field": name, "max_length": max_length})
        cleaned[name] = text
    return cleaned


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@transaction.atomic
def person_rectify(*, person: Person, actor: User | None, changes: dict[str, Any]) -> Person:
    """Correct profile fields (GDPR art. 16), keeping before and after values for the audit.

    Only the fields that really change are written and recorded; no change, no entry.
    """
    cleaned = _clean_changes(changes)
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_live(person)
    recorded = {}
    for name, after in cleaned.items():
        before = getattr(person, name)
        if before != after:
            recorded[name] = {"before": _json(before), "after": _json(after)}
            setattr(person, name, after)
    if not recorded:
        return person
    person.search_name = search_name(person.given_name, person.family_name)
    person.save(update_fields=[*recorded, "search_name", "updated_at"])
    activity_append(
        ActivityDraft(
            verb="person.rectified",
            actor_id=actor.pk if actor else None,
            person_id=person.pk,
            about=ActivityObject.of(person),
            summary=", ".join(sorted(recorded)),
            payload={"changes": recorded},
        )
    )
    return person


@transaction.atomic
def privacy_request_create(
    *, person: Person, kind: str = PrivacyRequest.Kind.ERASURE, message: str = ""
) -> PrivacyRequest:
    """The customer asks (from the portal); one pending request of a kind at a time."""
    if kind not in PrivacyRequest.Kind.values:
        raise InvalidInput(details={"field": "kind", "allowed": list(PrivacyRequest.Kind.values)})
    # The person's row lock serializes two concurrent requests (SQLite serializes writers).
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_live(person)
    pending = privacy_request_pending_for(person=person, kind=kind)
    if pending is not None:
        raise PrivacyRequestPending(details={"request_id": pending.pk})
    request = PrivacyRequest.objects.create(
        person=person, kind=kind, message=message.strip()[:MAX_MESSAGE]
    )
    activity_append(
        ActivityDraft(
            verb="privacy_request.created",
            person_id=person.pk,
            about=ActivityObject.of(request),
            channel="web",
            visibility=Visibility.CUSTOMER,
            payload={"request": request.pk, "kind": kind},
        )
    )
    return request


def _lock_pending(request: PrivacyRequest) -> PrivacyRequest:
    request = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != PrivacyRequest.Status.PENDING:
        raise PrivacyRequestClosed(details={"request_id": request.pk, "status": request.status})
    return request


@transaction.atomic
def privacy_request_carry_out(*, request: PrivacyRequest, actor: User) -> PrivacyRequest:
    """Erase the person who asked; the erasure closes their pending erasure requests."""
    request = _lock_pending(request)
    person = Person.objects.get(pk=request.person_id)
    erasure_id = None
    if person.erased_at is None:
        reason = gettext_noop("Erasure requested by the person from the portal")
        erasure_id = person_erase(
            person=person, actor=actor, reason=f"{reason} (request {request.pk})"
        ).pk
    PrivacyRequest.objects.filter(pk=request.pk, status=PrivacyRequest.Status.PENDING).update(
        status=PrivacyRequest.Status.DONE, handled_at=timezone.now(), handled_by=actor
    )
    request.refresh_from_db()
    activity_append(
        ActivityDraft(
            verb="privacy_request.done",
            actor_id=actor.pk,
            person_id=request.person_id,
            about=ActivityObject.of(request),
            payload={"request": request.pk, "erasure": erasure_id},
        )
    )
    return request


@transaction.atomic
def privacy_request_refuse(*, request: PrivacyRequest, actor: User, reason: str) -> PrivacyRequest:
    """Refuse with a reason, which the customer reads on their portal (GDPR art. 12(4))."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput(details={"field": "reason"})
    request = _lock_pending(request)
    request.status = PrivacyRequest.Status.REFUSED
    request.handled_at = timezone.now()
    request.handled_by = actor
    request.save(update_fields=["status", "handled_at", "handled_by"])
    activity_append(
        ActivityDraft(
            verb="privacy_request.refused",
            actor_id=actor.pk,
            person_id=request.person_id,
            about=ActivityObject.of(request),
            channel="web",
            visibility=Visibility.CUSTOMER,
            summary=reason[:MAX_REFUSAL],
            payload={"request": request.pk},
        )
    )
    return request
