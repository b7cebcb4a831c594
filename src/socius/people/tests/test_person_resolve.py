from __future__ import annotations

import datetime as dt

import pytest

from socius.core.errors import InvalidInput
from socius.core.models import Activity
from socius.people.models import (
    DuplicateSuggestion,
    Identifier,
    Person,
    ResolutionDecision,
)
from socius.people.normalize import InvalidIdentifier
from socius.people.services import IdentifierIn, Profile, ResolveContext, person_resolve

pytestmark = pytest.mark.django_db


def resolve(*pairs: tuple[str, str], **profile: object) -> object:
    return person_resolve(
        identifiers=[IdentifierIn(kind, value) for kind, value in pairs],
        profile=Profile(**profile),  # type: ignore[arg-type]
        context=ResolveContext(source="test"),
    )


def identifiers_of(person: Person) -> list[tuple[str, str, bool]]:
    return sorted(person.identifiers.values_list("kind", "value", "is_shared"))


def test_it_creates_a_person_for_unknown_identifiers_and_says_why() -> None:
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
    assert (person.given_name, person.family_name, person.search_name) == (
        "Léa",
        "Moreau",
        "lea moreau",
    )
    assert sorted(person.identifiers.values_list("kind", "value", "source")) == [
        ("email", "lea.moreau@example.org", "shop"),
        ("phone", "+33611223344", "shop"),
    ]
    decision = ResolutionDecision.objects.get()
    assert (decision.person_id, decision.outcome, decision.source) == (person.pk, "created", "shop")
    assert decision.reason == "No known identifier: a new person."
    activity = Activity.objects.get(person=person)
    assert (activity.verb, activity.channel) == ("person.created", "web")


def test_it_attaches_new_identifiers_to_the_person_an_identifier_names() -> None:
    first = resolve(("email", "lea@example.org"), given_name="Léa").person

    again = resolve(
        ("email", "LEA@example.org"), ("instagram", "@lea.m"), given_name="Lea", city="Lyon"
    )

    assert again.outcome == "attached"
    assert again.person.pk == first.pk
    assert Person.objects.count() == 1
    assert identifiers_of(first) == [
        ("email", "lea@example.org", False),
        ("instagram", "lea.m", False),
    ]
    first.refresh_from_db()
    assert (first.given_name, first.city) == ("Léa", "Lyon")


def test_a_short_form_of_the_given_name_is_the_same_human() -> None:
    first = resolve(("email", "jp@example.org"), given_name="Jean-Pierre").person

    again = resolve(("email", "jp@example.org"), ("phone", "0611223344"), given_name="JP")

    assert (again.outcome, again.person.pk) == ("attached", first.pk)


def test_it_writes_no_activity_when_everything_is_already_known() -> None:
    resolve(("email", "lea@example.org"))
    activities = Activity.objects.count()

    resolution = resolve(("email", "lea@example.org"))

    assert (resolution.outcome, resolution.added) == ("attached", [])
    assert Activity.objects.count() == activities
    assert ResolutionDecision.objects.count() == 2


def test_strong_identifiers_of_two_persons_merge_them_into_the_older() -> None:
    older = resolve(("email", "lea@example.org"), given_name="Léa").person
    newer = resolve(("instagram", "lea.m"), given_name="Léa").person

    resolution = resolve(
        ("email", "lea@example.org"), ("instagram", "@lea.m"), ("phone", "0611223344")
    )

    assert resolution.outcome == "merged"
    assert resolution.person.pk == older.pk
    assert resolution.merged == [newer.pk]
    newer.refresh_from_db()
    assert newer.merged_into_id == older.pk
    assert identifiers_of(older) == [
        ("email", "lea@example.org", False),
        ("instagram", "lea.m", False),
        ("phone", "+33611223344", False),
    ]


