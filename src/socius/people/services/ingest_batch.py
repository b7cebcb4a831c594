"""Ingesting a batch of interactions with a handful of queries instead of a dozen per item.

The result is the one ``interaction_ingest`` gives item by item, in order: the same
outcomes and rows in far fewer statements. Only the order of new ids may differ (items
that wait, below, are written after the others), and with it which of two records a
later merge keeps as the older one. The batch loads, in one query each, the interactions
already ingested and the identifiers its items name (with their persons), then decides
each item in memory. The two common cases are decided here: identifiers nobody holds (a new person)
and identifiers held by one person whose profile agrees (attach). Their rows are written
together by ``_Pending.flush``: persons, identifiers, decisions, timeline entries and
idempotency records in one bulk statement per table, inside one savepoint.

Every other item (several persons named, a contradicting profile, a merged or erased
holder) goes through ``interaction_ingest`` itself. It waits until the rows decided in
memory are written, and so does every later item sharing an identifier, a person or an
idempotency key with it (``_Deferred``); then the waiting items run in their order, each
after a flush of what was decided before it, and the batch re-reads what they changed.
If a flush fails (an identifier or an interaction claimed concurrently), its savepoint is
rolled back and its items are replayed one by one through ``interaction_ingest_once``: an
item is written entirely or not at all, as before. Persons the batch created are queued for
the duplicate check (the worker runs it: a batch has no one waiting on a page).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from socius.core.bulk import bulk_insert, update_rows
from socius.core.errors import DomainError
from socius.core.services import ActivityDraft, ActivityObject, activity_append_bulk
from socius.people.models import Identifier, Interaction, Person, ResolutionDecision
from socius.people.names import search_name
from socius.people.normalize import NormalizedIdentifier
from socius.people.rules import profile_contradictions
from socius.people.services.detection import duplicates_check_later
from socius.people.services.interactions import (
    BatchItemResult,
    IngestResult,
    InteractionIn,
    _department_id,
    _validate,
    interaction_ingest_once,
)
from socius.people.services.resolve import (
    _VERBS,
    REASON_ATTACHED,
    REASON_CREATED,
    _normalize_all,
)
from socius.people.services.types import Profile

Key = tuple[str, str]
_PROFILE_FIELDS = [item.name for item in fields(Profile)]


@dataclass(eq=False)
class _Slot:
    """A person as the batch knows them, with what it changed and has not written yet."""

    person: Person
    keys: set[Key] = field(default_factory=set)
    changed_fields: set[str] = field(default_factory=set)
    contact_at: dt.datetime | None = None


@dataclass(eq=False)
class _Held:
    """An identifier row: already stored (it has a pk) or waiting for the next flush."""

    slot: _Slot
    identifier: Identifier


@dataclass(eq=False)
class _Item:
    index: int
    data: InteractionIn
    slot: _Slot
    outcome: str
    normalized: list[NormalizedIdentifier]
    added: list[NormalizedIdentifier]
    held_keys: list[Key]
    department_id: int | None
    occurred_at: dt.datetime
    interaction: Interaction | None = None


@dataclass
class _Pending:
    """Rows decided in memory, written together by ``flush``."""

    new_slots: list[_Slot] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    seen_identifier_ids: set[int] = field(default_factory=set)
    items: list[_Item] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.items)


class _Batch:
    def __init__(self, items: list[InteractionIn], actor_id: int | None) -> None:
        self.items = items
        self.actor_id = actor_id
        self.results: dict[int, BatchItemResult] = {}
        self.index: dict[Key, list[_Held]] = {}
        self.slots: dict[int, _Slot] = {}
        # Interactions already ingested, or decided in this batch and not yet written.
        self.ingested: dict[tuple[str, str], Interaction | _Item] = {}
        # A merge by the general path re-points interactions read before it: a repeat
        # answered after one reads its interaction again.
        self.general_writes = 0
        self.read_at: dict[tuple[str, str], int] = {}
        self.departments: dict[str, int | None] = {}
        self.normalized: dict[int, list[NormalizedIdentifier]] = {}
        self.pending = _Pending()
        self.now = timezone.now()

    # Loading -------------------------------------------------------------------------

    def load_ingested(self) -> None:
        by_source: dict[str, set[str]] = defaultdict(set)
        for item in self.items:
            by_source[item.source].add(item.external_id)
        for source, external_ids in by_source.items():
            rows = Interaction.objects.filter(source=source, external_id__in=external_ids)
            self.ingested.update({(row.source, row.external_id): row for row in rows})

    def department_id(self, slug: str) -> int | None:
        """The department's id, looked up once per batch; an unknown slug raises."""
        if slug not in self.departments:
            self.departments[slug] = _department_id(slug)
        return self.departments[slug]

    def load_identifiers(self, keys: Iterable[Key], person_ids: Iterable[int] = ()) -> None:
        """(Re)load the rows holding these keys and every row of these persons."""
        keys, person_ids = set(keys), set(person_ids)
        for person_id in person_ids:
            slot = self.slots.pop(person_id, None)
            for key in slot.keys if slot else ():
                self.index[key] = [h for h in self.index.get(key, []) if h.slot is not slot]
        for key in keys:
            self.index.pop(key, None)
        by_kind: dict[str, set[str]] = defaultdict(set)
        for kind, value in keys:
            by_kind[kind].add(value)
        condition = Q(person_id__in=person_ids) if person_ids else Q()
        for kind, values in by_kind.items():
            condition |= Q(kind=kind, value__in=values)
        if not condition:
            return
        for row in Identifier.objects.filter(condition).select_related("person"):
            slot = self.slots.get(row.person_id)
            if slot is None:
                slot = self.slots[row.person_id] = _Slot(row.person)
            key = (row.kind, row.value)
            slot.keys.add(key)
            if all(held.identifier.pk != row.pk for held in self.index.get(key, [])):
                self.index.setdefault(key, []).append(_Held(slot, row))

    # Deciding ------------------------------------------------------------------------

    def decide(self, index: int, data: InteractionIn) -> str:
        """Decide a plain create or attach in memory ("decided"); otherwise say whether
        ``interaction_ingest`` will refuse the item ("invalid") or must resolve it
        ("general")."""
        normalized = self.normalized.get(index)
        try:
            department_id = self.department_id(data.department_slug)
        except DomainError:
            normalized = None
        if normalized is None:
            return "invalid"
        keys = [(n.kind, n.value) for n in normalized]
        holders = {id(h.slot): h.slot for key in keys for h in self.index.get(key, [])}
        if len(holders) > 1:
            return "general"
        profile = data.profile
        if holders:
            slot = next(iter(holders.values()))
            person = slot.person
            if person.merged_into_id is not None or person.erased_at is not None:
                return "general"
            if profile_contradictions(
                person, given_name=profile.given_name, birth_date=profile.birth_date
            ):
                return "general"
            outcome = "attached"
            self._fill_blank_profile(slot, profile)
        else:
            values = {name: getattr(profile, name) for name in _PROFILE_FIELDS}
            slot = _Slot(
                Person(**values, search_name=search_name(profile.given_name, profile.family_name))
            )
            self.pending.new_slots.append(slot)
            outcome = "created"
        held_keys = [key for key in keys if key in slot.keys]
        added = [n for n in normalized if (n.kind, n.value) not in slot.keys]
        self._attach(slot, added, held_keys, source=data.source, founding=outcome == "created")
        occurred_at = data.occurred_at or timezone.now()
        contact = slot.person.last_own_contact_at
        if contact is None or contact < occurred_at:
            slot.person.last_own_contact_at = occurred_at
            if slot.person.pk is not None:
                slot.contact_at = occurred_at
        item = _Item(
            index, data, slot, outcome, normalized, added, held_keys, department_id, occurred_at
        )
        self.pending.items.append(item)
        self.ingested[(data.source, data.external_id)] = item
        return "decided"

    def _fill_blank_profile(self, slot: _Slot, profile: Profile) -> None:
        person = slot.person
        changed = []
        for name in _PROFILE_FIELDS:
            incoming = getattr(profile, name)
            if incoming and not getattr(person, name):
                setattr(person, name, incoming)
                changed.append(name)
        if changed:
            person.search_name = search_name(person.given_name, person.family_name)
            if person.pk is not None:
                slot.changed_fields.update(changed)

    def _attach(
        self,
        slot: _Slot,
        added: list[NormalizedIdentifier],
        held_keys: list[Key],
        source: str,
        *,
        founding: bool,
    ) -> None:
        for item in added:
            identifier = Identifier(
                person=slot.person,
                kind=item.kind,
                value=item.value,
                raw_value=item.raw_value,
                source=source,
                is_shared=False,
                last_seen_at=self.now,
                verified_at=self.now if founding else None,
            )
            key = (item.kind, item.value)
            slot.keys.add(key)
            self.index.setdefault(key, []).append(_Held(slot, identifier))
            self.pending.identifiers.append(identifier)
        for key in held_keys:
            for held in self.index.get(key, []):
                if held.slot is slot and held.identifier.pk is not None:
                    self.pending.seen_identifier_ids.add(held.identifier.pk)

    # Writing -------------------------------------------------------------------------

    def flush(self) -> None:
        pending, self.pending = self.pending, _Pending()
        if not pending:
            return
        try:
            with transaction.atomic():
                self._write(pending)
        except DatabaseError:
            # Something changed under the batch (a concurrent writer claimed an identifier
            # or an interaction): replay these items one by one, as if there were no batch.
            self._forget(pending)
            for item in pending.items:
                self.ingest_one(item.index, item.data)
            return
        for item in pending.items:
            assert item.interaction is not None
            self.ingested[(item.data.source, item.data.external_id)] = item.interaction
            self.read_at[(item.data.source, item.data.external_id)] = self.general_writes
            self.results[item.index] = BatchItemResult(
                item.index, result=IngestResult(item.interaction, created=True)
            )
        for slot in pending.new_slots:
            self.slots[slot.person.pk] = slot
        for slot in {id(item.slot): item.slot for item in pending.items}.values():
            slot.changed_fields.clear()
            slot.contact_at = None

    def _write(self, pending: _Pending) -> None:
        bulk_insert(Person, [slot.person for slot in pending.new_slots])
        bulk_insert(Identifier, pending.identifiers)
        if pending.seen_identifier_ids:
            Identifier.objects.filter(pk__in=pending.seen_identifier_ids).update(
                last_seen_at=self.now
            )
        touched = list({id(item.slot): item.slot for item in pending.items}.values())
        self._write_profiles([slot for slot in touched if slot.changed_fields])
        self._write_contacts([slot for slot in touched if slot.contact_at is not None])
        bulk_insert(
            ResolutionDecision,
            [
                ResolutionDecision(
                    person=item.slot.person,
                    outcome=item.outcome,
                    reason=REASON_CREATED if item.outcome == "created" else REASON_ATTACHED,
                    source=item.data.source,
                    evidence=_evidence(item),
                )
                for item in pending.items
            ],
        )
        drafts: list[ActivityDraft] = []
        owners: list[_Item | None] = []
        for item in pending.items:
            if item.outcome == "created" or item.added:
                drafts.append(self._resolution_draft(item))
                owners.append(None)
            drafts.append(self._interaction_draft(item))
            owners.append(item)
        activities = activity_append_bulk(drafts)
        interactions = []
        for activity, owner in zip(activities, owners, strict=True):
            if owner is not None:
                owner.interaction = Interaction(
                    source=owner.data.source,
                    external_id=owner.data.external_id,
                    person=owner.slot.person,
                    activity=activity,
                    resolution=owner.outcome,
                )
                interactions.append(owner.interaction)
        bulk_insert(Interaction, interactions)

    def _write_profiles(self, slots: list[_Slot]) -> None:
        by_fields: dict[tuple[str, ...], list[Person]] = defaultdict(list)
        for slot in slots:
            slot.person.updated_at = self.now
            by_fields[tuple(sorted(slot.changed_fields))].append(slot.person)
        for changed, persons in by_fields.items():
            names = [*changed, "search_name", "updated_at"]
            update_rows(
                Person, names, [([getattr(p, n) for n in names], p.pk, None) for p in persons]
            )

    def _write_contacts(self, slots: list[_Slot]) -> None:
        # Only ever later: a concurrent ingestion may have recorded a later contact.
        update_rows(
            Person,
            ["last_own_contact_at"],
            [([slot.contact_at], slot.person.pk, slot.contact_at) for slot in slots],
            only_later="last_own_contact_at",
        )

    def _resolution_draft(self, item: _Item) -> ActivityDraft:
        person = item.slot.person
        return ActivityDraft(
            verb=_VERBS[item.outcome],
            actor_id=self.actor_id,
            person_id=person.pk,
            department_id=item.department_id,
            about=ActivityObject.of(person),
            channel=item.data.channel,
            summary=REASON_CREATED if item.outcome == "created" else REASON_ATTACHED,
            payload={
                "source": item.data.source,
                "identifiers": [f"{i.kind}:{i.value}" for i in item.added],
                "suggested_with": [],
            },
        )

    def _interaction_draft(self, item: _Item) -> ActivityDraft:
        data = item.data
        return ActivityDraft(
            verb=f"interaction.{data.kind}",
            actor_id=self.actor_id,
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

    def _forget(self, pending: _Pending) -> None:
        """Drop what the failed flush decided; the database is read again for those keys."""
        keys = {(n.kind, n.value) for item in pending.items for n in item.normalized}
        person_ids = {item.slot.person.pk for item in pending.items if item.outcome != "created"}
        for item in pending.items:
            self.ingested.pop((item.data.source, item.data.external_id), None)
        for slot in pending.new_slots:
            slot.person.pk = None  # bulk_create numbered it before the rollback
        self.load_identifiers(keys, person_ids)

    # The general path ----------------------------------------------------------------

    def ingest_one(self, index: int, data: InteractionIn) -> None:
        """``interaction_ingest`` for an item the batch does not decide, then re-read what
        it may have changed: the persons its identifiers named and the person it chose."""
        keys = {(n.kind, n.value) for n in self.normalized.get(index, [])}
        named = {h.slot.person.pk for key in keys for h in self.index.get(key, [])}
        try:
            result = interaction_ingest_once(data=data, actor_id=self.actor_id)
        except DomainError as error:
            self.results[index] = BatchItemResult(index, error=error)
            return
        self.results[index] = BatchItemResult(index, result=result)
        self.ingested[(data.source, data.external_id)] = result.interaction
        if result.created:
            self.general_writes += 1
            self.load_identifiers(keys, named | {result.interaction.person_id})
        self.read_at[(data.source, data.external_id)] = self.general_writes

    def answer_repeat(self, index: int, data: InteractionIn) -> bool:
        """An item ingested before (or earlier in this batch) gets the first result."""
        earlier = self.ingested.get((data.source, data.external_id))
        if isinstance(earlier, _Item):
            self.flush()  # the first one gets its ids, then serves as the answer
            earlier = self.ingested.get((data.source, data.external_id))
        if earlier is None:
            return False
        assert isinstance(earlier, Interaction)
        key = (data.source, data.external_id)
        if self.read_at.get(key, 0) != self.general_writes:
            earlier = self.ingested[key] = Interaction.objects.get(pk=earlier.pk)
            self.read_at[key] = self.general_writes
        self.results[index] = BatchItemResult(index, result=IngestResult(earlier, created=False))
        return True

    def run(self) -> list[BatchItemResult]:
        self.load()
        deferred = self.decide_in_memory()
        self.flush()
        # The items decided in memory are written; the others now run in their order,
        # each seeing every row written before it.
        for index in deferred.indexes:
            self.decide_in_order(index, self.items[index])
        self.flush()
        results = [self.results[index] for index in range(len(self.items))]
        created = [
            r.result.interaction.person_id
            for r in results
            if r.result is not None
            and r.result.created
            and r.result.interaction.resolution in ("created", "suggested")
        ]
        duplicates_check_later(person_ids=created)  # by the worker: a batch has no one waiting
        return results

    def load(self) -> None:
        for index, data in enumerate(self.items):
            try:
                self.normalized[index] = _normalize_all(data.identifiers, source=data.source)
            except DomainError:
                continue  # interaction_ingest will say why, in its own words
        self.load_ingested()
        self.load_identifiers({(n.kind, n.value) for ns in self.normalized.values() for n in ns})

    def decide_in_memory(self) -> _Deferred:
        """Decide every item that can be, in order; return those that must wait."""
        deferred = _Deferred()
        for index, data in enumerate(self.items):
            try:
                _validate(data)
            except DomainError as error:
                self.results[index] = BatchItemResult(index, error=error)
                continue
            if deferred.involves(self, index, data):
                deferred.add(self, index, data)
                continue
            if self.answer_repeat(index, data):
                continue
            decision = self.decide(index, data)
            if decision == "general":
                deferred.add(self, index, data)
            elif decision == "invalid":
                self.ingest_one(index, data)  # refused without writing anything
        return deferred

    def decide_in_order(self, index: int, data: InteractionIn) -> None:
        if self.answer_repeat(index, data):
            return
        decision = self.decide(index, data)
        if decision == "general":
            self.flush()  # the general path must see every row decided before it
        if decision != "decided":
            self.ingest_one(index, data)

    def holders(self, index: int) -> list[_Slot]:
        keys = [(n.kind, n.value) for n in self.normalized.get(index, [])]
        return list({id(h.slot): h.slot for key in keys for h in self.index.get(key, [])}.values())


class _Deferred:
    """Items left for after the batch's bulk write, and everything they may touch.

    An item the batch cannot decide in memory (a merge, a suggestion, a contradiction)
    used to split the batch: flush, run it, read again. Instead it waits until the rows
    decided in memory are written, and so does every later item that shares with it an
    identifier, a person or an idempotency key: those are the only items whose outcome it
    could change. The others are decided exactly as in order, and each person's timeline
    keeps the order of its items.
    """

    def __init__(self) -> None:
        self.indexes: list[int] = []
        self.keys: set[Key] = set()
        self.slots: dict[int, _Slot] = {}
        self.interactions: set[tuple[str, str]] = set()
        # A holder merged into or erased by someone else leads the general path to a
        # person the batch does not see: everything after such an item waits.
        self.everything = False

    def involves(self, batch: _Batch, index: int, data: InteractionIn) -> bool:
        if not self.indexes:
            return False
        if self.everything or (data.source, data.external_id) in self.interactions:
            return True
        if any((n.kind, n.value) in self.keys for n in batch.normalized.get(index, [])):
            return True
        return any(id(slot) in self.slots for slot in batch.holders(index))

    def add(self, batch: _Batch, index: int, data: InteractionIn) -> None:
        self.indexes.append(index)
        self.interactions.add((data.source, data.external_id))
        self.keys.update((n.kind, n.value) for n in batch.normalized.get(index, []))
        for slot in batch.holders(index):
            self.slots[id(slot)] = slot
            person = slot.person
            if person.merged_into_id is not None or person.erased_at is not None:
                self.everything = True


def _evidence(item: _Item) -> dict[str, Any]:
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


def interactions_ingest_in_bulk(
    *, items: list[InteractionIn], actor_id: int | None = None
) -> list[BatchItemResult]:
    return _Batch(items, actor_id).run()
