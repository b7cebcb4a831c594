"""Ingesting a batch of interactions with a handful of queries instead of a dozen per item.

The result is the one ``interaction_ingest`` gives item by item, in order: the same
outcomes and rows in far fewer statements. Only the order of new ids may differ (items
that wait, below, are written after the others), and with it which of two records a
later merge keeps as the older one. The batch loads, in one query each, the interactions
already ingested and the identifiers its items name (with their persons), then decides
each item in memory as ``person_resolve`` would: identifiers nobody holds (a new person),
identifiers held by one person whose profile agrees (attach), and, once every person
named has an id, several persons named without strong proof or a contradicting profile
(``decide_apart``: attach to the best one or create a person, share the contradicted
holders' identifiers, suggest the pairs; the pairs already suggested or judged distinct
come from ``SuggestionBook``). Their rows are written together by ``flush``: persons,
identifiers, suggestions, decisions, timeline entries and idempotency records in one bulk
statement per table, inside one savepoint.

Merges wait until the rows decided before them are written, and so does every later item
sharing an identifier, a person or an idempotency key with an item that waits
(``Deferred``); then the waiting items are decided in their order. A merge runs
``person_resolve``'s checks (``ingest_merge``), after a flush if rows still waiting
touch its persons; the merges and the rest of its item are decided in memory and written
with the next flush, the merges first (``persons_merge_many``). Items the batch does not
decide (a merged or erased holder, a merge the database refuses) go through
``interaction_ingest`` itself, and the batch re-reads what they changed. If a flush fails
(an identifier or an interaction claimed concurrently), its savepoint is rolled back and
its items are replayed one by one through ``interaction_ingest_once``: an item is written
entirely or not at all, as before. Persons the batch created are queued for the duplicate
check (the worker runs it: a batch has no one waiting on a page).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import fields
from types import MappingProxyType
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone

from socius.core.errors import DomainError
from socius.people.models import (
    Identifier,
    Interaction,
    Person,
)
from socius.people.names import search_name
from socius.people.normalize import NormalizedIdentifier
from socius.people.rules import profile_contradictions
from socius.people.services.detection import duplicates_check_later
from socius.people.services.ingest_deferred import Deferred
from socius.people.services.ingest_merge import merge_and_attach
from socius.people.services.ingest_reads import identifier_rows, interactions_seen
from socius.people.services.ingest_rows import (
    Held,
    Item,
    Pending,
    Slot,
    StoredIdentifier,
    write_pending,
)
from socius.people.services.ingest_suggestions import NewSuggestion, SuggestionBook
from socius.people.services.interactions import (
    BatchItemResult,
    IngestResult,
    InteractionIn,
    _department_id,
    _validate,
    interaction_ingest_once,
)
from socius.people.services.resolve import (
    REASON_ATTACHED,
    REASON_CONTRADICTED,
    REASON_CREATED,
    REASON_SUGGESTED,
    Candidate,
    _normalize_all,
    every_strongly_named,
    identifiers_new_and_shared,
    resolution_evidence,
)
from socius.people.services.types import Profile

Key = tuple[str, str]
Current = Mapping[int, Person]
_NONE: Current = MappingProxyType({})
_PROFILE_FIELDS = [item.name for item in fields(Profile)]


class _Batch:
    def __init__(self, items: list[InteractionIn], actor_id: int | None) -> None:
        self.items = items
        self.actor_id = actor_id
        self.results: dict[int, BatchItemResult] = {}
        self.index: dict[Key, list[Held]] = {}
        self.slots: dict[int, Slot] = {}
        # Interactions already ingested, or decided in this batch and not yet written.
        self.ingested: dict[tuple[str, str], Interaction | Item] = {}
        # A merge by the general path re-points interactions read before it: a repeat
        # answered after one reads its interaction again.
        self.general_writes = 0
        self.read_at: dict[tuple[str, str], int] = {}
        self.departments: dict[str, int | None] = {}
        self.normalized: dict[int, list[NormalizedIdentifier]] = {}
        self.pending = Pending()
        self.suggestions = SuggestionBook()
        self.now = timezone.now()

    # Loading -------------------------------------------------------------------------

    def load_ingested(self) -> None:
        by_source: dict[str, set[str]] = defaultdict(set)
        for item in self.items:
            by_source[item.source].add(item.external_id)
        for row in interactions_seen(by_source):
            self.ingested[(row.source, row.external_id)] = row

    def department_id(self, slug: str) -> int | None:
        """The department's id, looked up once per batch; an unknown slug raises."""
        if slug not in self.departments:
            self.departments[slug] = _department_id(slug)
        return self.departments[slug]

    def load_identifiers(
        self, keys: Iterable[Key], person_ids: Iterable[int] = (), current: Current = _NONE
    ) -> None:
        """(Re)load the rows holding these keys and every row of these persons; the persons
        in ``current`` are not read again (their copies are the database's)."""
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
        if not person_ids and not by_kind:
            return
        # Plain values, and each person once: a thousand model instances per batch cost
        # more than the query.
        rows = identifier_rows(person_ids, by_kind)
        self.add_slots({row[1] for row in rows} - self.slots.keys(), current)
        for pk, person_id, kind, value, is_shared in rows:
            slot = self.slots[person_id]
            key = (kind, value)
            slot.keys.add(key)
            if all(held.identifier.pk != pk for held in self.index.get(key, [])):
                self.index.setdefault(key, []).append(Held(slot, StoredIdentifier(pk, is_shared)))

    def add_slots(self, person_ids: set[int], current: Current) -> None:
        self.slots.update({pk: Slot(current[pk]) for pk in person_ids & current.keys()})
        missing = person_ids - current.keys()
        for person in Person.objects.filter(pk__in=missing) if missing else ():
            self.slots[person.pk] = Slot(person)

    # Deciding ------------------------------------------------------------------------

    def decide(self, index: int, data: InteractionIn) -> str:
        """Decide the item in memory ("decided"); otherwise say whether ``interaction_ingest``
        will refuse it ("invalid"), whether it merges persons ("merge": written rows only,
        see ``merge_and_attach``) or needs the general path ("general")."""
        normalized = self.normalized.get(index)
        try:
            department_id = self.department_id(data.department_slug)
        except DomainError:
            normalized = None
        if normalized is None:
            return "invalid"
        holders = self.holders(index)
        if any(not slot.person.is_live for slot in holders):
            return "general"  # the general path follows a tombstone to its survivor
        profile = data.profile
        if len(holders) > 1 or (
            holders
            and profile_contradictions(
                holders[0].person, given_name=profile.given_name, birth_date=profile.birth_date
            )
        ):
            return self.decide_apart(index, data, normalized, holders, department_id)
        if holders:
            slot = holders[0]
            outcome = "attached"
            self.fill_blank_profile(slot, profile)
        else:
            slot = self.new_slot(profile)
            outcome = "created"
        keys = [(n.kind, n.value) for n in normalized]
        held_keys = [key for key in keys if key in slot.keys]
        added = [n for n in normalized if (n.kind, n.value) not in slot.keys]
        self.attach(slot, added, held_keys, source=data.source, founding=outcome == "created")
        item = Item(
            index,
            data,
            slot,
            outcome,
            normalized,
            added,
            held_keys,
            department_id,
            self.contact(slot, data),
            reason=REASON_CREATED if outcome == "created" else REASON_ATTACHED,
        )
        self.decided(item)
        return "decided"

    def decide_apart(
        self,
        index: int,
        data: InteractionIn,
        normalized: list[NormalizedIdentifier],
        holders: list[Slot],
        department_id: int | None,
    ) -> str:
        """What ``person_resolve`` decides when the identifiers name several persons or a
        contradicted one, short of a merge: attach to the best one or create a person,
        share the identifiers of contradicted holders, and suggest the pairs for review.
        Merges (and the database checks that allow them) are left to the general path."""
        if any(slot.person.pk is None for slot in holders):
            return "general"  # ids order the candidates: they come with the next flush
        keys = [(n.kind, n.value) for n in normalized]
        profile = data.profile
        slot_of = {slot.person.pk: slot for slot in holders}
        candidates = {pk: self.candidate(slot_of[pk], keys, profile) for pk in sorted(slot_of)}
        compatible = [c for c in candidates.values() if not c.contradictions]
        contradicting = [c for c in candidates.values() if c.contradictions]
        if len(compatible) > 1 and every_strongly_named(compatible):
            return "merge"  # see ``merge_and_attach``
        self.suggestions.load(list(candidates))
        evidence = resolution_evidence(normalized, candidates)
        suggested: list[Slot] = []
        if compatible:
            best = min(compatible, key=lambda c: (-len(c.keys), c.person.pk))
            slot, outcome, reason = slot_of[best.person.pk], "attached", REASON_ATTACHED
            if len(compatible) > 1:
                suggested = self.suggest(slot, compatible, slot_of, REASON_SUGGESTED, evidence)
                if suggested:  # nothing new to ask when every pair was judged distinct
                    outcome, reason = "suggested", REASON_SUGGESTED
        else:
            slot, outcome, reason = self.new_slot(profile), "suggested", REASON_CONTRADICTED
        added, shared = identifiers_new_and_shared(normalized, candidates, slot.person)
        held_keys = [key for key in keys if key in slot.keys]
        self.attach(
            slot, added, held_keys, source=data.source, founding=not compatible, shared=shared
        )
        if compatible:
            self.fill_blank_profile(slot, profile)
        if contradicting:
            suggested += self.suggest(slot, contradicting, slot_of, REASON_CONTRADICTED, evidence)
            if outcome == "attached":
                outcome, reason = "suggested", REASON_CONTRADICTED
        item = Item(
            index,
            data,
            slot,
            outcome,
            normalized,
            added + shared,
            held_keys,
            department_id,
            self.contact(slot, data),
            reason=reason,
            evidence=evidence,
            suggested_with=suggested,
        )
        self.decided(item)
        return "decided"

    def candidate(self, slot: Slot, keys: list[Key], profile: Profile) -> Candidate:
        """The person as ``person_resolve`` sees them: which of these keys they hold (and
        which as shared), and what in the profile contradicts them."""
        candidate = Candidate(slot.person)
        for key in keys:
            for held in self.index.get(key, []):
                if held.slot is slot:
                    candidate.keys.add(key)
                    if held.identifier.is_shared:
                        candidate.shared_keys.add(key)
        candidate.contradictions = profile_contradictions(
            slot.person, given_name=profile.given_name, birth_date=profile.birth_date
        )
        return candidate

    def suggest(
        self,
        slot: Slot,
        others: list[Candidate],
        slot_of: dict[int, Slot],
        reason: str,
        evidence: dict[str, Any],
    ) -> list[Slot]:
        """``suggestion_record`` for each pair: the others suggested (now or before)."""
        suggested = []
        for other in others:
            if other.person.pk == slot.person.pk:
                continue
            other_slot = slot_of[other.person.pk]
            pair = NewSuggestion(slot, other_slot, reason, evidence)
            if self.suggestions.record(pair, self.pending.suggestions):
                suggested.append(other_slot)
        return suggested

    def new_slot(self, profile: Profile) -> Slot:
        values = {name: getattr(profile, name) for name in _PROFILE_FIELDS}
        slot = Slot(
            Person(**values, search_name=search_name(profile.given_name, profile.family_name))
        )
        self.pending.new_slots.append(slot)
        return slot

    def contact(self, slot: Slot, data: InteractionIn) -> dt.datetime:
        occurred_at = data.occurred_at or timezone.now()
        contact = slot.person.last_own_contact_at
        if contact is None or contact < occurred_at:
            slot.person.last_own_contact_at = occurred_at
            if slot.person.pk is not None:
                slot.contact_at = occurred_at
        return occurred_at

    def decided(self, item: Item) -> None:
        self.pending.items.append(item)
        self.ingested[(item.data.source, item.data.external_id)] = item

    def fill_blank_profile(self, slot: Slot, profile: Profile) -> None:
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

    def attach(
        self,
        slot: Slot,
        added: list[NormalizedIdentifier],
        held_keys: list[Key],
        source: str,
        *,
        founding: bool,
        shared: list[NormalizedIdentifier] = (),  # type: ignore[assignment]
    ) -> None:
        """Give the person the identifiers nobody holds and a shared copy of those only
        contradicted persons hold (their rows become shared too), as ``_attach`` does."""
        for item in shared:
            for held in self.index.get((item.kind, item.value), []):
                if not held.identifier.is_shared:
                    held.identifier.is_shared = True
                    if held.identifier.pk is not None:
                        self.pending.shared_identifier_ids.add(held.identifier.pk)
        for item in [*added, *shared]:
            is_shared = item in shared
            identifier = Identifier(
                person=slot.person,
                kind=item.kind,
                value=item.value,
                raw_value=item.raw_value,
                source=source,
                is_shared=is_shared,
                last_seen_at=self.now,
                verified_at=self.now if founding and not is_shared else None,
            )
            key = (item.kind, item.value)
            slot.keys.add(key)
            self.index.setdefault(key, []).append(Held(slot, identifier))
            self.pending.identifiers.append(identifier)
        for key in held_keys:
            for held in self.index.get(key, []):
                if held.slot is slot and held.identifier.pk is not None:
                    self.pending.seen_identifier_ids.add(held.identifier.pk)

    # Writing -------------------------------------------------------------------------

    def flush(self) -> None:
        pending, self.pending = self.pending, Pending()
        if not pending:
            return
        try:
            with transaction.atomic():
                write_pending(pending, now=self.now, actor_id=self.actor_id)
        except (DatabaseError, DomainError):
            # Something changed under the batch (a concurrent writer claimed an identifier
            # or an interaction, merged or erased a person): replay these items one by one,
            # as if there were no batch.
            self.forget(pending)
            for item in pending.items:
                self.ingest_one(item.index, item.data)
            return
        self.written(pending)

    def written(self, pending: Pending) -> None:
        """Take note of what was written: ids, results, and nothing left to write."""
        for item in pending.items:
            assert item.interaction is not None
            self.ingested[(item.data.source, item.data.external_id)] = item.interaction
            self.read_at[(item.data.source, item.data.external_id)] = self.general_writes
            self.results[item.index] = BatchItemResult(
                item.index, result=IngestResult(item.interaction, created=True)
            )
        for slot in pending.new_slots:
            self.slots[slot.person.pk] = slot
        self.suggestions.written(pending.suggestions, [s.person.pk for s in pending.new_slots])
        for slot in {id(item.slot): item.slot for item in pending.items}.values():
            slot.changed_fields.clear()
            slot.contact_at = None

    def forget(self, pending: Pending) -> None:
        """Drop what the failed flush decided; the database is read again for those keys
        and persons (the merged ones too)."""
        keys = {(n.kind, n.value) for item in pending.items for n in item.normalized}
        new = {id(slot) for slot in pending.new_slots}
        person_ids = {item.slot.person.pk for item in pending.items if id(item.slot) not in new}
        person_ids |= {pk for m in pending.merges() for pk in (m.survivor_id, m.absorbed_id)}
        for item in pending.items:
            self.ingested.pop((item.data.source, item.data.external_id), None)
        for slot in pending.new_slots:
            slot.person.pk = None  # bulk_create numbered it before the rollback
        self.suggestions = SuggestionBook()
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
            self.suggestions.forget(named | {result.interaction.person_id})
        self.read_at[(data.source, data.external_id)] = self.general_writes

    def answer_repeat(self, index: int, data: InteractionIn) -> bool:
        """An item ingested before (or earlier in this batch) gets the first result."""
        earlier = self.ingested.get((data.source, data.external_id))
        if isinstance(earlier, Item):
            self.flush()  # the first one gets its ids, then serves as the answer
            earlier = self.ingested.get((data.source, data.external_id))
        if earlier is None:
            return False
        assert isinstance(earlier, Interaction)
        key = (data.source, data.external_id)
        if self.read_at.get(key, 0) != self.general_writes:
            if self.pending.merges():
                self.flush()  # the merges decided since re-point interactions when written
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
        # The pairs already suggested among them, read at once when first needed.
        self.suggestions.expect(self.slots)

    def decide_in_memory(self) -> Deferred:
        """Decide every item that can be, in order; return those that must wait."""
        deferred = Deferred()
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
            if decision in ("general", "merge"):
                deferred.add(self, index, data)
            elif decision == "invalid":
                self.ingest_one(index, data)  # refused without writing anything
        return deferred

    def decide_in_order(self, index: int, data: InteractionIn) -> None:
        if self.answer_repeat(index, data):
            return
        decision = self.decide(index, data)
        if self.pending and (
            decision == "general" or (decision == "merge" and self.involved(index))
        ):
            # Persons decided since the last flush get their ids, which may let the batch
            # decide this item after all; the general path must see every row, and a merge
            # every row of the persons and identifiers it involves.
            self.flush()
            decision = self.decide(index, data)
        if decision == "merge":
            decision = merge_and_attach(self, index, data)
        if decision != "decided":
            self.flush()  # the general path must see every row
            self.ingest_one(index, data)

    def involved(self, index: int) -> bool:
        """Whether rows waiting for the next flush touch a person this item names: each
        waiting item writes rows of its own person and of the holders of its identifiers
        (it may mark their rows shared, or suggest them)."""
        named = {slot.person.pk for slot in self.holders(index)} - {None}
        return any(
            item.slot.person.pk in named
            or any(slot.person.pk in named for slot in self.holders(item.index))
            for item in self.pending.items
        )

    def holders(self, index: int) -> list[Slot]:
        """The persons holding this item's identifiers, in the order the identifiers name them."""
        keys = [(n.kind, n.value) for n in self.normalized.get(index, [])]
        return list({id(h.slot): h.slot for key in keys for h in self.index.get(key, [])}.values())


def interactions_ingest_in_bulk(
    *, items: list[InteractionIn], actor_id: int | None = None
) -> list[BatchItemResult]:
    return _Batch(items, actor_id).run()
