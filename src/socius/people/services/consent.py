"""The consent ledger: append-only entries per purpose; the current state is derived."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socius.core.errors import InvalidInput
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.core.verbs import register_verbs
from socius.people.models import ConsentEntry, ConsentPurpose, ConsentState, Person

register_verbs({"consent.recorded": _("Consent recorded")})


def consent_states(*, person: Person) -> dict[str, str]:
    """The current state of each purpose the person ever answered: the latest entry wins."""
    states: dict[str, str] = {}
    entries = ConsentEntry.objects.filter(person=person).order_by("occurred_at", "id")
    for purpose, state in entries.values_list("purpose", "state"):
        states[purpose] = state
    return states


def consent_allows(person: Person, purpose: str) -> bool:
    """The check every marketing send must make: only an explicit, current grant allows."""
    latest = (
        ConsentEntry.objects.filter(person=person, purpose=purpose)
        .order_by("-occurred_at", "-id")
        .values_list("state", flat=True)
        .first()
    )
    return latest == ConsentState.GRANTED


@transaction.atomic
def consent_record(
    *,
    person: Person,
    purpose: str,
    state: str,
    source: str,
    evidence: str = "",
    occurred_at: dt.datetime | None = None,
    actor_id: int | None = None,
) -> ConsentEntry:
    if purpose not in ConsentPurpose.values:
        raise InvalidInput(details={"field": "purpose", "allowed": list(ConsentPurpose.values)})
    if state not in ConsentState.values:
        raise InvalidInput(details={"field": "state", "allowed": list(ConsentState.values)})
    if not source.strip():
        raise InvalidInput(details={"field": "source"})
    entry = ConsentEntry.objects.create(
        person=person,
        purpose=purpose,
        state=state,
        source=source.strip()[:64],
        evidence=evidence[:500],
        occurred_at=occurred_at or timezone.now(),
        recorded_by_id=actor_id,
    )
    activity_append(
        ActivityDraft(
            verb="consent.recorded",
            actor_id=actor_id,
            person_id=person.pk,
            about=ActivityObject.of(entry),
            summary=f"{purpose}: {state}",
            payload={"purpose": purpose, "state": state, "source": entry.source},
        )
    )
    return entry
