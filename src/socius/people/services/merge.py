"""Reversible merges: every moved row is recorded, and undoing moves exactly those back."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from typing import Any

from django.db import DatabaseError, connections, router, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from socius.core.bulk import bulk_insert, server_cursor, update_rows
from socius.core.errors import InvalidInput
from socius.core.services import (
    ActivityDraft,
    ActivityObject,
    ActivityRow,
    activity_append,
    activity_append_rows,
)
from socius.core.verbs import register_verbs
from socius.people.errors import (
    MergeAlreadyUndone,
    MergeNotLatest,
    MergeRefused,
    PersonErased,
)
from socius.people.models import (
    ConsentEntry,
    ConsentState,
    DuplicateSuggestion,
    Merge,
    Person,
)
from socius.people.names import search_name
from socius.people.references import PersonReference, person_reference, person_references
from socius.people.services.consent import consent_states
from socius.people.services.types import PROFILE_FIELDS

register_verbs({"person.merged": _("Records merged"), "person.unmerged": _("Merge undone")})

_RESTRICTIVENESS = {ConsentState.GRANTED: 0, ConsentState.DENIED: 1, ConsentState.WITHDRAWN: 2}
# Stand-ins for the ids in statements built once by the ORM and reused: the lock's lower
# and higher id, a merge's absorbed person and survivor.
_FIRST, _SECOND = -3, -4
_ABSORBED, _SURVIVOR = -1, -2


def _lock(*person_ids: int) -> dict[int, Person]:
    # A stable order (by id) so that two merges never wait on each other in a cycle.
    rows = Person.objects.select_for_update().filter(pk__in=person_ids).order_by("pk")
    return {person.pk: person for person in rows}


_LOCK_QUERIES: dict[str, tuple[str, tuple[Any, ...]]] = {}


def _lock_with_flags(survivor_id: int, absorbed_id: int) -> dict[int, Person]:
    """``_lock`` of a merge's two persons, each with what the merge's checks, consent join
    and suggestion closing need to know (``is_employee``, ``has_consents``, the pair's
    ``pair_suggestion`` and ``pair_status``), read with the lock instead of in a query
    each. The statement is built by the ORM once with stand-in ids, then reused."""
    alias = router.db_for_write(Person)
    if alias not in _LOCK_QUERIES:
        pair = DuplicateSuggestion.objects.filter(person_a_id=_FIRST, person_b_id=_SECOND)
        rows = (
            Person.objects.select_for_update()
            .filter(pk__in=[_FIRST, _SECOND])
            .order_by("pk")
            .annotate(
                is_employee=Exists(Person.objects.filter(pk=OuterRef("pk"), user__isnull=False)),
                has_consents=Exists(ConsentEntry.objects.filter(person_id=OuterRef("pk"))),
                pair_suggestion=Subquery(pair.values("pk")[:1]),
                pair_status=Subquery(pair.values("status")[:1]),
            )
        )
        sql, params = rows.query.get_compiler(using=alias).as_sql()
        _LOCK_QUERIES[alias] = _reusable(sql, params, stand_in=_FIRST)
    sql, template = _LOCK_QUERIES[alias]
    ids = {_FIRST: min(survivor_id, absorbed_id), _SECOND: max(survivor_id, absorbed_id)}
    params = [ids.get(v, v) if type(v) is int else v for v in template]
    # A raw queryset gives the fields their usual conversions and the flags as attributes.
    return {person.pk: person for person in Person.objects.raw(sql, params)}


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _from_json(field: str, value: Any) -> Any:
    if field == "birth_date" and value:
        return dt.date.fromisoformat(value)
    if field == "last_own_contact_at" and value:
        return dt.datetime.fromisoformat(value)
    return value


def _keep_latest_own_contact(survivor: Person, absorbed: Person) -> dict[str, list[Any]]:
    """The human's last contact is the later of the two records': retention counts from it.
    Changes the survivor in memory; ``_save_survivor`` writes it."""
    before, theirs = survivor.last_own_contact_at, absorbed.last_own_contact_at
    if theirs is None or (before is not None and before >= theirs):
        return {}
    survivor.last_own_contact_at = theirs
    return {"last_own_contact_at": [_json_value(before), _json_value(theirs)]}


def _save_survivor(survivor: Person, changes: dict[str, list[Any]]) -> None:
    fields = survivor_fields(survivor, changes)
    if fields:
        # The row is locked: one UPDATE, without compiling a queryset for it.
        update_rows(Person, fields, [([getattr(survivor, f) for f in fields], survivor.pk, None)])


def survivor_fields(survivor: Person, changes: dict[str, list[Any]]) -> list[str]:
    """The survivor's fields a merge writes, in one UPDATE: the profile's fields (with the
    search name and ``updated_at``, then set) when it changed, the last contact alone
    otherwise."""
    fields = [name for name in changes if name != "last_own_contact_at"]
    if fields:
        fields += ["search_name", "updated_at"]
        survivor.updated_at = timezone.now()  # as ``save`` would (auto_now)
    if "last_own_contact_at" in changes:
        fields.append("last_own_contact_at")
    return fields


def _check_mergeable(survivor: Person, absorbed: Person, *, flagged: bool = False) -> None:
    if survivor.pk == absorbed.pk:
        raise MergeRefused(
            gettext("A person cannot be merged with itself."), details={"reason": "same_person"}
        )
    for person in (survivor, absorbed):
        if person.merged_into_id is not None:
            raise MergeRefused(
                gettext("Person #%(person)s was already merged into person #%(into)s.")
                % {"person": person.pk, "into": person.merged_into_id},
                details={"reason": "already_merged", "person": person.pk,
                         "merged_into": person.merged_into_id},
            )  # fmt: skip
        if person.erased_at is not None:
            raise MergeRefused(
                gettext("Person #%(person)s was erased.") % {"person": person.pk},
                details={"reason": "erased", "person": person.pk},
            )
    if _employees(survivor, absorbed, flagged=flagged) == 2:
        raise MergeRefused(
            gettext("Two employees' records cannot be merged: each has its own account."),
            details={"reason": "two_employee_accounts"},
        )


def _employees(survivor: Person, absorbed: Person, *, flagged: bool) -> int:
    """How many of the two are employees: known from the lock's flags, else read."""
    if flagged:
        return int(survivor.is_employee) + int(absorbed.is_employee)  # type: ignore[attr-defined]
    return Person.objects.filter(pk__in=[survivor.pk, absorbed.pk], user__isnull=False).count()


