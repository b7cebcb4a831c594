"""The bulk path must leave the persons and identifiers that person_resolve would."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import transaction

from socius.accounts.services import department_ensure
from socius.demo.company import DEPARTMENTS
from socius.demo.customers import CustomerPlanner, Human
from socius.demo.load import customers_insert, customers_resolve
from socius.people.models import DuplicateSuggestion, Identifier, Person

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
Snapshot = list[tuple[tuple[object, ...], list[tuple[str, str, str, str, bool]]]]


class _Undo(Exception):
    pass


def _department_ids() -> dict[str, int]:
    return {d.slug: department_ensure(slug=d.slug, name=d.name).pk for d in DEPARTMENTS}


def _snapshot(all_ids: list[list[int]]) -> Snapshot:
    snapshot: Snapshot = []
    for person_id in (person_id for ids in all_ids for person_id in ids):
        person = Person.objects.get(pk=person_id)
        profile = (
            person.given_name,
            person.family_name,
            person.birth_date,
            person.address,
            person.postcode,
            person.city,
            person.locale,
        )
        identifiers = sorted(
            Identifier.objects.filter(person=person).values_list(
                "kind", "value", "raw_value", "source", "is_shared"
            )
        )
        snapshot.append((profile, identifiers))
    return snapshot


def _resolved(humans: list[Human], department_ids: dict[str, int]) -> Snapshot:
    try:
        with transaction.atomic():
            snapshot = _snapshot(customers_resolve(humans, department_ids=department_ids))
            assert DuplicateSuggestion.objects.count() == 0
            raise _Undo
    except _Undo:
        return snapshot


def test_bulk_insertion_gives_the_persons_and_identifiers_resolution_gives() -> None:
    humans = list(CustomerPlanner(seed=5, persons=150, now=NOW))
    department_ids = _department_ids()

    resolved = _resolved(humans, department_ids)
    assert Person.objects.count() == 0
    inserted = _snapshot(customers_insert(humans, department_ids=department_ids))

    assert len(resolved) == 150
    assert inserted == resolved
