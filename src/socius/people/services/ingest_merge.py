"""An ingestion batch's merges: decided in memory as ``person_resolve`` decides them,
written with the batch's other rows.

When an item's identifiers strongly name several persons, the batch takes the candidates
from its memory, checks in the database whether they may be merged exactly as
``person_resolve`` does, and plans their merges into the oldest record. What the merges
will do is applied to its memory (``_merged_in_memory``), then the rest of the item is
decided there: the identifiers attached or shared, the profile completed, the suggestions
for contradicted persons, the decision, the timeline entries and the idempotency record.
The next flush writes the merges (``persons_merge_many``) before the rows of their items;
if anything fails, its savepoint is rolled back and the items take the general path one
by one, merges included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socius.people.services.ingest_rows import Item, Slot
from socius.people.services.interactions import InteractionIn
from socius.people.services.merge import _apply_profile, _keep_latest_own_contact
from socius.people.services.merge_many import PlannedMerge
from socius.people.services.resolve import (
    REASON_CONTRADICTED,
    REASON_MERGED,
    Candidate,
    _may_merge,
    identifiers_new_and_shared,
    resolution_evidence,
)

if TYPE_CHECKING:
    from socius.people.services.ingest_batch import _Batch


def merge_and_attach(batch: _Batch, index: int, data: InteractionIn) -> str:
    """Merge and decide the item ("decided"), or leave it to the general path ("general").

    Rows waiting for the batch's next write must not touch the persons this item names
    (``_Batch.involved``): the batch's memory of them is then what the database holds, and
    what the merges will move is every row of theirs. The merges are decided in memory and
    written with the item's rows by the next flush (``persons_merge_many``)."""
    normalized = batch.normalized[index]
    department_id = batch.department_id(data.department_slug)
    keys = [(n.kind, n.value) for n in normalized]
    holders = batch.holders(index)
    if any(slot.person.pk is None or not slot.person.is_live for slot in holders):
        return "general"
    # The candidates ``person_resolve`` reads, oldest first, from the batch's memory.
    slot_of = {slot.person.pk: slot for slot in holders}
    candidates = {pk: batch.candidate(slot_of[pk], keys, data.profile) for pk in sorted(slot_of)}
    compatible = [c for c in candidates.values() if not c.contradictions]
    if len(compatible) < 2 or not _may_merge(compatible):
        return "general"  # an employee, a single-valued conflict or a pair judged distinct
    survivor = slot_of[compatible[0].person.pk]  # the oldest record survives
    merges = []
    for candidate in compatible[1:]:
        absorbed = slot_of[candidate.person.pk]
        merges.append(PlannedMerge(survivor.person.pk, absorbed.person.pk, REASON_MERGED))
        _merged_in_memory(batch, survivor, absorbed)
    batch.general_writes += 1  # interactions read before now point to the survivor
    _attach_to_survivor(batch, index, data, candidates, survivor.person.pk, department_id, merges)
    return "decided"


def _merged_in_memory(batch: _Batch, survivor: Slot, absorbed: Slot) -> None:
    """What ``person_merge`` will do, in the batch's memory: the survivor's profile
    completed and its last contact kept, the absorbed person a tombstone whose identifier
    rows now belong to the survivor, except those the survivor holds too (they stay)."""
    _apply_profile(survivor.person, absorbed.person, {})
    _keep_latest_own_contact(survivor.person, absorbed.person)
    absorbed.person.merged_into_id = survivor.person.pk
    batch.suggestions.merged(survivor.person.pk, absorbed.person.pk)
    for key in list(absorbed.keys):
        helds = batch.index.get(key, [])
        if any(held.slot is survivor for held in helds):
            continue  # the tombstone keeps its row
        for held in helds:
            if held.slot is absorbed:
                held.slot = survivor
        survivor.keys.add(key)
        absorbed.keys.discard(key)


def _attach_to_survivor(
    batch: _Batch,
    index: int,
    data: InteractionIn,
    before: dict[int, Candidate],
    survivor_id: int,
    department_id: int | None,
    merges: list[PlannedMerge],
) -> None:
    """What ``person_resolve`` does after its merges, decided from the identifiers read
    again: a tombstone's remaining rows count as its survivor's, as ``live_person`` says."""
    normalized = batch.normalized[index]
    keys = [(n.kind, n.value) for n in normalized]
    profile = data.profile
    slot = batch.slots[survivor_id]
    live: dict[int, Slot] = {}
    for key in keys:
        for held in batch.index.get(key, []):
            person = held.slot.person
            live_id = person.merged_into_id if person.merged_into_id is not None else person.pk
            live.setdefault(live_id, batch.slots[live_id])
    after = {pk: batch.candidate(live[pk], keys, profile) for pk in sorted(live)}
    for pk, candidate in after.items():  # the tombstones' rows of these keys
        for key in keys:
            for held in batch.index.get(key, []):
                if held.slot.person.merged_into_id == pk:
                    candidate.keys.add(key)
    added, shared = identifiers_new_and_shared(normalized, after, slot.person)
    held_keys = [key for key in keys if key in slot.keys]
    batch.attach(slot, added, held_keys, source=data.source, founding=False, shared=shared)
    batch.fill_blank_profile(slot, profile)
    evidence = resolution_evidence(normalized, before)
    contradicting = [c for c in before.values() if c.contradictions]
    suggested: list[Slot] = []
    if contradicting:
        batch.suggestions.load([survivor_id, *(c.person.pk for c in contradicting)])
        slot_of = {pk: batch.slots[pk] for pk in [survivor_id, *before] if pk in batch.slots}
        suggested = batch.suggest(slot, contradicting, slot_of, REASON_CONTRADICTED, evidence)
    item = Item(
        index,
        data,
        slot,
        "merged",
        normalized,
        added + shared,
        held_keys,
        department_id,
        batch.contact(slot, data),
        reason=REASON_MERGED,
        evidence=evidence,
        suggested_with=suggested,
        merges=merges,
    )
    batch.decided(item)
