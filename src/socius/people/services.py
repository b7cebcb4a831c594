"""Writes of the people context: resolving identifiers to the one Person they belong to."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Literal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from socius.core.errors import InvalidInput
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.people.models import Identifier, Person, ResolutionConflict
from socius.people.normalize import NormalizedIdentifier, normalize_identifier


@dataclass(frozen=True)
class IdentifierIn:
    kind: str
    value: str


@dataclass(frozen=True)
class Profile:
    given_name: str = ""
    family_name: str = ""
    birth_date: dt.date | None = None
    address: str = ""
    postcode: str = ""
    city: str = ""
    locale: str = ""


Outcome = Literal["created", "attached", "conflict"]


@dataclass
class Resolution:
    person: Person
    outcome: Outcome
    reason: str
    added: list[NormalizedIdentifier] = field(default_factory=list)
    conflicts: list[ResolutionConflict] = field(default_factory=list)


@dataclass(frozen=True)
class ResolveContext:
    """Who and what asked for a resolution, for the activity it leaves."""

    source: str = ""
    channel: str = ""
    actor_id: int | None = None
    department_id: int | None = None


def _normalize_all(identifiers: list[IdentifierIn], *, source: str) -> list[NormalizedIdentifier]:
    if not identifiers:
        raise InvalidInput(_("At least one identifier is needed to recognise a person."))
    seen: dict[tuple[str, str], NormalizedIdentifier] = {}
    for item in identifiers:
        normalized = normalize_identifier(item.kind, item.value, source=source)
        seen.setdefault((normalized.kind, normalized.value), normalized)
    return list(seen.values())


def _owners(normalized: list[NormalizedIdentifier]) -> dict[tuple[str, str], Person]:
    condition = Q()
    for item in normalized:
        condition |= Q(kind=item.kind, value=item.value)
    rows = Identifier.objects.filter(condition, is_shared=False).select_related("person")
    return {(row.kind, row.value): _live(row.person) for row in rows}


def _live(person: Person) -> Person:
    """The live record of a human: a tombstone left by a merge points to its survivor."""
    hops = 0
    while person.merged_into_id is not None and hops < 20:
        person, hops = person.merged_into, hops + 1  # type: ignore[assignment]
    return person


def _fill_blank_profile(person: Person, profile: Profile) -> list[str]:
    """Complete what the person lacks; never overwrite what someone already recorded."""
    changed = []
    for item in fields(Profile):
        incoming = getattr(profile, item.name)
        if incoming and not getattr(person, item.name):
            setattr(person, item.name, incoming)
            changed.append(item.name)
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
    return changed


def _attach(person: Person, items: list[NormalizedIdentifier], *, source: str) -> None:
    Identifier.objects.bulk_create(
        [
            Identifier(
                person=person, kind=i.kind, value=i.value, raw_value=i.raw_value, source=source
            )
            for i in items
        ]
    )


def _record_conflicts(
    chosen: Person, owners: dict[tuple[str, str], Person]
) -> list[ResolutionConflict]:
    conflicts = []
    others = {p.pk: p for p in owners.values() if p.pk != chosen.pk}
    for other in others.values():
        evidence = {
            "chosen": sorted(f"{k}:{v}" for (k, v), p in owners.items() if p.pk == chosen.pk),
            "other": sorted(f"{k}:{v}" for (k, v), p in owners.items() if p.pk == other.pk),
        }
        reason = _("One interaction carried identifiers of two different persons.")
        conflict, _created = ResolutionConflict.objects.get_or_create(
            chosen_person=chosen,
            other_person=other,
            status=ResolutionConflict.Status.OPEN,
            defaults={"reason": reason, "evidence": evidence},
        )
        conflicts.append(conflict)
    return conflicts


def _resolve_once(
    normalized: list[NormalizedIdentifier], profile: Profile, context: ResolveContext
) -> Resolution:
    owners = _owners(normalized)
    unowned = [i for i in normalized if (i.kind, i.value) not in owners]
    if not owners:
        person = Person.objects.create(
            **{f.name: getattr(profile, f.name) for f in fields(Profile)}
        )
        _attach(person, unowned, source=context.source)
        return Resolution(person, "created", _("No known identifier: a new person."), unowned)
    # The person holding most of the identifiers wins; the oldest record breaks a tie.
    votes = Counter(p.pk for p in owners.values())
    persons = {p.pk: p for p in owners.values()}
    chosen = persons[min(votes, key=lambda pk: (-votes[pk], pk))]
    _attach(chosen, unowned, source=context.source)
    _fill_blank_profile(chosen, profile)
    if len(persons) == 1:
        return Resolution(chosen, "attached", _("Known identifier."), unowned)
    conflicts = _record_conflicts(chosen, owners)
    return Resolution(
        chosen, "conflict", _("Identifiers point to several persons."), unowned, conflicts
    )


def _append_activity(resolution: Resolution, context: ResolveContext) -> None:
    if resolution.outcome == "attached" and not resolution.added:
        return
    verb = {
        "created": "person.created",
        "attached": "person.identifiers_added",
        "conflict": "person.resolution_conflict",
    }[resolution.outcome]
    activity_append(
        ActivityDraft(
            verb=verb,
            actor_id=context.actor_id,
            person_id=resolution.person.pk,
            department_id=context.department_id,
            about=ActivityObject.of(resolution.person),
            channel=context.channel,
            summary=resolution.reason,
            payload={
                "source": context.source,
                "identifiers": [f"{i.kind}:{i.value}" for i in resolution.added],
                "conflicts": [c.other_person_id for c in resolution.conflicts],
            },
        )
    )


@transaction.atomic
def person_resolve(
    *,
    identifiers: list[IdentifierIn],
    profile: Profile | None = None,
    context: ResolveContext | None = None,
) -> Resolution:
    """Find the person these identifiers belong to, or create them (deterministic rules).

    Several persons matching is recorded as a ResolutionConflict for a human to settle; the
    person holding most of the identifiers is returned meanwhile.
    """
    context = context or ResolveContext()
    normalized = _normalize_all(identifiers, source=context.source)
    profile = profile or Profile()
    try:
        with transaction.atomic():
            resolution = _resolve_once(normalized, profile, context)
    except IntegrityError:
        # A concurrent resolution claimed one of these identifiers first: read it back.
        resolution = _resolve_once(normalized, profile, context)
    _append_activity(resolution, context)
    return resolution
