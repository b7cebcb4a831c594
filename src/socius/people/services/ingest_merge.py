"""An ingestion batch's merges: ``person_resolve``'s merge, its item's rows in bulk.

When an item's identifiers strongly name several persons, the batch takes the candidates
from its memory, checks in the database whether they may be merged exactly as
``person_resolve`` does, merges them oldest first with ``person_merge``, moves in memory
what each merge record says it moved, then decides the rest in memory: the identifiers
attached or shared, the profile completed, the suggestions for contradicted persons, the
decision, the timeline entries and the idempotency record, written with the batch's next
flush. The merges since a flush and that flush share one savepoint (``MergeGroup``): if
anything fails, the group is rolled back and its items take the general path one by one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import DatabaseError, transaction

from socius.core.errors import DomainError
from socius.people.models import Merge, Person
from socius.people.services.ingest_rows import Item, Slot
from socius.people.services.interactions import InteractionIn
from socius.people.services.resolve import (
    REASON_CONTRADICTED,
    REASON_MERGED,
    Candidate,
    _may_merge,
    _merge_all,
    identifiers_new_and_shared,
    resolution_evidence,
)
from socius.people.services.types import ResolveContext

if TYPE_CHECKING:
    from socius.people.services.ingest_batch import _Batch


class MergeGroup:
    """The savepoint holding the merges decided since the batch's last write, and that write.

    A merge's own rows (moves, tombstone, merge record) are written at once; its item's rows
    wait with the others for the next flush, which closes the group. Should a merge or the
    flush fail, the whole group is rolled back and its items replayed one by one, as when
    a flush alone fails: an item is written entirely or not at all. One savepoint for a
    flush and the merges before it, rather than two per merge and one per write."""

    def __init__(self) -> None:
        self._atomic: transaction.Atomic | None = None
        self.person_ids: set[int] = set()

    def __bool__(self) -> bool:
        return self._atomic is not None

    def open(self) -> None:
        if self._atomic is None:
            # Entered here, exited by ``close``: the group spans calls (merge, then flush).
            self._atomic = transaction.atomic()
            self._atomic.__enter__()

    def close(self, error: BaseException | None = None) -> set[int]:
        """Release the savepoint, or roll back to it when ``error`` is given; returns the
        persons the group's merges involved (the batch reads them again after a rollback)."""
        atomic, self._atomic = self._atomic, None
        person_ids, self.person_ids = self.person_ids, set()
        if atomic is not None:
            if error is None:
                atomic.__exit__(None, None, None)
            else:
                atomic.__exit__(type(error), error, error.__traceback__)
        return person_ids


def merge_and_attach(batch: _Batch, index: int, data: InteractionIn) -> str:
    """Merge and decide the item ("decided"), or leave it to the general path ("general").

    Rows waiting for the batch's next write must not touch the persons this item names
    (``_Batch.involved``): the merges then see every row of those persons, and the batch's
    memory of them is what the database holds. The merges run in the batch's merge group;
    the item's rows are decided in memory and written with the next flush."""
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
    named = set(candidates)
    context = ResolveContext(
        source=data.source,
        channel=data.channel,
        actor_id=batch.actor_id,
        department_id=department_id,
    )
    batch.merges.open()
    try:
        survivor, merges = _merge_all(compatible, context, savepoint=False)
        batch.general_writes += 1  # interactions read before now point to the survivor
        batch.merges.person_ids |= named
        _moved_in_memory(batch, survivor, merges)
        batch.suggestions.forget(named)
        _attach_to_survivor(batch, index, data, candidates, survivor.pk, department_id)
    except (DatabaseError, DomainError) as error:
        batch.abandon_merges(error, also=named)
        return "general"
    return "decided"


def _moved_in_memory(batch: _Batch, survivor: Person, merges: list[Merge]) -> None:
    """What the merges did, in the batch's memory: each absorbed person is a tombstone whose
    identifier rows the merge moved now belong to the survivor (the merge record lists
    them; those the survivor already held stay on the tombstone), and the survivor is the
    merge's locked copy, its profile completed."""
    target = batch.slots[survivor.pk]
    target.person = survivor
    for merge in merges:
        absorbed = batch.slots[merge.absorbed_id]
        absorbed.person.merged_into_id = survivor.pk
        moved = set(merge.moved.get("identifiers", []))
        for key in list(absorbed.keys):
            left = False
            for held in batch.index.get(key, []):
                if held.slot is not absorbed:
                    continue
                if held.identifier.pk in moved:
                    held.slot = target
                    target.keys.add(key)
                else:
                    left = True
            if not left:
                absorbed.keys.discard(key)


def _attach_to_survivor(
    batch: _Batch,
    index: int,
    data: InteractionIn,
    before: dict[int, Candidate],
    survivor_id: int,
    department_id: int | None,
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
    )
    batch.decided(item)