def merge_check(*, survivor: Person, absorbed: Person) -> None:
    """Raise MergeRefused when these two cannot be merged, without changing anything."""
    _check_mergeable(survivor, absorbed)


def _check_chosen(survivor: Person, absorbed: Person, chosen: dict[str, Any]) -> None:
    """A chosen value is one of the two records' values: a merge is no place to rewrite."""
    for field, value in chosen.items():
        if field not in PROFILE_FIELDS:
            raise InvalidInput(
                details={"field": f"values.{field}", "allowed": list(PROFILE_FIELDS)}
            )
        offered = [getattr(survivor, field), getattr(absorbed, field)]
        if value not in offered:
            raise InvalidInput(
                gettext("Choose the value of one of the two records."),
                details={"field": f"values.{field}", "allowed": [_json_value(v) for v in offered]},
            )


def _apply_profile(
    survivor: Person, absorbed: Person, chosen: dict[str, Any]
) -> dict[str, list[Any]]:
    """Blank fields of the survivor take the absorbed person's values, then the chosen ones
    (in memory; ``_save_survivor`` writes them)."""
    changes: dict[str, list[Any]] = {}
    for field in PROFILE_FIELDS:
        before = getattr(survivor, field)
        after = chosen[field] if field in chosen else (before or getattr(absorbed, field))
        if after != before:
            setattr(survivor, field, after)
            changes[field] = [_json_value(before), _json_value(after)]
    if changes:
        survivor.search_name = search_name(survivor.given_name, survivor.family_name)
    return changes


Statement = tuple[str, tuple[Any, ...]]
_MOVE_QUERIES: dict[tuple[str, tuple[PersonReference, ...]], Statement] = {}
_MOVE_UPDATES: dict[
    tuple[str, tuple[PersonReference, ...]], list[tuple[Statement, frozenset[str]]]
] = {}


def _rows_to_move(reference: PersonReference) -> QuerySet[Any]:
    model = reference.model
    attname = model._meta.get_field(reference.field).attname  # type: ignore[union-attr]
    rows = model._default_manager.filter(**{attname: _ABSORBED})
    if reference.keep_on_absorbed is not None:
        kept = reference.keep_on_absorbed(rows, _SURVIVOR).values("pk")
        rows = rows.exclude(pk__in=kept)
    return rows.order_by()


def _reusable(sql: str, params: Any, stand_in: int = _ABSORBED) -> Statement:
    if stand_in not in params:  # the ids must be parameters for the statement to be reused
        raise RuntimeError("A merge's statement cannot be reused with other ids.")
    return sql, tuple(params)


