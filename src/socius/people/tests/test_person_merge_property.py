"""Any sequence of merges, undone in reverse order, leaves every row as it was."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from socius.core.services import ActivityDraft, activity_append
from socius.people.models import (
    ConsentEntry,
    DuplicateSuggestion,
    Identifier,
    Person,
    Relation,
)
from socius.people.references import person_references
from socius.people.services import (
    IdentifierIn,
    Profile,
    consent_record,
    merge_undo,
    person_merge,
    person_resolve,
    suggestion_record,
)

PEOPLE = 5
NAMES = ["Léa", "", "Marc", "Jean-Pierre", "Anna"]
CITIES = ["Lyon", "", "Paris", "", "Nantes"]


def _build() -> list[Person]:
    persons = []
    for index in range(PEOPLE):
        person = person_resolve(
            identifiers=[IdentifierIn("email", f"p{index}@example.org")],
            profile=Profile(given_name=NAMES[index], city=CITIES[index]),
        ).person
        persons.append(person)
        with transaction.atomic():
            activity_append(ActivityDraft(verb="interaction.visit", person_id=person.pk))
        state = ["granted", "withdrawn", "denied"][index % 3]
        consent_record(person=person, purpose="email_marketing", state=state, source="test")
    for left, right in ((0, 1), (1, 2), (3, 4)):
        Relation.objects.create(person=persons[left], other=persons[right], kind="friend")
    Identifier.objects.create(person=persons[0], kind="phone", value="+33145678910", is_shared=True)
    Identifier.objects.create(person=persons[1], kind="phone", value="+33145678910", is_shared=True)
    suggestion_record(first=persons[0], second=persons[1], reason="test", evidence={})
    return persons


def _snapshot(baseline_activities: set[int] | None = None) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for reference in person_references():
        model = reference.model
        attname = model._meta.get_field(reference.field).attname  # type: ignore[union-attr]
        rows[reference.name] = dict(model._default_manager.values_list("pk", attname))
    if baseline_activities is not None:
        rows["activities"] = {
            k: v for k, v in rows["activities"].items() if k in baseline_activities
        }
    rows["persons"] = list(
        Person.objects.order_by("pk").values_list("pk", "given_name", "city", "merged_into_id")
    )
    rows["consents"] = sorted(ConsentEntry.objects.values_list("pk", "person_id", "state"))
    rows["suggestions"] = sorted(DuplicateSuggestion.objects.values_list("pk", "status"))
    return rows


class MergeThenUndoTests(TestCase):
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.lists(st.tuples(st.integers(0, PEOPLE - 1), st.integers(0, PEOPLE - 1)), max_size=6))
    def test_any_merges_undone_in_reverse_leave_every_row_as_before(
        self, pairs: list[tuple[int, int]]
    ) -> None:
        persons = _build()
        before = _snapshot()
        baseline = set(before["activities"])
        merges = []
        for survivor_index, absorbed_index in pairs:
            survivor = Person.objects.get(pk=persons[survivor_index].pk)
            absorbed = Person.objects.get(pk=persons[absorbed_index].pk)
            if survivor.pk == absorbed.pk or not survivor.is_live or not absorbed.is_live:
                continue
            merges.append(person_merge(survivor=survivor, absorbed=absorbed, reason="property"))

        for merge in reversed(merges):
            merge_undo(merge=merge)

        assert _snapshot(baseline) == before
