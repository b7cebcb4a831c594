"""The demo's plan is pure Python: the same seed must give the same company and customers."""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

from socius.accounts.roles import Role
from socius.demo.activities import Storyteller
from socius.demo.company import DEPARTMENTS, EMAIL_DOMAIN, company_plan, staff_from
from socius.demo.customers import CustomerPlanner, Human
from socius.demo.names import fold, name_variant
from socius.demo.sizes import SIZES

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
SMALL = SIZES["small"]


def _plan(seed: int, now: datetime = NOW) -> list[Human]:
    return list(CustomerPlanner(seed=seed, persons=SMALL.customer_persons, now=now))


def _digest(humans: list[Human]) -> str:
    """Who the customers are and what each source knows of them, leaving dates aside."""
    lines = [
        (human.given_name, human.family_name, s.source, s.profile, s.identifiers)
        for human in humans
        for s in human.sightings
    ]
    return hashlib.sha256(repr(lines).encode()).hexdigest()


def _stories(seed: int, now: datetime = NOW) -> list[tuple[object, ...]]:
    """What happened, to whom and by whom, leaving dates aside (ids are stand-ins)."""
    plan = company_plan(seed=seed, staff_scale=1)
    staff = staff_from(
        plan, list(range(1, 41)), {d.slug: i for i, d in enumerate(DEPARTMENTS, start=1)}
    )
    teller = Storyteller(seed=seed, now=now, staff=staff, activities_per_person=10)
    drafts = [
        draft
        for human in itertools.islice(_plan(seed, now), 40)
        for draft in teller.customer_story(human, [human.number * 10, human.number * 10 + 1])
    ]
    drafts += teller.colleagues_talk(30)
    return [
        (d.verb, d.actor_id, d.person_id, d.department_id, d.channel, d.summary, d.payload)
        for d in drafts
    ]


def test_it_builds_the_same_company_for_the_same_seed() -> None:
    assert company_plan(seed=42, staff_scale=1) == company_plan(seed=42, staff_scale=1)
    assert company_plan(seed=42, staff_scale=1) != company_plan(seed=43, staff_scale=1)


def test_it_plans_the_same_customers_for_the_same_seed() -> None:
    assert _digest(_plan(42)) == _digest(_plan(42))


def test_the_same_seed_plans_the_same_customers_whatever_the_day() -> None:
    later = NOW + timedelta(days=40, hours=7, minutes=13)

    assert _digest(_plan(42, later)) == _digest(_plan(42, NOW))


def test_another_seed_plans_other_customers() -> None:
    assert _digest(_plan(42)) != _digest(_plan(43))


def test_the_small_company_has_forty_employees_in_seven_departments_with_every_role() -> None:
    plan = company_plan(seed=42, staff_scale=1)

    assert len(plan) == 40
    assert {employee.department_slug for employee in plan} == {
        "direction",
        "marketing",
        "ventes",
        "service-client",
        "rh",
        "informatique",
        "exploitation",
    }
    assert Counter(employee.role for employee in plan) == {
        Role.EMPLOYEE: 20,
        Role.AGENT: 9,
        Role.MANAGER: 7,
        Role.HR: 3,
        Role.ADMIN: 1,
    }
    assert {e.department_slug for e in plan if e.role == Role.AGENT} == {"service-client"}
    assert {e.department_slug for e in plan if e.role == Role.HR} == {"rh"}
    assert {e.department_slug for e in plan if e.role == Role.ADMIN} == {"informatique"}
    assert len({employee.email for employee in plan}) == 40
    assert all(employee.email.endswith("@" + EMAIL_DOMAIN) for employee in plan)


def test_the_medium_company_has_about_eighty_employees() -> None:
    assert len(company_plan(seed=42, staff_scale=SIZES["medium"].staff_scale)) == 80


def test_the_customers_records_add_up_to_the_size() -> None:
    humans = _plan(42)

    assert sum(human.record_count for human in humans) == SMALL.customer_persons
    assert [human.number for human in humans] == list(range(1, len(humans) + 1))


def test_the_plan_keeps_realistic_duplicates_and_households() -> None:
    humans = _plan(42)

    duplicates = [human for human in humans if human.record_count == 2]
    households = Counter(h.shared_landline.value for h in humans if h.shared_landline)
    assert len(duplicates) >= 20
    assert any(count >= 2 for count in households.values())
    sources = Counter(sighting.source for human in humans for sighting in human.sightings)
    assert set(sources) >= {"shop", "newsletter", "support", "facebook", "loyalty"}


def test_every_sighting_after_the_first_of_a_record_repeats_a_known_identifier() -> None:
    # This is what makes deterministic resolution link them into one person.
    for human in _plan(42):
        known: dict[int, set[tuple[str, str]]] = {}
        for sighting in human.sightings:
            values = {(item.kind, item.value) for item in sighting.identifiers}
            if sighting.record in known:
                assert known[sighting.record] & values, human
            known.setdefault(sighting.record, set()).update(values)


def test_the_two_records_of_a_duplicate_share_no_identifier() -> None:
    for human in _plan(42):
        values: dict[int, set[tuple[str, str]]] = {0: set(), 1: set()}
        for sighting in human.sightings:
            values[sighting.record] |= {(item.kind, item.value) for item in sighting.identifiers}
        assert not values[0] & values[1], human


def test_sightings_happen_over_the_last_twelve_months() -> None:
    moments = [sighting.occurred_at for human in _plan(42) for sighting in human.sightings]

    assert min(moments) >= NOW - timedelta(days=366)
    assert max(moments) <= NOW


def test_the_showcase_customers_open_every_demo() -> None:
    jean_pierre, helene = _plan(42)[:2]

    assert (jean_pierre.given_name, jean_pierre.family_name) == ("Jean-Pierre", "Lefèvre")
    assert jean_pierre.record_count == 2
    family_names = {s.profile.family_name for s in jean_pierre.sightings} - {""}
    assert family_names == {"Lefèvre", "Lefevre"}
    assert helene.record_count == 1
    kinds = Counter(item.kind for s in helene.sightings for item in s.identifiers)
    assert kinds["email"] >= 2
    assert kinds["phone"] >= 1


def test_it_tells_the_same_stories_for_the_same_seed() -> None:
    assert _stories(42) == _stories(42)
    assert _stories(42) != _stories(43)


def test_the_same_seed_tells_the_same_stories_whatever_the_day() -> None:
    assert _stories(42, NOW + timedelta(days=3, hours=5)) == _stories(42)


def test_name_variants_differ_from_the_name_as_first_written() -> None:
    import random

    rng = random.Random(1)
    for given, family in [("Jean-Pierre", "Lefèvre"), ("Hélène", "Garnier"), ("Léa", "Roy")]:
        for _attempt in range(50):
            assert name_variant(given, family, rng) != (given, family)
    assert fold("Jean-François Lefèvre") == "Jean-Francois Lefevre"