def _move_query(alias: str, references: tuple[PersonReference, ...]) -> Statement:
    """One UNION ALL of the rows to move for every reference, as (reference index, pk).

    Built by the ORM once per set of references with stand-in ids, then reused with the
    real ids: building ten querysets costs far more than running them.
    """
    key = (alias, references)
    if key not in _MOVE_QUERIES:
        parts = [
            _rows_to_move(reference)
            .annotate(reference_index=Value(index))
            .values_list("reference_index", "pk")
            for index, reference in enumerate(references)
        ]
        union = parts[0].union(*parts[1:], all=True)
        _MOVE_QUERIES[key] = _reusable(*union.query.get_compiler(using=alias).as_sql())
    return _MOVE_QUERIES[key]


def _move_updates(
    alias: str, references: tuple[PersonReference, ...]
) -> list[tuple[Statement, frozenset[str]]]:
    """PostgreSQL: statements that move the rows and return them as (reference index, pk),
    one UPDATE ... RETURNING per reference joined as data-modifying WITH queries, so that a
    merge moves everything in one round trip instead of a read and an UPDATE per table;
    each with the names of the references it moves.

    Two references to the same table go in separate statements: a row named by both would
    otherwise be updated twice in one statement, which PostgreSQL does not define. Within
    a statement every reference reads the rows as they were before it, which is what
    reading all of them first would see: no move changes the rows another reference
    selects (a relation never points to itself).
    """
    key = (alias, references)
    if key not in _MOVE_UPDATES:
        quote = connections[alias].ops.quote_name
        rounds: dict[int, list[tuple[int, str, list[Any]]]] = defaultdict(list)
        seen: dict[str, int] = defaultdict(int)
        for index, reference in enumerate(references):
            meta = reference.model._meta
            column = quote(meta.get_field(reference.field).column)  # type: ignore[union-attr,arg-type]
            pk = quote(meta.pk.column)  # type: ignore[union-attr]
            query = _rows_to_move(reference).values("pk").query
            select, params = query.get_compiler(using=alias).as_sql()
            # Only names from the models' metadata and compiled ORM queries reach the text.
            update = (
                f"m{index} AS (UPDATE {quote(meta.db_table)} SET {column} = %s "  # noqa: S608
                f"WHERE {pk} IN ({select}) RETURNING {index} AS reference_index, {pk} AS pk)"
            )
            rounds[seen[meta.db_table]].append((index, update, [_SURVIVOR, *params]))
            seen[meta.db_table] += 1
        _MOVE_UPDATES[key] = [
            (_with_statement(parts), frozenset(references[index].name for index, *_ in parts))
            for _round, parts in sorted(rounds.items())
        ]
    return _MOVE_UPDATES[key]


def later_move_references() -> list[PersonReference]:
    """The references a merge moves in a statement of their own on PostgreSQL (a second
    reference to a table), skipped when the absorbed person is known to have no such row
    (``_move``'s ``without``): most persons have none, and a statement each costs."""
    seen: set[str] = set()
    later = []
    for reference in person_references():
        table = reference.model._meta.db_table
        if table in seen:
            later.append(reference)
        seen.add(table)
    return later


def _with_statement(parts: list[tuple[int, str, list[Any]]]) -> Statement:
    """The UPDATEs as WITH queries, their returned rows as the statement's result."""
    updates = ", ".join(update for _index, update, _params in parts)
    results = " UNION ALL ".join(
        f"SELECT * FROM m{index}"  # noqa: S608 - a name made of the reference's index
        for index, _update, _params in parts
    )
    params = [param for _index, _update, params in parts for param in params]
    return _reusable(f"WITH {updates} {results}", params)


def _move(
    absorbed: Person, survivor: Person, *, without: Collection[str] = ()
) -> dict[str, list[int]]:
    # One query reads the rows to move for every reference (most references have none for
    # a given person), then one UPDATE per reference that has rows. Reading them all before
    # updating any is the same as reading each just before its update: no move changes the
    # rows another reference selects (a relation never points to itself). PostgreSQL moves
    # and reads them together (``_move_updates``).
    references = tuple(person_references())
    alias = router.db_for_write(Person)
    connection = connections[alias]
    ids_by_stand_in = {_ABSORBED: absorbed.pk, _SURVIVOR: survivor.pk}

    def bound(template: tuple[Any, ...]) -> list[Any]:
        return [ids_by_stand_in.get(v, v) if type(v) is int else v for v in template]

    found: dict[int, list[int]] = {}
    statements = (
        [statement for statement, names in _move_updates(alias, references) if names - set(without)]
        if connection.vendor == "postgresql"
        else [_move_query(alias, references)]
    )
    with server_cursor(connection) as cursor:
        for sql, template in statements:
            cursor.execute(sql, bound(template))
            for index, pk in cursor.fetchall():
                found.setdefault(index, []).append(pk)
        moved: dict[str, list[int]] = {}
        for index, reference in enumerate(references):
            if index not in found:
                continue
            ids = moved[reference.name] = sorted(found[index])
            if connection.vendor != "postgresql":
                _update(connection, reference, ids, survivor.pk, cursor)
    return moved


