from __future__ import annotations

import datetime as dt

import pytest

from socius.core.errors import InvalidInput
from socius.core.models import Activity
from socius.people.models import Identifier, Person, ResolutionConflict
from socius.people.normalize import InvalidIdentifier
from socius.people.services import IdentifierIn, Profile, ResolveContext, person_resolve

pytestmark = pytest.mark.django_db


def test_it_creates_a_person_for_unknown_identifiers() -> None:
    resolution = person_resolve(
        identifiers=[
            IdentifierIn("email", "Lea.Moreau@Example.org"),
            IdentifierIn("phone", "0611223344"),
        ],
        profile=Profile(given_name="Léa", family_name="Moreau", birth_date=dt.date(1990, 5, 4)),
        context=ResolveContext(source="shop", channel="web"),
    )

    person = resolution.person
    assert resolution.outcome == "created"
    assert (person.given_name, person.family_name, person.birth_date) == (
        "Léa",
        "Moreau",
        dt.date(1990, 5, 4),
    )
    assert sorted(person.identifiers.values_list("kind", "value", "source")) == [
        ("email", "lea.moreau@example.org", "shop"),
        ("phone", "+33611223344", "shop"),
    ]
    activity = Activity.objects.get(person=person)
    assert activity.verb == "person.created"
    assert activity.channel == "web"
    assert activity.payload["identifiers"] == ["email:lea.moreau@example.org", "phone:+33611223344"]


def test_it_attaches_new_identifiers_to_the_person_an_identifier_already_names() -> None:
    first = person_resolve(identifiers=[IdentifierIn("email", "lea@example.org")]).person

    again = person_resolve(
        identifiers=[IdentifierIn("email", "LEA@example.org"), IdentifierIn("instagram", "@lea.m")],
        profile=Profile(given_name="Léa", city="Lyon"),
    )

    assert again.outcome == "attached"
    assert again.person.pk == first.pk
    assert Person.objects.count() == 1
    assert sorted(again.person.identifiers.values_list("kind", "value")) == [
        ("email", "lea@example.org"),
        ("instagram", "lea.m"),
    ]
    first.refresh_from_db()
    assert (first.given_name, first.city) == ("Léa", "Lyon")


def test_it_never_overwrites_what_is_already_recorded() -> None:
    person_resolve(
        identifiers=[IdentifierIn("email", "lea@example.org")], profile=Profile(given_name="Léa")
    )

    resolution = person_resolve(
        identifiers=[IdentifierIn("email", "lea@example.org")], profile=Profile(given_name="Lea")
    )

    assert resolution.person.given_name == "Léa"


def test_it_writes_nothing_when_everything_is_already_known() -> None:
    person_resolve(identifiers=[IdentifierIn("email", "lea@example.org")])
    activities_before = Activity.objects.count()

    resolution = person_resolve(identifiers=[IdentifierIn("email", "lea@example.org")])

    assert resolution.outcome == "attached"
    assert resolution.added == []
    assert Activity.objects.count() == activities_before


def test_it_records_a_conflict_when_identifiers_name_two_persons() -> None:
    by_email = person_resolve(identifiers=[IdentifierIn("email", "lea@example.org")]).person
    by_phone = person_resolve(identifiers=[IdentifierIn("phone", "06 11 22 33 44")]).person

    resolution = person_resolve(
        identifiers=[
            IdentifierIn("email", "lea@example.org"),
            IdentifierIn("phone", "+33611223344"),
            IdentifierIn("x", "@leam"),
        ]
    )

    assert resolution.outcome == "conflict"
    # Tie on votes: the older record is chosen, and the new handle goes to it.
    assert resolution.person.pk == by_email.pk
    conflict = ResolutionConflict.objects.get()
    assert (conflict.chosen_person_id, conflict.other_person_id) == (by_email.pk, by_phone.pk)
    assert conflict.evidence == {
        "chosen": ["email:lea@example.org"],
        "other": ["phone:+33611223344"],
    }
    assert Identifier.objects.get(kind="x").person_id == by_email.pk
    assert Identifier.objects.get(kind="phone").person_id == by_phone.pk


def test_it_records_the_same_open_conflict_only_once() -> None:
    person_resolve(identifiers=[IdentifierIn("email", "lea@example.org")])
    person_resolve(identifiers=[IdentifierIn("phone", "0611223344")])
    both = [IdentifierIn("email", "lea@example.org"), IdentifierIn("phone", "0611223344")]

    person_resolve(identifiers=both)
    person_resolve(identifiers=both)

    assert ResolutionConflict.objects.count() == 1


def test_it_resolves_an_identifier_left_on_a_merged_record_to_its_survivor() -> None:
    survivor = person_resolve(identifiers=[IdentifierIn("email", "lea@example.org")]).person
    absorbed = Person.objects.create(given_name="Léa", merged_into=survivor)
    Identifier.objects.create(person=absorbed, kind="phone", value="+33611223344")

    resolution = person_resolve(identifiers=[IdentifierIn("phone", "0611223344")])

    assert resolution.outcome == "attached"
    assert resolution.person.pk == survivor.pk
    assert Person.objects.count() == 2


def test_it_refuses_an_empty_identifier_list_and_writes_nothing() -> None:
    with pytest.raises(InvalidInput):
        person_resolve(identifiers=[])

    assert Person.objects.count() == 0


def test_it_refuses_a_malformed_identifier_and_writes_nothing() -> None:
    with pytest.raises(InvalidIdentifier):
        person_resolve(
            identifiers=[IdentifierIn("email", "lea@example.org"), IdentifierIn("phone", "12")]
        )

    assert Person.objects.count() == 0
    assert Identifier.objects.count() == 0
