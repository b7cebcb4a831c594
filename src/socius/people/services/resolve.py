"""Identity resolution: which person a set of identifiers belongs to.

The rules, in order: unknown identifiers create a person; identifiers of one person whose
profile does not contradict the incoming one attach to that person; identifiers of several
persons merge them when every one of them is named by a strong identifier (configurable,
see ``rules.py``), else they are suggested to a human; a profile that contradicts the
person an identifier names (another given name, another birth date) is kept apart: the
identifier becomes shared between them and a human is asked.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, connections, router, transaction
from django.db.models import Q, Value
from django.utils import timezone
from django.utils.translation import gettext_noop

from socius.core.bulk import server_cursor
from socius.core.errors import InvalidInput
from socius.core.services import ActivityDraft, ActivityObject, activity_append
from socius.people.models import (
    DuplicateSuggestion,
    Identifier,
    IdentifierKind,
    Merge,
    Person,
    ResolutionDecision,
)
from socius.people.names import search_name
from socius.people.normalize import NormalizedIdentifier, normalize_identifier
from socius.people.rules import (
    SINGLE_VALUED_KINDS,
    Contradiction,
    profile_contradictions,
    strong_identifier_kinds,
)
from socius.people.services.merge import person_merge
from socius.people.services.suggestions import suggestion_record
from socius.people.services.types import (
    IdentifierIn,
    Profile,
    Resolution,
    ResolveContext,
)

Key = tuple[str, str]

REASON_CREATED = gettext_noop("No known identifier: a new person.")
REASON_ATTACHED = gettext_noop("Known identifier and a consistent profile.")
REASON_MERGED = gettext_noop("Strong identifiers named several persons: they were merged.")
REASON_SUGGESTED = gettext_noop(
    "Identifiers named several persons without strong proof: suggested for review."
)
REASON_CONTRADICTED = gettext_noop(
    "A shared identifier but a contradicting profile: kept apart and suggested for review."
)


@dataclass
class Candidate:
    person: Person
    keys: set[Key] = field(default_factory=set)
    shared_keys: set[Key] = field(default_factory=set)
    contradictions: list[Contradiction] = field(default_factory=list)


def _normalize_all(identifiers: list[IdentifierIn], *, source: str) -> list[NormalizedIdentifier]:
    if not identifiers:
        raise InvalidInput(
            "At least one identifier is needed to recognise a person.",
            details={"field": "identifiers"},
        )
    seen: dict[Key, NormalizedIdentifier] = {}
    for item in identifiers:
        normalized = _normalize_cached(item.kind, item.value, source)
        seen.setdefault((normalized.kind, normalized.value), normalized)
    return list(seen.values())


# An ASCII email or a phone typed with spaces normalizes as its lower-case or spaceless form
# does (validation ignores case there, phone parsing ignores spaces): one cache entry serves
# every way the same customer's identifier is typed.
_SPACED_PHONE = re.compile(r"\+?[0-9][0-9 ]*")


def _normalize_cached(kind: str, value: str, source: str) -> NormalizedIdentifier:
    """``normalize_identifier``, remembering recent answers (see ``_normalized_value``)."""
    raw = (value or "").strip()
    key = raw
    if kind == IdentifierKind.EMAIL and raw.isascii():
        key = raw.lower()
    elif kind == IdentifierKind.PHONE and _SPACED_PHONE.fullmatch(raw):
        key = raw.replace(" ", "")
    # Only external ids depend on the source: other kinds share one cache entry.
    scope = source if kind == IdentifierKind.EXTERNAL else ""
    try:
        normalized = _normalized_value(kind, key, scope)
    except InvalidInput:
        return normalize_identifier(kind, value, source=source)  # refused in the raw's words
    return NormalizedIdentifier(kind=kind, value=normalized, raw_value=raw[:320])


@lru_cache(maxsize=65_536)
def _normalized_value(kind: str, key: str, source: str) -> str:
    """Normalization is pure and costly (email syntax, phone metadata), and the same
    customers come back: remember the recent answers (refusals are never cached)."""
    return normalize_identifier(kind, key, source=source).value


def live_person(person: Person) -> Person:
    """The live record of a human: a tombstone left by a merge points to its survivor."""
    hops = 0
    while person.merged_into_id is not None and hops < 50:
        person, hops = person.merged_into, hops + 1  # type: ignore[assignment]
    return person


def _candidates(normalized: list[NormalizedIdentifier], profile: Profile) -> dict[int, Candidate]:
    condition = Q()
    for item in normalized:
        condition |= Q(kind=item.kind, value=item.value)
    # By person, oldest first: several persons are merged in that order, the same on every
    # database and in a batch (which decides from the same rows in memory).
    rows = Identifier.objects.filter(condition).select_related("person").order_by("person_id", "pk")
    candidates: dict[int, Candidate] = {}
    for row in rows:
        person = live_person(row.person)
        if person.erased_at is not None:
            continue
        candidate = candidates.setdefault(person.pk, Candidate(person))
        candidate.keys.add((row.kind, row.value))
        if row.is_shared:
            candidate.shared_keys.add((row.kind, row.value))
    for candidate in candidates.values():
        candidate.contradictions = profile_contradictions(
            candidate.person, given_name=profile.given_name, birth_date=profile.birth_date
        )
    return candidates


def _create_person(profile: Profile) -> Person:
    values = {item.name: getattr(profile, item.name) for item in fields(Profile)}
    return Person.objects.create(
        **values, search_name=search_name(profile.given_name, profile.family_name)
    )


def _fill_blank_profile(person: Person, profile: Profile) -> None:
    """Complete what the person lacks; never overwrite what someone already recorded."""
    changed = []
    for item in fields(Profile):
        incoming = getattr(profile, item.name)
        if incoming and not getattr(person, item.name):
            setattr(person, item.name, incoming)
            changed.append(item.name)
    if changed:
        person.search_name = search_name(person.given_name, person.family_name)
        person.save(update_fields=[*changed, "search_name", "updated_at"])


def _attach(
    person: Person,
    normalized: list[NormalizedIdentifier],
    candidates: dict[int, Candidate],
    *,
    source: str,
    founding: bool = False,
) -> list[NormalizedIdentifier]:
    """Give the person the identifiers nobody holds, and share those held by contradicted
    persons (another human behind the same landline or household email).

    The identifiers that create a record are its own by definition (``founding``); those
    attached later are only claimed until their owner proves them.
    """
    now = timezone.now()
    added, shared = identifiers_new_and_shared(normalized, candidates, person)
    if shared:
        Identifier.objects.filter(
            _keys_condition([(i.kind, i.value) for i in shared]), is_shared=False
        ).update(is_shared=True)
    Identifier.objects.bulk_create(
        [
            Identifier(
                person=person,
                kind=i.kind,
                value=i.value,
                raw_value=i.raw_value,
                source=source,
                is_shared=i in shared,
                last_seen_at=now,
                verified_at=now if founding and i not in shared else None,
            )
            for i in added + shared
        ]
    )
    seen = [(i.kind, i.value) for i in normalized if i not in added and i not in shared]
    if seen:
        Identifier.objects.filter(_keys_condition(seen), person=person).update(last_seen_at=now)
    return added + shared


def identifiers_new_and_shared(
    normalized: list[NormalizedIdentifier], candidates: dict[int, Candidate], person: Person
) -> tuple[list[NormalizedIdentifier], list[NormalizedIdentifier]]:
    """The identifiers nobody holds (the person's own from now on), and those held only by
    contradicted other persons (shared with them: a household email, a family landline)."""
    added, shared = [], []
    for item in normalized:
        holders = [c for c in candidates.values() if (item.kind, item.value) in c.keys]
        if not holders:
            added.append(item)
        elif all(h.person.pk != person.pk and h.contradictions for h in holders):
            shared.append(item)
    return added, shared


def _keys_condition(keys: list[Key]) -> Q:
    condition = Q()
    for kind, value in keys:
        condition |= Q(kind=kind, value=value)
    return condition


def every_strongly_named(compatible: list[Candidate]) -> bool:
    """Whether a merge is possible at all: each person is named by a strong identifier of
    their own (not a shared one)."""
    strong = strong_identifier_kinds()
    return all(any(kind in strong for kind, _value in c.keys - c.shared_keys) for c in compatible)


def _may_merge(compatible: list[Candidate]) -> bool:
    """No two employees, no two values of a single-valued kind (two customer numbers), no
    pair an employee judged distinct: what the database says, read in one statement."""
    if not every_strongly_named(compatible):  # the usual case: no need to ask the database
        return False
    sql, template = _obstacles_query(len(compatible))
    ids = {-1 - n: c.person.pk for n, c in enumerate(compatible)}
    params = [ids.get(v, v) if type(v) is int else v for v in template]
    employees = 0
    values: dict[str, set[str]] = defaultdict(set)
    with server_cursor(connections[router.db_for_read(Person)]) as cursor:
        cursor.execute(sql, params)
        for obstacle, kind, value in cursor.fetchall():
            if obstacle == "distinct":
                return False  # an employee's answer is never overruled
            if obstacle == "employee":
                employees += 1
            else:
                values[kind].add(value)
    return employees <= 1 and all(len(found) == 1 for found in values.values())


_OBSTACLES: dict[tuple[str, int], tuple[str, tuple[Any, ...]]] = {}


def _obstacles_query(count: int) -> tuple[str, tuple[Any, ...]]:
    """The employees, the owned single-valued identifiers and the pairs judged distinct
    among ``count`` persons, as one UNION ALL of (obstacle, kind, value) rows. Built by the
    ORM once per number of persons with stand-in ids (-1, -2...), then reused."""
    alias = router.db_for_read(Person)
    if (alias, count) not in _OBSTACLES:
        ids = [-1 - n for n in range(count)]
        employees = (
            Person.objects.filter(pk__in=ids, user__isnull=False)
            .annotate(obstacle=Value("employee"), kind_=Value(""), value_=Value(""))
            .values_list("obstacle", "kind_", "value_")
        )
        single_valued = (
            Identifier.objects.filter(
                person_id__in=ids, kind__in=sorted(SINGLE_VALUED_KINDS), is_shared=False
            )
            .annotate(obstacle=Value("single"))
            .values_list("obstacle", "kind", "value")
        )
        distinct = (
            DuplicateSuggestion.objects.filter(
                person_a_id__in=ids, person_b_id__in=ids, status=DuplicateSuggestion.Status.DISTINCT
            )
            .annotate(obstacle=Value("distinct"), kind_=Value(""), value_=Value(""))
            .values_list("obstacle", "kind_", "value_")
        )
        union = employees.union(single_valued, distinct, all=True)
        sql, params = union.query.get_compiler(using=alias).as_sql()
        _OBSTACLES[(alias, count)] = (sql, tuple(params))
    return _OBSTACLES[(alias, count)]


def resolution_evidence(
    normalized: list[NormalizedIdentifier], candidates: dict[int, Candidate]
) -> dict[str, Any]:
    return {
        "identifiers": [f"{i.kind}:{i.value}" for i in normalized],
        "candidates": {
            str(pk): {
                "identifiers": sorted(f"{k}:{v}" for k, v in c.keys),
                "contradictions": [
                    {"field": x.field, "known": x.known, "incoming": x.incoming}
                    for x in c.contradictions
                ],
            }
            for pk, c in sorted(candidates.items())
        },
    }


def _suggest(
    person: Person, others: list[Candidate], reason: str, evidence: dict[str, Any]
) -> list[DuplicateSuggestion]:
    suggestions = []
    for other in others:
        if other.person.pk == person.pk:
            continue
        suggestion = suggestion_record(
            first=person, second=other.person, reason=reason, evidence=evidence
        )
        if suggestion is not None:
            suggestions.append(suggestion)
    return suggestions


def _resolve_once(
    normalized: list[NormalizedIdentifier], profile: Profile, context: ResolveContext
) -> Resolution:
    candidates = _candidates(normalized, profile)
    resolution = _decide(normalized, profile, context, candidates)
    resolution.evidence = resolution_evidence(normalized, candidates)
    return resolution


def _merge_all(compatible: list[Candidate], context: ResolveContext) -> tuple[Person, list[Merge]]:
    """Merge every compatible person into the oldest record, which survives."""
    survivor = min(compatible, key=lambda c: c.person.pk).person
    merges = []
    for other in compatible:
        if other.person.pk != survivor.pk:
            merge = person_merge(
                survivor=survivor,
                absorbed=other.person,
                actor_id=context.actor_id,
                reason=REASON_MERGED,
            )
            # The merge locks and re-reads the survivor: its copy is the current one.
            survivor = merge.survivor
            merges.append(merge)
    return survivor, merges


def _decide(
    normalized: list[NormalizedIdentifier],
    profile: Profile,
    context: ResolveContext,
    candidates: dict[int, Candidate],
) -> Resolution:
    evidence = resolution_evidence(normalized, candidates)
    if not candidates:
        person = _create_person(profile)
        added = _attach(person, normalized, candidates, source=context.source, founding=True)
        return Resolution(person, "created", REASON_CREATED, added)
    compatible = [c for c in candidates.values() if not c.contradictions]
    contradicting = [c for c in candidates.values() if c.contradictions]
    if not compatible:
        person = _create_person(profile)
        added = _attach(person, normalized, candidates, source=context.source, founding=True)
        kept_apart = _suggest(person, contradicting, REASON_CONTRADICTED, evidence)
        return Resolution(person, "suggested", REASON_CONTRADICTED, added, kept_apart)
    # The oldest record survives a merge; otherwise the one holding most identifiers wins.
    best = min(compatible, key=lambda c: (-len(c.keys), c.person.pk)).person
    outcome, reason = "attached", REASON_ATTACHED
    merged: list[int] = []
    suggestions: list[DuplicateSuggestion] = []
    if len(compatible) > 1 and _may_merge(compatible):
        best, merges = _merge_all(compatible, context)
        merged = [merge.absorbed_id for merge in merges]
        outcome, reason = "merged", REASON_MERGED
    elif len(compatible) > 1:
        suggestions = _suggest(best, compatible, REASON_SUGGESTED, evidence)
        if suggestions:  # nothing new to ask when every pair was already judged distinct
            outcome, reason = "suggested", REASON_SUGGESTED
    if merged:  # the survivor now holds what the absorbed persons held
        candidates = _candidates(normalized, profile)
    added = _attach(best, normalized, candidates, source=context.source)
    _fill_blank_profile(best, profile)
    if contradicting:
        suggestions += _suggest(best, contradicting, REASON_CONTRADICTED, evidence)
        if outcome == "attached":
            outcome, reason = "suggested", REASON_CONTRADICTED
    return Resolution(best, outcome, reason, added, suggestions, merged)  # type: ignore[arg-type]


_VERBS = {
    "created": "person.created",
    "attached": "person.identifiers_added",
    "merged": "person.identifiers_added",
    "suggested": "person.duplicate_suggested",
}


def _record(resolution: Resolution, context: ResolveContext) -> None:
    ResolutionDecision.objects.create(
        person=resolution.person,
        outcome=resolution.outcome,
        reason=resolution.reason,
        source=context.source,
        evidence=resolution.evidence,
    )
    if resolution.outcome in {"attached", "merged"} and not resolution.added:
        return
    activity_append(
        ActivityDraft(
            verb=_VERBS[resolution.outcome],
            actor_id=context.actor_id,
            person_id=resolution.person.pk,
            department_id=context.department_id,
            about=ActivityObject.of(resolution.person),
            channel=context.channel,
            summary=resolution.reason,
            payload={
                "source": context.source,
                "identifiers": [f"{i.kind}:{i.value}" for i in resolution.added],
                "suggested_with": sorted(
                    (
                        {s.person_a_id for s in resolution.suggestions}
                        | {s.person_b_id for s in resolution.suggestions}
                    )
                    - {resolution.person.pk}
                ),
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
    """Find the person these identifiers belong to, create them, or merge them (see above)."""
    context = context or ResolveContext()
    normalized = _normalize_all(identifiers, source=context.source)
    profile = profile or Profile()
    try:
        with transaction.atomic():
            resolution = _resolve_once(normalized, profile, context)
    except IntegrityError:
        # A concurrent resolution claimed one of these identifiers first: read it back.
        resolution = _resolve_once(normalized, profile, context)
    _record(resolution, context)
    return resolution