def _update(
    connection: Any, reference: PersonReference, ids: list[int], survivor_id: int, cursor: Any
) -> None:
    """``filter(pk__in=ids).update(field=survivor)`` without compiling a queryset."""
    quote = connection.ops.quote_name
    meta = reference.model._meta
    column = meta.get_field(reference.field).column  # type: ignore[union-attr]
    marks = ", ".join(["%s"] * len(ids))
    # Only names from the model's metadata reach the SQL text; the ids are parameters.
    cursor.execute(
        f"UPDATE {quote(meta.db_table)} SET {quote(column)} = %s "  # noqa: S608
        f"WHERE {quote(meta.pk.column)} IN ({marks})",  # type: ignore[union-attr]
        [survivor_id, *ids],
    )


def _consent_states_of(*persons: Person) -> list[dict[str, str]]:
    """``consent_states`` of each person locked with flags, read in one query (the latest
    entry wins); nothing to read when the lock found no entry for either."""
    states: dict[int, dict[str, str]] = {person.pk: {} for person in persons}
    if not any(person.has_consents for person in persons):  # type: ignore[attr-defined]
        return [{} for _person in persons]
    entries = ConsentEntry.objects.filter(person_id__in=list(states)).order_by("occurred_at", "id")
    for person_id, purpose, state in entries.values_list("person_id", "purpose", "state"):
        states[person_id][purpose] = state
    return [states[person.pk] for person in persons]


def _keep_most_restrictive_consent(
    survivor: Person, before: list[dict[str, str]], merge_label: str
) -> list[int]:
    """After the ledgers are joined, a purpose refused by either side stays refused."""
    now = timezone.now()
    created: list[int] = []
    if not any(before):  # neither ledger has an entry: nothing to join
        return created
    current = consent_states(person=survivor)
    for purpose in sorted({p for states in before for p in states}):
        strictest = max(
            (states[purpose] for states in before if purpose in states),
            key=lambda state: _RESTRICTIVENESS[ConsentState(state)],
        )
        now_state = ConsentState(current[purpose])
        if _RESTRICTIVENESS[ConsentState(strictest)] > _RESTRICTIVENESS[now_state]:
            entry = ConsentEntry.objects.create(
                person=survivor,
                purpose=purpose,
                state=strictest,
                source="merge",
                evidence=merge_label,
                occurred_at=now,
            )
            created.append(entry.pk)
    return created


def _close_suggestion(survivor: Person, actor_id: int | None) -> list[Any]:
    """Mark the pair's suggestion merged; the lock read it (``pair_suggestion``)."""
    pk, status = survivor.pair_suggestion, survivor.pair_status  # type: ignore[attr-defined]
    if pk is None or status == DuplicateSuggestion.Status.MERGED:
        return []
    closed = DuplicateSuggestion.objects.filter(pk=pk).update(
        status=DuplicateSuggestion.Status.MERGED,
        decided_at=timezone.now(),
        decided_by_id=actor_id,
    )
    if not closed:  # as ``save(update_fields=...)`` says of a row gone meanwhile
        raise DatabaseError("Save with update_fields did not affect any rows.")
    return [pk, status]


def person_merge(
    *,
    survivor: Person,
    absorbed: Person,
    reason: str,
    actor_id: int | None = None,
    chosen: dict[str, Any] | None = None,
    savepoint: bool = True,
) -> Merge:
    """Merge ``absorbed`` into ``survivor``; the absorbed record stays as a tombstone.

    ``savepoint=False``: the caller's savepoint holds the merge and is rolled back if this
    raises (an ingestion batch writes its merges in the savepoint of its other rows)."""
    with transaction.atomic(savepoint=savepoint):
        return _merge(survivor, absorbed, reason, actor_id, chosen or {})


