"""Reads behind the merge screens and the duplicate queue, each checking who asks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import User
from socius.accounts.roles import Capability
from socius.core.errors import NotFound
from socius.core.models import Activity
from socius.core.pagination import Page, keyset_page
from socius.people.detection.comparisons import comparison_named
from socius.people.models import DuplicateSuggestion, Identifier, IdentifierKind, Merge, Person
from socius.people.selectors.person import person_get_for_employee
from socius.people.services.types import PROFILE_FIELDS

SUGGESTION_PAGE_SIZE = 25

REFERENCE_LABELS = {
    "activities": _("Timeline entries"),
    "identifiers": _("Identifiers"),
    "interactions": _("Ingested interactions"),
    "decisions": _("Resolution decisions"),
    "relations": _("Relations"),
    "inverse_relations": _("Relations from others"),
    "consents": _("Consent entries"),
    "posts": _("Internal discussion posts"),
    "privacy_requests": _("Privacy requests"),
}


FIELD_LABELS = {
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "birth_date": _("Birth date"),
    "address": _("Address"),
    "postcode": _("Postcode"),
    "city": _("City"),
    "locale": _("Language"),
}


def _field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def reference_label(name: str) -> str:
    return str(REFERENCE_LABELS.get(name, name.replace("_", " ")))


def person_get_for_merge(*, user: User, person_id: int) -> Person:
    """The person, tombstones included (the merge rules explain why they cannot merge)."""
    if not user.can(Capability.EDIT_PEOPLE):
        raise NotFound()
    return person_get_for_employee(user=user, person_id=person_id, allow_tombstone=True)


def merge_get_for_employee(*, user: User, merge_id: int) -> Merge:
    if not user.can(Capability.VIEW_PEOPLE):
        raise NotFound()
    merge = (
        Merge.objects.select_related("survivor", "absorbed", "actor", "undone_by")
        .filter(pk=merge_id)
        .first()
    )
    if merge is None:
        raise NotFound()
    return merge


@dataclass
class PersonSide:
    person: Person
    identifiers: list[Identifier] = field(default_factory=list)
    timeline_count: int = 0
    departments: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FieldComparison:
    name: str
    label: str
    survivor_value: Any
    absorbed_value: Any

    @property
    def differs(self) -> bool:
        return bool(self.survivor_value != self.absorbed_value)

    @property
    def default_side(self) -> str:
        """The survivor's value is kept unless it is empty and the other one is not."""
        return "absorbed" if self.absorbed_value and not self.survivor_value else "survivor"


@dataclass
class MergeComparison:
    survivor: PersonSide
    absorbed: PersonSide
    fields: list[FieldComparison]

    @property
    def differing_fields(self) -> list[FieldComparison]:
        return [item for item in self.fields if item.differs]


def persons_sides(*, persons: list[Person]) -> dict[int, PersonSide]:
    """Identifiers, timeline size and departments seen of a few persons, in three queries."""
    sides = {person.pk: PersonSide(person) for person in persons}
    for identifier in Identifier.objects.filter(person__in=persons).order_by("kind", "value"):
        sides[identifier.person_id].identifiers.append(identifier)
    counts = (
        Activity.objects.filter(person__in=persons)
        .values_list("person_id")
        .annotate(total=Count("id"))
        .order_by()
    )
    for person_id, total in counts:
        sides[person_id].timeline_count = total
    seen = (
        Activity.objects.filter(person__in=persons, department__isnull=False)
        .values_list("person_id", "department__name")
        .distinct()
        .order_by("department__name")
    )
    for person_id, department in seen:
        sides[person_id].departments.append(department)
    return sides


def merge_comparison(*, survivor: Person, absorbed: Person) -> MergeComparison:
    sides = persons_sides(persons=[survivor, absorbed])
    fields = [
        FieldComparison(
            name=name,
            label=str(FIELD_LABELS[name]),
            survivor_value=getattr(survivor, name),
            absorbed_value=getattr(absorbed, name),
        )
        for name in PROFILE_FIELDS
    ]
    return MergeComparison(sides[survivor.pk], sides[absorbed.pk], fields)


def _undecided_suggestions(status: str) -> QuerySet[DuplicateSuggestion]:
    suggestions = DuplicateSuggestion.objects.filter(status=status)
    if status in (DuplicateSuggestion.Status.OPEN, DuplicateSuggestion.Status.LATER):
        # A pair with a record merged away or erased since has nothing left to decide.
        suggestions = suggestions.filter(
            person_a__merged_into__isnull=True,
            person_a__erased_at__isnull=True,
            person_b__merged_into__isnull=True,
            person_b__erased_at__isnull=True,
        )
    return suggestions.select_related("person_a", "person_b")


