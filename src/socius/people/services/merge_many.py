"""Many merges at once, as ``person_merge`` would make them one after the other.

An ingestion batch decides its merges in memory and writes them with its other rows. Their
persons are locked together (in id order, as ``person_merge`` locks a pair); each merge,
in order, is checked as ``person_merge`` checks it and moves its rows at once (its record
lists them, and the next merges see them); then the survivors, the tombstones, the closed
suggestions and the merge records are written in one statement each instead of several
per merge. Merges that join consent ledgers (read before and after the moves) go through
``person_merge`` itself, in their turn, within the caller's savepoint.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from socius.core.bulk import bulk_insert, update_ids, update_rows
from socius.core.services import ActivityRow
from socius.people.errors import MergeRefused
from socius.people.models import ConsentEntry, DuplicateSuggestion, Merge, Person
from socius.people.services.merge import (
    _apply_profile,
    _check_mergeable,
    _keep_latest_own_contact,
    _move,
    later_move_references,
    merged_entry,
    person_merge,
    survivor_fields,
)


@dataclass(eq=False)
class PlannedMerge:
    """A merge decided in memory; ``merge`` and its timeline ``entry`` once written (the
    entry is None when ``person_merge`` wrote it)."""

    survivor_id: int
    absorbed_id: int
    reason: str
    merge: Merge | None = None
    entry: ActivityRow | None = None


def persons_merge_many(plans: list[PlannedMerge], *, actor_id: int | None) -> None:
    """Write the merges, in order; raises as ``person_merge`` would (nothing is undone
    here: the caller's savepoint is rolled back)."""
    if not plans:
        return
    person_ids = {pk for plan in plans for pk in (plan.survivor_id, plan.absorbed_id)}
    locked = _lock(person_ids)
    if len(locked) != len(person_ids):  # deleted meanwhile: the caller replays its items
        raise DatabaseError("A person to merge no longer exists.")
    pairs = _suggested_pairs(plans)
    if any(status == DuplicateSuggestion.Status.DISTINCT for _pk, status in pairs.values()):
        # Judged distinct since the batch checked: never overruled, the items replay.
        raise MergeRefused(details={"reason": "judged_distinct"})
    # Joining consent ledgers reads them before and after the moves, and may write
    # entries: those merges go through ``person_merge`` itself, and so do the other merges
    # into the same survivor (it reads the survivor again, which must then be current).
    ledgers = {
        plan.survivor_id
        for plan in plans
        if locked[plan.survivor_id].has_consents or locked[plan.absorbed_id].has_consents  # type: ignore[attr-defined]
    }
    now = timezone.now()
    changed: dict[int, set[str]] = defaultdict(set)
    written = []
    for plan in plans:  # in order: a merge's moves see those of the merges before it
        survivor, absorbed = locked[plan.survivor_id], locked[plan.absorbed_id]
        if plan.survivor_id in ledgers:
            plan.merge = person_merge(
                survivor=survivor,
                absorbed=absorbed,
                reason=plan.reason,
                actor_id=actor_id,
                savepoint=False,
            )
            continue
        _check_mergeable(survivor, absorbed, flagged=True)
        changes = _apply_profile(survivor, absorbed, {})
        changes |= _keep_latest_own_contact(survivor, absorbed)
        changed[survivor.pk].update(survivor_fields(survivor, changes))
        moved = _move(absorbed, survivor, without=absorbed.empty)  # type: ignore[attr-defined]
        suggestion = pairs.get(_pair(plan))
        plan.merge = Merge(
            survivor=survivor,
            absorbed=absorbed,
            actor_id=actor_id,
            reason=plan.reason[:300],
            survivor_before=changes,
            moved=moved,
            created_rows={"consents": [], "suggestion": list(suggestion) if suggestion else []},
        )
        written.append(plan)
    closed = [pairs[_pair(plan)][0] for plan in written if _pair(plan) in pairs]
    _write_merges(written, locked, changed, closed, now, actor_id)


def _write_merges(
    plans: list[PlannedMerge],
    locked: dict[int, Person],
    changed: dict[int, set[str]],
    suggestions: list[int],
    now: dt.datetime,
    actor_id: int | None,
) -> None:
    """What the merges moved in bulk: survivors (each once, with what all its merges
    changed), tombstones, closed suggestions, merge records and timeline entries."""
    survivors: dict[tuple[str, ...], list[tuple[list[Any], int, None]]] = defaultdict(list)
    for pk, names in changed.items():
        if names:
            fields = tuple(sorted(names))
            survivors[fields].append(([getattr(locked[pk], f) for f in fields], pk, None))
    for fields, rows in survivors.items():
        update_rows(Person, list(fields), rows)
    tombstones = [([plan.survivor_id, now], plan.absorbed_id, None) for plan in plans]
    update_rows(Person, ["merged_into", "updated_at"], tombstones)
    update_ids(
        DuplicateSuggestion,
        suggestions,
        status=DuplicateSuggestion.Status.MERGED,
        decided_at=now,
        decided_by=actor_id,
    )
    merges = [plan.merge for plan in plans if plan.merge is not None]
    bulk_insert(Merge, merges)
    for plan in plans:
        assert plan.merge is not None
        plan.entry = merged_entry(plan.merge, plan.reason)


def _pair(plan: PlannedMerge) -> tuple[int, int]:
    return (min(plan.survivor_id, plan.absorbed_id), max(plan.survivor_id, plan.absorbed_id))


def _lock(person_ids: set[int]) -> dict[int, Person]:
    """The persons locked in id order, then, read once the locks are held (a statement
    waiting for a lock reads others' rows as they were when it began), each with
    ``is_employee``, ``has_consents`` and, in ``empty``, the references moved apart
    (``later_move_references``) without rows of theirs."""
    locked = {
        person.pk: person
        for person in Person.objects.select_for_update().filter(pk__in=person_ids).order_by("pk")
    }
    later = later_move_references()
    flags = Person.objects.filter(pk__in=person_ids).annotate(
        is_employee=Exists(Person.objects.filter(pk=OuterRef("pk"), user__isnull=False)),
        has_consents=Exists(ConsentEntry.objects.filter(person_id=OuterRef("pk"))),
        **{
            f"has_{reference.name}": Exists(
                reference.model._default_manager.filter(**{reference.field: OuterRef("pk")})
            )
            for reference in later
        },
    )
    names = ["is_employee", "has_consents", *(f"has_{r.name}" for r in later)]
    for pk, *values in flags.values_list("pk", *names):
        person = locked[pk]
        for name, value in zip(names, values, strict=True):
            setattr(person, name, value)
        person.empty = {r.name for r in later if not getattr(person, f"has_{r.name}")}  # type: ignore[attr-defined]
    return locked


def _suggested_pairs(plans: list[PlannedMerge]) -> dict[tuple[int, int], tuple[int, str]]:
    """The pairs' suggestions not merged yet, as (id, status): the merges close them (or
    refuse, for a pair judged distinct)."""
    ids = {pk for plan in plans for pk in (plan.survivor_id, plan.absorbed_id)}
    wanted = {_pair(plan) for plan in plans}
    rows = DuplicateSuggestion.objects.filter(person_a_id__in=ids, person_b_id__in=ids)
    found: dict[tuple[int, int], tuple[int, str]] = {}
    for pk, person_a, person_b, status in rows.order_by("pk").values_list(
        "pk", "person_a_id", "person_b_id", "status"
    ):
        pair = (person_a, person_b)
        if pair in wanted and pair not in found and status != DuplicateSuggestion.Status.MERGED:
            found[pair] = (pk, status)
    return found
