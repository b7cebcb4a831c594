"""The rows an ingestion batch decides in memory, and how they are written in bulk."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from socius.core.bulk import bulk_insert, bulk_insert_values, update_ids, update_rows
from socius.core.services import ActivityDraft, ActivityObject, ActivityRow, activity_append_rows
from socius.people.models import (
    DuplicateSuggestion,
    Identifier,
    Interaction,
    Person,
    ResolutionDecision,
)
from socius.people.normalize import NormalizedIdentifier
from socius.people.services.ingest_suggestions import NewSuggestion
from socius.people.services.interactions import InteractionIn
from socius.people.services.merge_many import PlannedMerge, persons_merge_many
from socius.people.services.resolve import _VERBS, REASON_ATTACHED

Key = tuple[str, str]


@dataclass(eq=False)
class Slot:
    """A person as the batch knows them, with what it changed and has not written yet."""

    person: Person
    keys: set[Key] = field(default_factory=set)
    changed_fields: set[str] = field(default_factory=set)
    contact_at: dt.datetime | None = None


@dataclass(eq=False)
class StoredIdentifier:
    """An identifier row already stored, as far as the batch needs to know it."""

    pk: int
    is_shared: bool


@dataclass(eq=False)
class Held:
    """An identifier row: already stored, or waiting for the next flush (no pk yet)."""

    slot: Slot
    identifier: Identifier | StoredIdentifier


@dataclass(eq=False)
class Item:
    index: int
    data: InteractionIn
    slot: Slot
    outcome: str
    normalized: list[NormalizedIdentifier]
    added: list[NormalizedIdentifier]
    held_keys: list[Key]
    department_id: int | None
    occurred_at: dt.datetime
    reason: str = REASON_ATTACHED
    # Set when the item was kept apart (see ``decide_apart``); else built when written.
    evidence: dict[str, Any] | None = None
    suggested_with: list[Slot] = field(default_factory=list)
    # The merges this item decided: written first, their timeline entries before its own.
    merges: list[PlannedMerge] = field(default_factory=list)
    interaction: Interaction | None = None


@dataclass
class Pending:
    """Rows decided in memory, written together by ``flush``."""

    new_slots: list[Slot] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    seen_identifier_ids: set[int] = field(default_factory=set)
    shared_identifier_ids: set[int] = field(default_factory=set)
    suggestions: list[NewSuggestion] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.items)

    def merges(self) -> list[PlannedMerge]:
        return [merge for item in self.items for merge in item.merges]


def write_pending(pending: Pending, *, now: dt.datetime, actor_id: int | None) -> None:
    """Write what the batch decided in memory: one bulk statement per table, after the
    merges (which move only rows written before them, as they would one by one)."""
    persons_merge_many(pending.merges(), actor_id=actor_id)
    bulk_insert(Person, [slot.person for slot in pending.new_slots])
    update_ids(Identifier, pending.shared_identifier_ids, is_shared=True)
    bulk_insert(Identifier, pending.identifiers)
    update_ids(Identifier, pending.seen_identifier_ids, last_seen_at=now)
    touched = list({id(item.slot): item.slot for item in pending.items}.values())
    _write_profiles([slot for slot in touched if slot.changed_fields], now)
    _write_contacts([slot for slot in touched if slot.contact_at is not None])
    bulk_insert(DuplicateSuggestion, [pair.row() for pair in pending.suggestions])
    bulk_insert_values(
        ResolutionDecision,
        ["person_id", "outcome", "reason", "source", "evidence"],
        [
            [
                item.slot.person.pk,
                item.outcome,
                item.reason,
                item.data.source,
                item.evidence if item.evidence is not None else _evidence(item),
            ]
            for item in pending.items
        ],
    )
    rows: list[ActivityRow] = []
    owners: list[Item | None] = []
    for item in pending.items:
        for merge in item.merges:
            if merge.entry is not None:  # else ``person_merge`` wrote it
                rows.append(merge.entry)
                owners.append(None)
        if item.outcome in ("created", "suggested") or item.added:
            rows.append(_resolution_draft(item, actor_id).to_row())
            owners.append(None)
        rows.append(_interaction_draft(item, actor_id).to_row())
        owners.append(item)
    # Plain values: a model instance per timeline entry costs more than writing it.
    activity_ids = activity_append_rows(rows)
    interactions = []
    for activity_id, owner in zip(activity_ids, owners, strict=True):
        if owner is not None:
            # Ids rather than objects: the related descriptors cost more than the row.
            owner.interaction = Interaction(
                source=owner.data.source,
                external_id=owner.data.external_id,
                person_id=owner.slot.person.pk,
                activity_id=activity_id,
                resolution=owner.outcome,
            )
            interactions.append(owner.interaction)
    bulk_insert(Interaction, interactions)


def _write_profiles(slots: list[Slot], now: dt.datetime) -> None:
    by_fields: dict[tuple[str, ...], list[Person]] = defaultdict(list)
    for slot in slots:
        slot.person.updated_at = now
        by_fields[tuple(sorted(slot.changed_fields))].append(slot.person)
    for changed, persons in by_fields.items():
        names = [*changed, "search_name", "updated_at"]
        update_rows(Person, names, [([getattr(p, n) for n in names], p.pk, None) for p in persons])


def _write_contacts(slots: list[Slot]) -> None:
    # Only ever later: a concurrent ingestion may have recorded a later contact.
    update_rows(
        Person,
        ["last_own_contact_at"],
        [([slot.contact_at], slot.person.pk, slot.contact_at) for slot in slots],
        only_later="last_own_contact_at",
    )


def _resolution_draft(item: Item, actor_id: int | None) -> ActivityDraft:
    person = item.slot.person
    return ActivityDraft(
        verb=_VERBS[item.outcome],
        actor_id=actor_id,
        person_id=person.pk,
        department_id=item.department_id,
        about=ActivityObject.of(person),
        channel=item.data.channel,
        summary=item.reason,
        payload={
            "source": item.data.source,
            "identifiers": [f"{i.kind}:{i.value}" for i in item.added],
            "suggested_with": sorted(
                {other.person.pk for other in item.suggested_with} - {person.pk}
            ),
        },
    )


def _interaction_draft(item: Item, actor_id: int | None) -> ActivityDraft:
    data = item.data
    return ActivityDraft(
        verb=f"interaction.{data.kind}",
        actor_id=actor_id,
        person_id=item.slot.person.pk,
        department_id=item.department_id,
        channel=data.channel,
        summary=data.summary,
        occurred_at=item.occurred_at,
        payload={
            "source": data.source,
            "external_id": data.external_id,
            "kind": data.kind,
            "data": data.payload,
        },
    )


def _evidence(item: Item) -> dict[str, Any]:
    """The evidence ``person_resolve`` stores: the identifiers and the one candidate, if any."""
    candidates = {}
    if item.outcome == "attached":
        candidates[str(item.slot.person.pk)] = {
            "identifiers": sorted(f"{kind}:{value}" for kind, value in item.held_keys),
            "contradictions": [],
        }
    return {
        "identifiers": [f"{i.kind}:{i.value}" for i in item.normalized],
        "candidates": candidates,
    }