@dataclass
class SuggestionRow:
    suggestion: DuplicateSuggestion
    in_common: list[tuple[str, str]]
    linked_by: list[tuple[Person, str, str]]
    contradictions: list[tuple[str, str, str]]
    fields: list[dict[str, Any]] = field(default_factory=list)


DETECTION_FIELD_LABELS = {
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "birth_date": _("Birth date"),
    "address": _("Address"),
    "street_number": _("Street number"),
    "street": _("Street"),
    "postcode": _("Postcode"),
    "city": _("City"),
    "phone": _("Phone"),
    "email_local": _("Email (before the @)"),
}
LEVEL_LABELS = {
    "exact": _("identical"),
    "reversed": _("given and family names swapped"),
    "initials": _("initials of the other"),
    "jaro_winkler": _("similar"),
    "damerau": _("a typo apart"),
    "levenshtein": _("two typos apart"),
    "day_month_swapped": _("day and month swapped"),
    "same_address": _("same address"),
    "same_street_near_number": _("same street, number a typo apart"),
    "same_street": _("same street"),
    "same_postcode": _("same postcode"),
    "same_city": _("same city"),
    "same_number_street_elsewhere": _("same number and street, another place"),
    "crossed": _("one name in the other's other field"),
}


def _level_label(field_name: str, gamma: int) -> str:
    """Splink's level index back to words: 0 is "different", then weakest to strongest."""
    comparison = comparison_named(field_name)
    if comparison is None or gamma <= 0 or gamma > len(comparison.weighed):
        return str(_("different"))
    level = comparison.weighed[len(comparison.weighed) - gamma]
    return str(LEVEL_LABELS.get(level.kind, level.kind))


def detection_fields(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-field comparisons of duplicate detection, as the queue shows them."""
    rows = []
    for item in evidence.get("fields", []):
        weight = float(item.get("weight", 0.0))
        name = str(item.get("field", ""))
        rows.append(
            {
                **item,
                "label": DETECTION_FIELD_LABELS.get(name, name),
                "level": _level_label(name, int(item.get("gamma", 0))),
                "direction": "for" if weight > 0 else "against" if weight < 0 else "neutral",
            }
        )
    return rows


def _identifier_label(key: str) -> tuple[str, str]:
    kind, _separator, value = key.partition(":")
    label = IdentifierKind(kind).label if kind in IdentifierKind.values else kind
    return str(label), value


def _summaries(suggestions: list[DuplicateSuggestion]) -> list[SuggestionRow]:
    """What the queue shows of each pair's evidence (one query for the whole page)."""
    persons = {s.person_a_id for s in suggestions} | {s.person_b_id for s in suggestions}
    held: dict[int, set[str]] = defaultdict(set)
    for person_id, kind, value in Identifier.objects.filter(person__in=persons).values_list(
        "person_id", "kind", "value"
    ):
        held[person_id].add(f"{kind}:{value}")
    rows = []
    for suggestion in suggestions:
        candidates = (suggestion.evidence or {}).get("candidates", {})
        row = SuggestionRow(suggestion, [], [], [], detection_fields(suggestion.evidence or {}))
        for person in (suggestion.person_a, suggestion.person_b):
            candidate = candidates.get(str(person.pk), {})
            row.linked_by += [
                (person, *_identifier_label(key)) for key in candidate.get("identifiers", [])
            ]
            row.contradictions += [
                (_field_label(item["field"]), item["known"], item["incoming"])
                for item in candidate.get("contradictions", [])
            ]
        common = held[suggestion.person_a_id] & held[suggestion.person_b_id]
        row.in_common = [_identifier_label(key) for key in sorted(common)]
        rows.append(row)
    return rows


@dataclass(frozen=True)
class SuggestionPage:
    rows: list[SuggestionRow]
    next_cursor: str | None


def suggestion_list_for_employee(
    *,
    user: User,
    status: str = DuplicateSuggestion.Status.OPEN,
    cursor: str | None = None,
    min_probability: float | None = None,
) -> SuggestionPage:
    """Suggestions in one status, newest first (those to decide: between live persons)."""
    if not user.can(Capability.EDIT_PEOPLE):
        raise NotFound()
    suggestions = _undecided_suggestions(status)
    if min_probability is not None:
        suggestions = suggestions.filter(probability__gte=min_probability)
    page: Page[DuplicateSuggestion] = keyset_page(
        suggestions,
        ordering=("-created_at", "-id"),
        cursor=cursor,
        size=SUGGESTION_PAGE_SIZE,
    )
    return SuggestionPage(_summaries(page.items), page.next_cursor)


def suggestion_get_for_employee(*, user: User, suggestion_id: int) -> DuplicateSuggestion:
    if not user.can(Capability.EDIT_PEOPLE):
        raise NotFound()
    suggestion = (
        DuplicateSuggestion.objects.select_related("person_a", "person_b")
        .filter(pk=suggestion_id)
        .first()
    )
    if suggestion is None:
        raise NotFound()
    return suggestion
