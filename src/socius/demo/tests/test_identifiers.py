"""The demo computes normalized identifiers without the normalizer; prove they agree."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import UTC, datetime

import phonenumbers
import pytest

from socius.demo.customers import CustomerPlanner, Human
from socius.demo.identifiers import (
    _MOBILE_PREFIXES,
    CUSTOMER_NUMBER,
    EMAIL,
    LOYALTY_CARD,
    PHONE,
    SOCIAL_KINDS,
    IdentifierMint,
    PlannedIdentifier,
    render,
)
from socius.people.models import IdentifierKind
from socius.people.normalize import normalize_identifier

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def _identifiers(humans: list[Human]) -> list[PlannedIdentifier]:
    found = [item for human in humans for s in human.sightings for item in s.identifiers]
    return found + [human.shared_landline for human in humans if human.shared_landline]


def _large_plan_start(humans: int) -> list[Human]:
    planner = CustomerPlanner(seed=42, persons=100_000, now=NOW)
    return list(itertools.islice(planner, humans))


def test_every_planned_identifier_normalizes_to_its_planned_value() -> None:
    planned = _identifiers(list(CustomerPlanner(seed=42, persons=260, now=NOW)))
    planned += _identifiers(_large_plan_start(1500))

    mismatches = [
        (item.kind, item.raw, item.value, normalize_identifier(item.kind, item.raw).value)
        for item in planned
        if normalize_identifier(item.kind, item.raw).value != item.value
    ]
    assert mismatches == []
    assert {item.kind for item in planned} == {EMAIL, PHONE, CUSTOMER_NUMBER, LOYALTY_CARD} | set(
        SOCIAL_KINDS
    )


@pytest.mark.parametrize("kind", [EMAIL, PHONE, CUSTOMER_NUMBER, LOYALTY_CARD, *SOCIAL_KINDS])
def test_every_typed_form_of_an_identifier_normalizes_back(kind: str) -> None:
    rng, mint = random.Random(7), IdentifierMint(random.Random(7))
    values = {
        EMAIL: lambda: mint.email("jean-pierre.lefevre"),
        PHONE: lambda: mint.mobile() if rng.random() < 0.5 else mint.landline(),
        CUSTOMER_NUMBER: mint.customer_number,
        LOYALTY_CARD: mint.loyalty_card,
    }
    make = values.get(kind, lambda: mint.handle(kind, "Jean-Pierre", "Lefèvre"))
    for _index in range(200):
        item = render(kind, make(), rng)
        assert normalize_identifier(kind, item.raw).value == item.value, item


def test_the_identifier_kinds_are_the_people_contexts_own() -> None:
    kinds = {EMAIL, PHONE, CUSTOMER_NUMBER, LOYALTY_CARD, *SOCIAL_KINDS}
    assert kinds <= set(IdentifierKind.values)


def test_every_mobile_prefix_gives_valid_numbers() -> None:
    for prefix in _MOBILE_PREFIXES:
        for suffix in ("000000", "999999"):
            number = phonenumbers.parse(f"+33{prefix}{suffix}")
            assert phonenumbers.is_valid_number(number), prefix


def test_identifiers_that_are_not_shared_are_never_handed_out_twice() -> None:
    # The unique constraint on (kind, value) would otherwise stop the large build midway.
    humans = _large_plan_start(3000)
    owners: Counter[tuple[str, str]] = Counter()
    for human in humans:
        for record in range(human.record_count):
            values = {
                (item.kind, item.value)
                for s in human.sightings
                if s.record == record
                for item in s.identifiers
            }
            owners.update(values)
    assert [value for value, count in owners.items() if count > 1] == []
