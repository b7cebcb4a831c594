"""The items of an ingestion batch that wait for its bulk write, and what they may touch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from socius.people.services.ingest_rows import Key, Slot
from socius.people.services.interactions import InteractionIn

if TYPE_CHECKING:
    from socius.people.services.ingest_batch import _Batch


class Deferred:
    """Items left for after the batch's bulk write, and everything they may touch.

    An item the batch cannot decide at once (a merge, persons named who have no id yet, a
    merged or erased holder) would split the batch: flush, run it, read again. Instead
    it waits until the rows
    decided in memory are written, and so does every later item that shares with it an
    identifier, a person or an idempotency key: those are the only items whose outcome it
    could change. The others are decided exactly as in order, and each person's timeline
    keeps the order of its items.
    """

    def __init__(self) -> None:
        self.indexes: list[int] = []
        self.keys: set[Key] = set()
        self.slots: dict[int, Slot] = {}
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
