"""Reads of the person page and the person API: the identity card and what surrounds it.

Every function takes a person already fetched with authority (``person_get_for_employee``)
and costs a fixed number of queries, whatever the size of the person's history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext_lazy as _

from socius.core.models import Activity
from socius.people.models import (
    ConsentEntry,
    ConsentPurpose,
    ConsentState,
    DuplicateSuggestion,
    Identifier,
    IdentifierKind,
    Person,
    Relation,
    RelationKind,
    ResolutionDecision,
)
from socius.people.services.consent import consent_states

_KIND_ORDER = {kind: position for position, kind in enumerate(IdentifierKind.values)}


@dataclass(frozen=True)
class IdentifierLine:
    id: int
    kind: str
    kind_label: str
    value: str
    raw_value: str
    source: str
    first_seen: dt.datetime
    last_seen: dt.datetime | None
    is_shared: bool
    verified_at: dt.datetime | None = None


@dataclass(frozen=True)
class PersonCard:
    person: Person
    identifiers: list[IdentifierLine]


@dataclass(frozen=True)
class DepartmentSeen:
    slug: str
    name: str
    first_at: dt.datetime
    last_at: dt.datetime
    count: int


Direction = Literal["outgoing", "incoming"]


@dataclass(frozen=True)
class RelationLine:
    kind: str
    direction: Direction
    other: Person

    @property
    def label(self) -> str:
        return relation_label(self.kind, self.direction)


@dataclass(frozen=True)
class ConsentLine:
    purpose: str
    purpose_label: str
    state: str | None
    state_label: str | None


@dataclass(frozen=True)
class PersonConsents:
    current: list[ConsentLine]
    history: list[ConsentEntry]

    def states(self) -> dict[str, str | None]:
        return {line.purpose: line.state for line in self.current}


@dataclass(frozen=True)
class SuggestionLine:
    suggestion: DuplicateSuggestion
    person_id: int
    other: Person

    @property
    def merge_url(self) -> str:
        # The merge screen belongs to another area; its address is the stable contract.
        return f"/people/merge?survivor={self.person_id}&absorbed={self.other.pk}"


@dataclass(frozen=True)
class PersonResolution:
    decisions: list[ResolutionDecision]
    suggestions: list[SuggestionLine]


def person_card(person: Person) -> PersonCard:
    """The identity and every identifier, with where it came from and when it was seen."""
    rows = sorted(
        Identifier.objects.filter(person_id=person.pk),
        key=lambda row: (_KIND_ORDER.get(row.kind, len(_KIND_ORDER)), row.value),
    )
    identifiers = [
        IdentifierLine(
            id=row.pk,
            kind=row.kind,
            kind_label=str(row.get_kind_display()),
            value=row.value,
            raw_value=row.raw_value,
            source=row.source,
            first_seen=row.created_at,
            last_seen=row.last_seen_at,
            is_shared=row.is_shared,
            verified_at=row.verified_at,
        )
        for row in rows
    ]
    return PersonCard(person=person, identifiers=identifiers)


def person_departments_seen(person: Person) -> list[DepartmentSeen]:
    """Which departments dealt with this human and when, in the order they first did."""
    rows = (
        Activity.objects.filter(person_id=person.pk, department__isnull=False)
        .values("department__slug", "department__name")
        .annotate(first_at=Min("occurred_at"), last_at=Max("occurred_at"), count=Count("id"))
        .order_by("first_at", "department__name")
    )
    return [
        DepartmentSeen(
            slug=row["department__slug"],
            name=row["department__name"],
            first_at=row["first_at"],
            last_at=row["last_at"],
            count=row["count"],
        )
        for row in rows
    ]


_INVERSE_LABELS = {
    RelationKind.INVITED_BY: _("Invited"),
    RelationKind.WORKS_AT: _("Employs"),
}


def relation_label(kind: str, direction: Direction) -> str:
    """How a relation reads from the page's person: "Invited by" one way, "Invited" back."""
    if kind not in RelationKind.values:
        return kind
    if direction == "incoming" and kind in _INVERSE_LABELS:
        return str(_INVERSE_LABELS[RelationKind(kind)])
    return str(RelationKind(kind).label)


def person_relations(person: Person) -> list[RelationLine]:
    """Relations in both directions, to live persons only (tombstones keep stale copies)."""
    rows = (
        Relation.objects.filter(Q(person_id=person.pk) | Q(other_id=person.pk))
        .select_related("person", "other")
        .order_by("kind", "id")
    )
    lines = []
    for row in rows:
        outgoing = row.person_id == person.pk
        other = row.other if outgoing else row.person
        if other.is_live:
            lines.append(
                RelationLine(
                    kind=row.kind, direction="outgoing" if outgoing else "incoming", other=other
                )
            )
    return lines


def person_consents(person: Person, *, history_limit: int = 50) -> PersonConsents:
    """The current state of every purpose ("not given" is None) and the ledger, newest first."""
    states = consent_states(person=person)
    history = list(
        ConsentEntry.objects.filter(person_id=person.pk)
        .select_related("recorded_by")
        .order_by("-occurred_at", "-id")[:history_limit]
    )
    current = [
        ConsentLine(
            purpose=purpose,
            purpose_label=str(label),
            state=states.get(purpose),
            state_label=_state_label(states.get(purpose)),
        )
        for purpose, label in ConsentPurpose.choices
    ]
    return PersonConsents(current=current, history=history)


def _state_label(state: str | None) -> str | None:
    return str(ConsentState(state).label) if state in ConsentState.values else None


def person_resolution(person: Person, *, limit: int = 5) -> PersonResolution:
    """Recent resolution decisions and the unresolved duplicate suggestions naming the person."""
    decisions = list(
        ResolutionDecision.objects.filter(person_id=person.pk).order_by("-created_at", "-id")[
            :limit
        ]
    )
    pending = [DuplicateSuggestion.Status.OPEN, DuplicateSuggestion.Status.LATER]
    suggestions = (
        DuplicateSuggestion.objects.filter(Q(person_a_id=person.pk) | Q(person_b_id=person.pk))
        .filter(status__in=pending)
        .select_related("person_a", "person_b")
        .order_by("-created_at", "-id")[:limit]
    )
    lines = []
    for suggestion in suggestions:
        other = suggestion.person_b if suggestion.person_a_id == person.pk else suggestion.person_a
        if other.is_live:
            lines.append(SuggestionLine(suggestion=suggestion, person_id=person.pk, other=other))
    return PersonResolution(decisions=decisions, suggestions=lines)
