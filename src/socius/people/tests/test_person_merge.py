from __future__ import annotations

import datetime as dt

import pytest

from socius.accounts.models import User
from socius.conftest import make_employee
from socius.core.models import Activity
from socius.core.services import ActivityDraft, activity_append
from socius.people.errors import MergeAlreadyUndone, MergeNotLatest, MergeRefused
from socius.people.models import ConsentEntry, DuplicateSuggestion, Identifier, Person, Relation
from socius.people.services import (
    IdentifierIn,
    Profile,
    consent_allows,
    consent_record,
    merge_undo,
    person_merge,
    person_resolve,
    suggestion_record,
)

pytestmark = pytest.mark.django_db


def person(email: str, **profile: object) -> Person:
    return person_resolve(
        identifiers=[IdentifierIn("email", email)],
        profile=Profile(**profile),  # type: ignore[arg-type]
    ).person


def timeline_entry(of: Person, verb: str) -> Activity:
    from django.db import transaction

    with transaction.atomic():
        return activity_append(ActivityDraft(verb=verb, person_id=of.pk))


def test_it_moves_identifiers_and_activities_and_keeps_a_tombstone() -> None:
    survivor = person("lea@example.org", given_name="Léa")
    absorbed = person("lea.m@example.net", given_name="Lea", family_name="Moreau", city="Lyon")
    purchase = timeline_entry(absorbed, "interaction.purchase")

    merge = person_merge(survivor=survivor, absorbed=absorbed, reason="same human")

    survivor.refresh_from_db()
    absorbed.refresh_from_db()
    assert absorbed.merged_into_id == survivor.pk
    assert (survivor.given_name, survivor.family_name, survivor.city) == ("Léa", "Moreau", "Lyon")
    assert sorted(survivor.identifiers.values_list("value", flat=True)) == [
        "lea.m@example.net",
        "lea@example.org",
    ]
    assert Activity.objects.get(pk=purchase.pk).person_id == survivor.pk
    assert merge.moved["identifiers"] == [Identifier.objects.get(value="lea.m@example.net").pk]
    assert purchase.pk in merge.moved["activities"]


def test_chosen_values_win_over_the_survivors() -> None:
    survivor = person("lea@example.org", given_name="Lea", city="Paris")
    absorbed = person("lea.m@example.net", given_name="Léa", city="Lyon")

    person_merge(
        survivor=survivor,
        absorbed=absorbed,
        reason="x",
        chosen={"given_name": "Léa", "city": "Lyon"},
    )

    survivor.refresh_from_db()
    assert (survivor.given_name, survivor.city, survivor.search_name) == ("Léa", "Lyon", "lea")


def test_undo_restores_exactly_what_the_merge_changed() -> None:
    survivor = person("lea@example.org", given_name="Léa", city="")
    absorbed = person("lea.m@example.net", given_name="Lea", city="Lyon")
    purchase = timeline_entry(absorbed, "interaction.purchase")
    merge = person_merge(survivor=survivor, absorbed=absorbed, reason="x")

    merge_undo(merge=merge)

    survivor.refresh_from_db()
    absorbed.refresh_from_db()
    assert absorbed.merged_into_id is None
    assert (survivor.city, absorbed.city) == ("", "Lyon")
    assert list(absorbed.identifiers.values_list("value", flat=True)) == ["lea.m@example.net"]
    assert Activity.objects.get(pk=purchase.pk).person_id == absorbed.pk
    merge.refresh_from_db()
    assert merge.undone_at is not None


def test_undo_keeps_a_rectification_made_after_the_merge() -> None:
    survivor = person("lea@example.org", given_name="Léa")
    absorbed = person("lea.m@example.net", given_name="Léa", city="Lyon")
    merge = person_merge(survivor=survivor, absorbed=absorbed, reason="x")
    Person.objects.filter(pk=survivor.pk).update(city="Grenoble")

    merge_undo(merge=merge)

    survivor.refresh_from_db()
    assert survivor.city == "Grenoble"


def test_a_merge_keeps_the_most_restrictive_consent_and_undo_removes_that_entry() -> None:
    survivor = person("lea@example.org")
    absorbed = person("lea.m@example.net")
    day = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    consent_record(
        person=survivor, purpose="email_marketing", state="withdrawn", source="web", occurred_at=day
    )
    consent_record(
        person=absorbed, purpose="email_marketing", state="granted", source="shop",
        occurred_at=day + dt.timedelta(days=30),
    )  # fmt: skip
    consent_record(person=absorbed, purpose="sms_marketing", state="granted", source="shop")

    merge = person_merge(survivor=survivor, absorbed=absorbed, reason="x")

    assert consent_allows(survivor, "email_marketing") is False
    assert consent_allows(survivor, "sms_marketing") is True
    assert ConsentEntry.objects.filter(person=survivor).count() == 4
    merge_undo(merge=merge)
    assert ConsentEntry.objects.filter(person=survivor).count() == 1
    assert consent_allows(absorbed, "email_marketing") is True


