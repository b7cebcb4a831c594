"""Reversible merges: every moved row is recorded, and undoing moves exactly those back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Value
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from socius.core.errors import InvalidInput
from socius.core.services import ActivityDraft, ActivityObject, activity_append
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


def _lock(*person_ids: int) -> dict[int, Person]:
    # A stable order (by id) so that two merges never wait on each other in a cycle.
    rows = Person.objects.select_for_update().filter(pk__in=person_ids).order_by("pk")
    return {person.pk: person for person in rows}


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _from_json(field: str, value: Any) -> Any:
    if field == "birth_date" and value:
        return dt.date.fromisoformat(value)
    if field == "last_own_contact_at" and value:
        return dt.datetime.fromisoformat(value)
    return value


def _keep_latest_own_contact(survivor: Person, absorbed: Person) -> dict[str, list[Any]]:
    """The human's last contact is the later of the two records': retention counts from it."""
    before, theirs = survivor.last_own_contact_at, absorbed.last_own_contact_at
    if theirs is None or (before is not None and before >= theirs):
        return {}
    survivor.last_own_contact_at = theirs
    survivor.save(update_fields=["last_own_contact_at"])
    return {"last_own_contact_at": [_json_value(before), _json_value(theirs)]}


def _check_mergeable(survivor: Person, absorbed: Person) -> None:
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
    employees = Person.objects.filter(pk__in=[survivor.pk, absorbed.pk], user__isnull=False)
    if employees.count() == 2:
        raise MergeRefused(
            gettext("Two employees' records cannot be merged: each has its own account."),
            details={"reason": "two_employee_accounts"},
        )


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
    """Blank fields of the survivor take the absorbed person's values, then the chosen ones."""
    changes: dict[str, list[Any]] = {}
    for field in PROFILE_FIELDS:
        before = getattr(survivor, field)
        after = chosen[field] if field in chosen else (before or getattr(absorbed, field))
        if after != before:
            setattr(survivor, field, after)
            changes[field] = [_json_value(before), _json_value(after)]
    if changes:
        survivor.search_name = search_name(survivor.given_name, survivor.family_name)
        survivor.save(update_fields=[*changes, "search_name", "updated_at"])
    return changes


# Stand-ins for the two ids in the cached statement that finds the rows a merge moves.
_ABSORBED, _SURVIVOR = -1, -2
_MOVE_QUERIES: dict[tuple[str, tuple[PersonReference, ...]], tuple[str, tuple[Any, ...]]] = {}


def _move_query(alias: str, references: tuple[PersonReference, ...]) -> tuple[str, tuple[Any, ...]]:
    """One UNION ALL of the rows to move for every reference, as (reference index, pk).

    Built by the ORM once per set of references with stand-in ids, then reused with the
    real ids: building ten querysets costs far more than running them.
    """
    key = (alias, references)
    if key not in _MOVE_QUERIES:
        parts = []
        for index, reference in enumerate(references):
            model = reference.model
            attname = model._meta.get_field(reference.field).attname  # type: ignore[union-attr]
            rows = model._default_manager.filter(**{attname: _ABSORBED})
            if reference.keep_on_absorbed is not None:
                kept = reference.keep_on_absorbed(rows, _SURVIVOR).values("pk")
                rows = rows.exclude(pk__in=kept)
            parts.append(
                rows.order_by()
                .annotate(reference_index=Value(index))
                .values_list("reference_index", "pk")
            )
        union = parts[0].union(*parts[1:], all=True)
        sql, params = union.query.get_compiler(using=alias).as_sql()
        if _ABSORBED not in params:  # the ids must be parameters for the statement to be reused
            raise RuntimeError("The rows a merge moves cannot be read by a reusable statement.")
        _MOVE_QUERIES[key] = (sql, tuple(params))
    return _MOVE_QUERIES[key]


def _move(absorbed: Person, survivor: Person) -> dict[str, list[int]]:
    # One query reads the rows to move for every reference (most references have none for
    # a given person), then one UPDATE per reference that has rows. Reading them all before
    # updating any is the same as reading each just before its update: no move changes the
    # rows another reference selects (a relation never points to itself).
    references = tuple(person_references())
    alias = router.db_for_write(Person)
    sql, template = _move_query(alias, references)
    ids_by_stand_in = {_ABSORBED: absorbed.pk, _SURVIVOR: survivor.pk}
    params = [
        ids_by_stand_in.get(value, value) if type(value) is int else value for value in template
    ]
    found: dict[int, list[int]] = {}
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        for index, pk in cursor.fetchall():
            found.setdefault(index, []).append(pk)
    moved: dict[str, list[int]] = {}
    for index, reference in enumerate(references):
        if index not in found:
            continue
        ids = sorted(found[index])
        model = reference.model
        attname = model._meta.get_field(reference.field).attname  # type: ignore[union-attr]
        model._default_manager.filter(pk__in=ids).update(**{attname: survivor.pk})
        moved[reference.name] = ids
    return moved


def _consent_states_of(*persons: Person) -> list[dict[str, str]]:
    """``consent_states`` of each person, read in one query (the latest entry wins)."""
    states: dict[int, dict[str, str]] = {person.pk: {} for person in persons}
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


def _close_suggestion(survivor: Person, absorbed: Person, actor_id: int | None) -> list[Any]:
    pair = sorted((survivor.pk, absorbed.pk))
    suggestion = DuplicateSuggestion.objects.filter(
        person_a_id=pair[0], person_b_id=pair[1]
    ).first()
    if suggestion is None or suggestion.status == DuplicateSuggestion.Status.MERGED:
        return []
    previous = [suggestion.pk, suggestion.status]
    suggestion.status = DuplicateSuggestion.Status.MERGED
    suggestion.decided_at = timezone.now()
    suggestion.decided_by_id = actor_id
    suggestion.save(update_fields=["status", "decided_at", "decided_by"])
    return previous


@transaction.atomic
def person_merge(
    *,
    survivor: Person,
    absorbed: Person,
    reason: str,
    actor_id: int | None = None,
    chosen: dict[str, Any] | None = None,
) -> Merge:
    """Merge ``absorbed`` into ``survivor``; the absorbed record stays as a tombstone."""
    locked = _lock(survivor.pk, absorbed.pk)
    survivor, absorbed = locked[survivor.pk], locked[absorbed.pk]
    _check_mergeable(survivor, absorbed)
    _check_chosen(survivor, absorbed, chosen or {})
    consent_before = _consent_states_of(survivor, absorbed)
    changes = _apply_profile(survivor, absorbed, chosen or {})
    changes |= _keep_latest_own_contact(survivor, absorbed)
    moved = _move(absorbed, survivor)
    created = {
        "consents": _keep_most_restrictive_consent(
            survivor, consent_before, f"merge of person {absorbed.pk} into {survivor.pk}"
        ),
        "suggestion": _close_suggestion(survivor, absorbed, actor_id),
    }
    absorbed.merged_into = survivor
    absorbed.save(update_fields=["merged_into", "updated_at"])
    merge = Merge.objects.create(
        survivor=survivor,
        absorbed=absorbed,
        actor_id=actor_id,
        reason=reason[:300],
        survivor_before=changes,
        moved=moved,
        created_rows=created,
    )
    activity_append(
        ActivityDraft(
            verb="person.merged",
            actor_id=actor_id,
            person_id=survivor.pk,
            about=ActivityObject.of(merge),
            summary=reason,
            payload={"absorbed": absorbed.pk, "moved": {k: len(v) for k, v in moved.items()}},
        )
    )
    return merge


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