def _merge(
    survivor: Person, absorbed: Person, reason: str, actor_id: int | None, chosen: dict[str, Any]
) -> Merge:
    locked = _lock_with_flags(survivor.pk, absorbed.pk)
    survivor, absorbed = locked[survivor.pk], locked[absorbed.pk]
    _check_mergeable(survivor, absorbed, flagged=True)
    _check_chosen(survivor, absorbed, chosen)
    consent_before = _consent_states_of(survivor, absorbed)
    changes = _apply_profile(survivor, absorbed, chosen)
    changes |= _keep_latest_own_contact(survivor, absorbed)
    _save_survivor(survivor, changes)
    moved = _move(absorbed, survivor)
    created = {
        "consents": _keep_most_restrictive_consent(
            survivor, consent_before, f"merge of person {absorbed.pk} into {survivor.pk}"
        ),
        "suggestion": _close_suggestion(survivor, actor_id),
    }
    absorbed.merged_into = survivor
    absorbed.updated_at = timezone.now()
    # The same rows ``save`` and ``create`` would write, through the bulk helpers: an
    # ingestion merges thousands of times, and compiling each statement cost more than it.
    update_rows(
        Person,
        ["merged_into", "updated_at"],
        [([survivor.pk, absorbed.updated_at], absorbed.pk, None)],
    )
    merge = Merge(
        survivor=survivor,
        absorbed=absorbed,
        actor_id=actor_id,
        reason=reason[:300],
        survivor_before=changes,
        moved=moved,
        created_rows=created,
    )
    bulk_insert(Merge, [merge])
    activity_append_rows([merged_entry(merge, reason)])
    return merge


def merged_entry(merge: Merge, reason: str) -> ActivityRow:
    """The survivor's timeline entry for a merge just recorded (the reason in full)."""
    return ActivityDraft(
        verb="person.merged",
        actor_id=merge.actor_id,
        person_id=merge.survivor_id,
        about=ActivityObject.of(merge),
        summary=reason,
        payload={
            "absorbed": merge.absorbed_id,
            "moved": {name: len(ids) for name, ids in merge.moved.items()},
        },
    ).to_row()


def _restore_profile(survivor: Person, changes: dict[str, list[Any]]) -> None:
    restored = []
    for field, (before, after) in changes.items():
        # A value changed since the merge (a rectification) is the newer truth: keep it.
        if _json_value(getattr(survivor, field)) == after:
            setattr(survivor, field, _from_json(field, before))
            restored.append(field)
    if restored:
        survivor.search_name = search_name(survivor.given_name, survivor.family_name)
        survivor.save(update_fields=[*restored, "search_name", "updated_at"])


@transaction.atomic
def merge_undo(*, merge: Merge, actor_id: int | None = None) -> Merge:
    """Move back exactly the rows the merge moved and revive the absorbed person."""
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise MergeAlreadyUndone(details={"merge": merge.pk})
    locked = _lock(merge.survivor_id, merge.absorbed_id)
    survivor, absorbed = locked[merge.survivor_id], locked[merge.absorbed_id]
    if survivor.merged_into_id is not None or absorbed.merged_into_id != survivor.pk:
        raise MergeNotLatest(details={"merge": merge.pk, "survivor": survivor.pk})
    if survivor.erased_at is not None or absorbed.erased_at is not None:
        # Undoing would bring back rows whose personal data is gone: the erasure stands.
        raise PersonErased(details={"merge": merge.pk})
    for name, ids in merge.moved.items():
        reference = person_reference(name)
        model = reference.model
        attname = model._meta.get_field(reference.field).attname  # type: ignore[union-attr]
        model._default_manager.filter(pk__in=ids, **{attname: survivor.pk}).update(
            **{attname: absorbed.pk}
        )
    ConsentEntry.objects.filter(pk__in=merge.created_rows.get("consents", [])).delete()
    previous = merge.created_rows.get("suggestion") or []
    if previous:
        DuplicateSuggestion.objects.filter(pk=previous[0]).update(
            status=previous[1], decided_at=None, decided_by=None
        )
    _restore_profile(survivor, merge.survivor_before)
    absorbed.merged_into = None
    absorbed.save(update_fields=["merged_into", "updated_at"])
    merge.undone_at = timezone.now()
    merge.undone_by_id = actor_id
    merge.save(update_fields=["undone_at", "undone_by"])
    for person, other in ((survivor, absorbed), (absorbed, survivor)):
        activity_append(
            ActivityDraft(
                verb="person.unmerged",
                actor_id=actor_id,
                person_id=person.pk,
                about=ActivityObject.of(merge),
                summary=gettext_noop("A merge was undone."),
                payload={"other": other.pk},
            )
        )
    return merge