def test_an_identifier_both_hold_stays_on_the_tombstone() -> None:
    survivor = person("lea@example.org", given_name="Léa")
    absorbed = person("marc@example.org", given_name="Marc")
    for who in (survivor, absorbed):
        Identifier.objects.create(person=who, kind="phone", value="+33145678910", is_shared=True)

    merge = person_merge(survivor=survivor, absorbed=absorbed, reason="x")

    assert Identifier.objects.filter(person=absorbed, kind="phone").count() == 1
    merge_undo(merge=merge)
    assert Identifier.objects.filter(person=survivor).count() == 2


def test_relations_follow_the_merge_without_relating_a_person_to_themselves() -> None:
    survivor = person("lea@example.org")
    absorbed = person("lea.m@example.net")
    friend = person("hugo@example.net")
    Relation.objects.create(person=absorbed, other=friend, kind="friend")
    Relation.objects.create(person=absorbed, other=survivor, kind="family")

    merge = person_merge(survivor=survivor, absorbed=absorbed, reason="x")

    assert list(Relation.objects.filter(person=survivor).values_list("other_id", flat=True)) == [
        friend.pk
    ]
    merge_undo(merge=merge)
    assert Relation.objects.filter(person=absorbed).count() == 2


def test_an_employees_login_follows_their_person() -> None:
    employee = make_employee("emma@example.com", "Emma Leroy", "ventes")
    customer = person("emma.perso@example.org")

    person_merge(survivor=customer, absorbed=employee.person, reason="x")

    assert User.objects.get(pk=employee.pk).person_id == customer.pk


def test_it_refuses_to_merge_two_employees() -> None:
    first = make_employee("emma@example.com", "Emma Leroy", "ventes")
    second = make_employee("paul@example.com", "Paul Girard", "ventes")

    with pytest.raises(MergeRefused) as raised:
        person_merge(survivor=first.person, absorbed=second.person, reason="x")

    assert raised.value.details == {"reason": "two_employee_accounts"}
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_it_refuses_to_merge_a_person_with_themselves_or_a_tombstone() -> None:
    survivor = person("lea@example.org")
    absorbed = person("lea.m@example.net")
    person_merge(survivor=survivor, absorbed=absorbed, reason="x")

    with pytest.raises(MergeRefused):
        person_merge(survivor=survivor, absorbed=survivor, reason="x")
    with pytest.raises(MergeRefused) as raised:
        person_merge(survivor=survivor, absorbed=absorbed, reason="x")

    assert raised.value.details["reason"] == "already_merged"


def test_a_merge_closes_the_pairs_suggestion_and_undo_reopens_it() -> None:
    survivor = person("lea@example.org")
    absorbed = person("lea.m@example.net")
    suggestion = suggestion_record(first=survivor, second=absorbed, reason="x", evidence={})
    assert suggestion is not None

    merge = person_merge(survivor=survivor, absorbed=absorbed, reason="x")
    suggestion.refresh_from_db()
    assert suggestion.status == DuplicateSuggestion.Status.MERGED
    merge_undo(merge=merge)
    suggestion.refresh_from_db()
    assert suggestion.status == DuplicateSuggestion.Status.OPEN


def test_undo_is_refused_twice_and_out_of_order() -> None:
    first = person("a@example.org")
    second = person("b@example.org")
    third = person("c@example.org")
    earlier = person_merge(survivor=second, absorbed=first, reason="x")
    later = person_merge(survivor=third, absorbed=second, reason="x")

    with pytest.raises(MergeNotLatest):
        merge_undo(merge=earlier)
    merge_undo(merge=later)
    merge_undo(merge=earlier)
    with pytest.raises(MergeAlreadyUndone):
        merge_undo(merge=earlier)


def test_undo_is_refused_once_the_survivor_was_erased() -> None:
    from socius.people.errors import PersonErased
    from socius.people.services.privacy_erase import person_erase

    survivor = person("lea@example.org")
    absorbed = person("lea.m@example.net")
    merge = person_merge(survivor=survivor, absorbed=absorbed, reason="x")
    person_erase(person=Person.objects.get(pk=survivor.pk), actor=None, reason="asked")

    with pytest.raises(PersonErased):
        merge_undo(merge=merge)

    assert Person.objects.get(pk=absorbed.pk).merged_into_id == survivor.pk
