"""Ingesting interactions from other systems: resolve the person, append to the timeline."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from socius.core.collector import collector_paused
from socius.core.errors import DomainError, InvalidInput
from socius.core.services import ActivityDraft, activity_append
from socius.people.models import Interaction, Person
from socius.people.normalize import InvalidIdentifier, normalize_identifier
from socius.people.services.resolve import person_resolve
from socius.people.services.types import IdentifierIn, Profile, ResolveContext

MAX_PAYLOAD_BYTES = 16_384
MAX_BATCH = 1000
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
_SOURCE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class InteractionIn:
    source: str
    external_id: str
    identifiers: list[IdentifierIn]
    kind: str
    profile: Profile = field(default_factory=Profile)
    channel: str = ""
    department_slug: str = ""
    occurred_at: dt.datetime | None = None
    summary: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IngestResult:
    interaction: Interaction
    created: bool


def _validate(data: InteractionIn) -> None:
    problems = {}
    if not _SOURCE.match(data.source):
        problems["source"] = "lower-case letters, digits, '.', '_' or '-', at most 64"
    if not data.external_id.strip() or len(data.external_id) > 200:
        problems["external_id"] = "required, at most 200 characters"
    if not _KIND.match(data.kind):
        problems["kind"] = "lower-case letters, digits and '_', starting with a letter"
    try:
        # JSON only: no NaN nor infinities (PostgreSQL refuses them), no other Python type.
        size = len(json.dumps(data.payload, allow_nan=False))
    except (TypeError, ValueError):
        problems["payload"] = "JSON values only (no NaN or infinity)"
    else:
        if size > MAX_PAYLOAD_BYTES:
            problems["payload"] = f"at most {MAX_PAYLOAD_BYTES} bytes"
    if data.occurred_at is not None and timezone.is_naive(data.occurred_at):
        problems["occurred_at"] = "needs a time zone (ISO 8601 with an offset or Z)"
    if problems:
        raise InvalidInput(details={"fields": problems})


def _department_id(slug: str) -> int | None:
    if not slug:
        return None
    from socius.accounts.selectors import department_get_by_slug

    try:
        return department_get_by_slug(slug=slug).pk
    except DomainError:
        raise InvalidInput(
            _("Unknown department."), details={"field": "department", "value": slug}
        ) from None


def _locate_identifier_error(error: InvalidIdentifier, data: InteractionIn) -> InvalidIdentifier:
    """Name the refused identifier by its position, so a client can fix the right one."""
    for index, item in enumerate(data.identifiers):
        try:
            normalize_identifier(item.kind, item.value, source=data.source)
        except InvalidIdentifier as located:
            field = "kind" if located.details.get("allowed") else "value"
            # The kind as sent: a WhatsApp number is refused by the phone rules.
            location = {"field": f"identifiers[{index}].{field}"}
            located.details = {**location, **located.details, "kind": item.kind}
            return located
    return error


def _existing(source: str, external_id: str) -> Interaction | None:
    return Interaction.objects.filter(source=source, external_id=external_id).first()


def _ingest_new(data: InteractionIn, actor_id: int | None) -> Interaction:
    department_id = _department_id(data.department_slug)
    try:
        resolution = person_resolve(
            identifiers=data.identifiers,
            profile=data.profile,
            context=ResolveContext(
                source=data.source,
                channel=data.channel,
                actor_id=actor_id,
                department_id=department_id,
            ),
        )
    except InvalidIdentifier as error:
        raise _locate_identifier_error(error, data) from None
    occurred_at = data.occurred_at or timezone.now()
    activity = activity_append(
        ActivityDraft(
            verb=f"interaction.{data.kind}",
            actor_id=actor_id,
            person_id=resolution.person.pk,
            department_id=department_id,
            channel=data.channel,
            summary=data.summary,
            occurred_at=occurred_at,
            payload={
                "source": data.source,
                "external_id": data.external_id,
                "kind": data.kind,
                "data": data.payload,
            },
        )
    )
    # The person reached out: this is what retention periods count from.
    Person.objects.filter(pk=resolution.person.pk).filter(
        Q(last_own_contact_at__isnull=True) | Q(last_own_contact_at__lt=occurred_at)
    ).update(last_own_contact_at=occurred_at)
    return Interaction.objects.create(
        source=data.source,
        external_id=data.external_id,
        person=resolution.person,
        activity=activity,
        resolution=resolution.outcome,
    )


def interaction_ingest(*, data: InteractionIn, actor_id: int | None = None) -> IngestResult:
    """Ingest once: the same (source, external_id) again returns the first result.

    A person created here is compared at once with the likeliest candidates (after the
    commit, still within the request), so a possible duplicate shows on their page.
    """
    result = interaction_ingest_once(data=data, actor_id=actor_id)
    interaction = result.interaction
    # "suggested" may also be a new person (the identifiers' holders contradicted it).
    if result.created and interaction.resolution in ("created", "suggested"):
        from socius.people.services.detection import duplicates_check_new

        person_ids = [interaction.person_id]
        transaction.on_commit(lambda: duplicates_check_new(person_ids=person_ids))
    return result


def interaction_ingest_once(*, data: InteractionIn, actor_id: int | None = None) -> IngestResult:
    """``interaction_ingest`` without the duplicate check (a batch queues its own)."""
    _validate(data)
    existing = _existing(data.source, data.external_id)
    if existing is not None:
        return IngestResult(existing, created=False)
    try:
        with transaction.atomic():
            return IngestResult(_ingest_new(data, actor_id), created=True)
    except IntegrityError:
        existing = _existing(data.source, data.external_id)
        if existing is None:
            raise
        return IngestResult(existing, created=False)


@dataclass(frozen=True)
class BatchItemResult:
    index: int
    result: IngestResult | None = None
    error: DomainError | None = None


def interaction_ingest_batch(
    *, items: list[InteractionIn], actor_id: int | None = None
) -> list[BatchItemResult]:
    """Each item commits or fails alone: an invalid item never half-writes.

    The results are those of ``interaction_ingest`` item after item; the common cases are
    written in bulk (see ``ingest_batch``), which makes a batch several times faster.
    """
    if len(items) > MAX_BATCH:
        raise InvalidInput(
            _("At most %(max)s interactions per batch.") % {"max": MAX_BATCH},
            details={"field": "items", "max": MAX_BATCH},
        )
    # Imported here: ingest_batch builds on this module's single-item path.
    from socius.people.services.ingest_batch import interactions_ingest_in_bulk

    with collector_paused():
        return interactions_ingest_in_bulk(items=items, actor_id=actor_id)