def test_a_weak_identifier_only_suggests_and_leaves_the_persons_apart() -> None:
    by_email = resolve(("email", "lea@example.org")).person
    by_phone = resolve(("phone", "06 11 22 33 44")).person

    resolution = resolve(("email", "lea@example.org"), ("phone", "+33611223344"))

    assert (resolution.outcome, resolution.person.pk) == ("suggested", by_email.pk)
    suggestion = DuplicateSuggestion.objects.get()
    assert (suggestion.person_a_id, suggestion.person_b_id, suggestion.status) == (
        by_email.pk,
        by_phone.pk,
        "open",
    )
    assert Identifier.objects.get(kind="phone").person_id == by_phone.pk
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_a_contradicting_given_name_keeps_a_household_apart_and_shares_the_landline() -> None:
    jean = resolve(
        ("phone", "01 45 67 89 10"), ("email", "jean@example.org"), given_name="Jean"
    ).person

    marie = resolve(("phone", "0145678910"), ("email", "marie@example.org"), given_name="Marie")

    assert marie.outcome == "suggested"
    assert marie.person.pk != jean.pk
    assert identifiers_of(jean) == [
        ("email", "jean@example.org", False),
        ("phone", "+33145678910", True),
    ]
    assert identifiers_of(marie.person) == [
        ("email", "marie@example.org", False),
        ("phone", "+33145678910", True),
    ]
    suggestion = DuplicateSuggestion.objects.get()
    assert {suggestion.person_a_id, suggestion.person_b_id} == {jean.pk, marie.person.pk}
    contradiction = suggestion.evidence["candidates"][str(jean.pk)]["contradictions"]
    assert contradiction == [{"field": "given_name", "known": "Jean", "incoming": "Marie"}]


def test_a_contradicting_birth_date_on_a_household_email_keeps_them_apart() -> None:
    mother = resolve(
        ("email", "famille.roux@example.org"), given_name="C.", birth_date=dt.date(1970, 1, 2)
    ).person

    daughter = resolve(
        ("email", "famille.roux@example.org"), given_name="C.", birth_date=dt.date(2001, 3, 4)
    )

    assert daughter.outcome == "suggested"
    assert daughter.person.pk != mother.pk
    assert Identifier.objects.filter(value="famille.roux@example.org", is_shared=True).count() == 2


def test_a_shared_identifier_alone_then_names_the_human_whose_profile_fits() -> None:
    jean = resolve(("phone", "0145678910"), given_name="Jean").person
    marie = resolve(("phone", "0145678910"), given_name="Marie").person

    again = resolve(("phone", "0145678910"), given_name="Marie")

    assert again.person.pk == marie.pk
    assert again.person.pk != jean.pk


def test_two_different_customer_numbers_are_two_humans_whatever_else_they_share() -> None:
    first = resolve(("email", "a@example.org"), ("customer_number", "C-1")).person
    second = resolve(("instagram", "lea.m"), ("customer_number", "C-2")).person

    resolution = resolve(("email", "a@example.org"), ("instagram", "lea.m"))

    assert resolution.outcome == "suggested"
    assert Person.objects.get(pk=second.pk).merged_into_id is None
    assert DuplicateSuggestion.objects.get().person_a_id == first.pk


def test_a_pair_judged_distinct_is_never_suggested_again() -> None:
    resolve(("email", "lea@example.org"))
    resolve(("phone", "0611223344"))
    both = (("email", "lea@example.org"), ("phone", "0611223344"))
    resolve(*both)
    DuplicateSuggestion.objects.update(status=DuplicateSuggestion.Status.DISTINCT)

    again = resolve(*both)

    assert again.suggestions == []
    assert DuplicateSuggestion.objects.count() == 1
    assert DuplicateSuggestion.objects.get().status == "distinct"


def test_the_same_open_suggestion_is_recorded_once() -> None:
    resolve(("email", "lea@example.org"))
    resolve(("phone", "0611223344"))
    both = (("email", "lea@example.org"), ("phone", "0611223344"))

    resolve(*both)
    resolve(*both)

    assert DuplicateSuggestion.objects.count() == 1


def test_an_identifier_left_on_a_merged_record_resolves_to_its_survivor() -> None:
    survivor = resolve(("email", "lea@example.org")).person
    absorbed = Person.objects.create(given_name="Léa", merged_into=survivor)
    Identifier.objects.create(person=absorbed, kind="phone", value="+33611223344")

    resolution = resolve(("phone", "0611223344"))

    assert (resolution.outcome, resolution.person.pk) == ("attached", survivor.pk)


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
    assert ResolutionDecision.objects.count() == 0


def test_strong_identifiers_never_merge_a_pair_judged_distinct() -> None:
    first = resolve(("email", "lea@example.org")).person
    second = resolve(("instagram", "lea.m")).person
    suggestion = DuplicateSuggestion.objects.create(
        person_a=first, person_b=second, reason="x", status=DuplicateSuggestion.Status.DISTINCT
    )

    resolution = resolve(("email", "lea@example.org"), ("instagram", "lea.m"))

    assert resolution.outcome == "attached"
    assert Person.objects.filter(merged_into__isnull=False).count() == 0
    suggestion.refresh_from_db()
    assert suggestion.status == "distinct"
