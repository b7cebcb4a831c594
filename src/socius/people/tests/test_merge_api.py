from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext, override

from socius.accounts.services import token_create
from socius.conftest import Cast
from socius.core.models import Activity
from socius.core.services import ActivityDraft, activity_append
from socius.people.errors import MergeAlreadyUndone, MergeNotLatest
from socius.people.models import Identifier, Merge, Person
from socius.people.services import IdentifierIn, Profile, person_resolve


def api_client(cast: Cast, *scopes: str) -> Client:
    secret = token_create(user=cast.agent, name="CRM", scopes=list(scopes)).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def writer(cast: Cast) -> Client:
    return api_client(cast, "people:write", "people:read")


def person(email: str, **profile: Any) -> Person:
    return person_resolve(
        identifiers=[IdentifierIn("email", email)], profile=Profile(**profile)
    ).person


def timeline_entry(of: Person) -> Activity:
    with transaction.atomic():
        return activity_append(ActivityDraft(verb="interaction.purchase", person_id=of.pk))


def merge(client: Client, survivor: int, absorbed: int, **extra: Any) -> Any:
    data = {"survivor": survivor, "absorbed": absorbed, **extra}
    return client.post("/api/v1/people/merge", json.dumps(data), content_type="application/json")


def undo(client: Client, merge_id: int) -> Any:
    return client.post(f"/api/v1/people/merges/{merge_id}/undo")


def as_json(moment: dt.datetime) -> str:
    return DjangoJSONEncoder().default(moment)  # type: ignore[no-any-return]


def in_french(message: str, **values: Any) -> str:
    with override("fr"):
        return gettext(message) % values if values else gettext(message)


def state() -> list[tuple[Any, ...]]:
    """Who holds what: compared before and after a refused request."""
    return [
        *Person.objects.order_by("pk").values_list("pk", "merged_into_id", "city"),
        *Identifier.objects.order_by("pk").values_list("pk", "person_id"),
        *Activity.objects.filter(verb="interaction.purchase").values_list("pk", "person_id"),
        (Merge.objects.count(),),
    ]


@pytest.fixture
def pair(cast: Cast) -> tuple[Person, Person]:
    survivor = person("lea@example.org", given_name="Léa", city="Paris")
    absorbed = person("lea.m@example.net", given_name="Léa", family_name="Moreau", city="Lyon")
    timeline_entry(absorbed)
    return survivor, absorbed


def test_it_merges_with_the_chosen_values_and_answers_what_moved(
    cast: Cast, writer: Client, pair: tuple[Person, Person]
) -> None:
    survivor, absorbed = pair
    purchase = Activity.objects.get(verb="interaction.purchase")

    response = merge(writer, survivor.pk, absorbed.pk, values={"city": "Lyon"})

    assert response.status_code == 201
    record = Merge.objects.get()
    assert response.json() == {
        "merge_id": record.pk,
        "survivor_id": survivor.pk,
        "absorbed_id": absorbed.pk,
        "moved": {"activities": 2, "decisions": 1, "identifiers": 1},
    }
    survivor.refresh_from_db()
    absorbed.refresh_from_db()
    assert (survivor.city, survivor.family_name) == ("Lyon", "Moreau")
    assert absorbed.merged_into_id == survivor.pk
    assert Identifier.objects.get(value="lea.m@example.net").person_id == survivor.pk
    assert Activity.objects.get(pk=purchase.pk).person_id == survivor.pk
    assert record.actor_id == cast.agent.pk


def test_without_values_the_survivor_keeps_its_own_and_fills_its_blanks(
    writer: Client, pair: tuple[Person, Person]
) -> None:
    survivor, absorbed = pair

    merge(writer, survivor.pk, absorbed.pk)

    survivor.refresh_from_db()
    assert (survivor.city, survivor.family_name) == ("Paris", "Moreau")


def test_a_value_neither_record_has_is_refused(writer: Client, pair: tuple[Person, Person]) -> None:
    survivor, absorbed = pair
    before = state()

    response = merge(writer, survivor.pk, absorbed.pk, values={"city": "Marseille"})

    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_input",
        "message": in_french("Choose the value of one of the two records."),
        "details": {"field": "values.city", "allowed": ["Paris", "Lyon"]},
    }
    assert state() == before


def test_a_field_that_is_not_a_profile_field_is_refused_by_shape(
    writer: Client, pair: tuple[Person, Person]
) -> None:
    survivor, absorbed = pair
    before = state()

    response = merge(writer, survivor.pk, absorbed.pk, values={"search_name": "x"})

    assert response.status_code == 422
    assert response.json()["details"]["errors"][0]["loc"] == [
        "body",
        "data",
        "values",
        "search_name",
    ]
    assert state() == before


def test_it_refuses_to_merge_a_person_with_itself(
    writer: Client, pair: tuple[Person, Person]
) -> None:
    survivor, _absorbed = pair
    before = state()

    response = merge(writer, survivor.pk, survivor.pk)

    assert response.status_code == 409
    assert response.json() == {
        "code": "merge_refused",
        "message": in_french("A person cannot be merged with itself."),
        "details": {"reason": "same_person"},
    }
    assert state() == before


def test_it_refuses_a_person_already_merged(writer: Client, pair: tuple[Person, Person]) -> None:
    survivor, absorbed = pair
    merge(writer, survivor.pk, absorbed.pk)
    third = person("third@example.org")
    before = state()

    response = merge(writer, third.pk, absorbed.pk)

    assert response.status_code == 409
    assert response.json() == {
        "code": "merge_refused",
        "message": in_french(
            "Person #%(person)s was already merged into person #%(into)s.",
            person=absorbed.pk,
            into=survivor.pk,
        ),
        "details": {"reason": "already_merged", "person": absorbed.pk, "merged_into": survivor.pk},
    }
    assert state() == before


def test_it_refuses_an_erased_person(writer: Client, pair: tuple[Person, Person]) -> None:
    survivor, absorbed = pair
    Person.objects.filter(pk=absorbed.pk).update(erased_at=timezone.now())
    before = state()

    response = merge(writer, survivor.pk, absorbed.pk)

    assert response.status_code == 409
    assert response.json() == {
        "code": "merge_refused",
        "message": in_french("Person #%(person)s was erased.", person=absorbed.pk),
        "details": {"reason": "erased", "person": absorbed.pk},
    }
    assert state() == before


def test_it_refuses_to_merge_two_employees(cast: Cast, writer: Client) -> None:
    before = state()

    response = merge(writer, cast.agent.person_id, cast.colleague.person_id)  # type: ignore[arg-type]

    assert response.status_code == 409
    assert response.json() == {
        "code": "merge_refused",
        "message": in_french("Two employees' records cannot be merged: each has its own account."),
        "details": {"reason": "two_employee_accounts"},
    }
    assert state() == before


def test_an_unknown_person_is_not_found(writer: Client, pair: tuple[Person, Person]) -> None:
    survivor, _absorbed = pair
    before = state()

    response = merge(writer, survivor.pk, 987654)

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": in_french("Not found."),
        "details": {},
    }
    assert state() == before


def test_merging_needs_a_token_with_people_write(cast: Cast, pair: tuple[Person, Person]) -> None:
    survivor, absorbed = pair
    reader = api_client(cast, "people:read")
    before = state()

    anonymous = merge(Client(), survivor.pk, absorbed.pk)
    read_only = merge(reader, survivor.pk, absorbed.pk)

    assert anonymous.status_code == 401
    assert read_only.status_code == 403
    assert read_only.json()["details"] == {"missing": ["people:write"]}
    assert state() == before


def test_undo_puts_every_row_back_and_answers_the_record(
    cast: Cast, writer: Client, pair: tuple[Person, Person]
) -> None:
    survivor, absorbed = pair
    before = state()
    merge_id = merge(writer, survivor.pk, absorbed.pk, values={"city": "Lyon"}).json()["merge_id"]

    response = undo(writer, merge_id)

    assert response.status_code == 200
    record = Merge.objects.get()
    assert record.undone_at is not None
    assert response.json() == {
        "merge_id": merge_id,
        "undone_at": as_json(record.undone_at),
        "survivor_id": survivor.pk,
        "absorbed_id": absorbed.pk,
    }
    assert record.undone_by_id == cast.agent.pk
    assert state()[:-1] == before[:-1]
    survivor.refresh_from_db()
    assert (survivor.city, survivor.family_name) == ("Paris", "")


def test_undoing_twice_is_refused(writer: Client, pair: tuple[Person, Person]) -> None:
    survivor, absorbed = pair
    merge_id = merge(writer, survivor.pk, absorbed.pk).json()["merge_id"]
    undo(writer, merge_id)
    before = state()

    response = undo(writer, merge_id)

    assert response.status_code == 409
    assert response.json() == {
        "code": "merge_already_undone",
        "message": in_french(str(MergeAlreadyUndone.default_message)),
        "details": {"merge": merge_id},
    }
    assert state() == before


def test_undoing_out_of_order_is_refused(writer: Client, pair: tuple[Person, Person]) -> None:
    survivor, absorbed = pair
    first = merge(writer, survivor.pk, absorbed.pk).json()["merge_id"]
    older = person("older@example.org")
    Person.objects.filter(pk=older.pk).update(given_name="Léa")
    merge(writer, older.pk, survivor.pk)
    before = state()

    response = undo(writer, first)

    assert response.status_code == 409
    assert response.json() == {
        "code": "merge_not_latest",
        "message": in_french(str(MergeNotLatest.default_message)),
        "details": {"merge": first, "survivor": survivor.pk},
    }
    assert state() == before


def test_undoing_an_unknown_merge_is_not_found(writer: Client) -> None:
    response = undo(writer, 4242)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_undo_needs_the_people_write_scope(cast: Cast, pair: tuple[Person, Person]) -> None:
    survivor, absorbed = pair
    writer = api_client(cast, "people:write")
    merge_id = merge(writer, survivor.pk, absorbed.pk).json()["merge_id"]

    response = undo(api_client(cast, "people:read"), merge_id)

    assert response.status_code == 403
    assert Merge.objects.get().undone_at is None


def test_the_merge_record_lists_every_moved_row_and_what_changed(
    cast: Cast, writer: Client, pair: tuple[Person, Person], django_assert_num_queries: Any
) -> None:
    survivor, absorbed = pair
    decisions = list(absorbed.decisions.values_list("pk", flat=True))
    activities = sorted(Activity.objects.filter(person_id=absorbed.pk).values_list("pk", flat=True))
    merge_id = merge(writer, survivor.pk, absorbed.pk, values={"city": "Lyon"}).json()["merge_id"]
    record = Merge.objects.get()
    reader = api_client(cast, "people:read")

    with django_assert_num_queries(3):  # token, its last use, the merge
        response = reader.get(f"/api/v1/people/merges/{merge_id}")

    assert response.status_code == 200
    identifier = Identifier.objects.get(value="lea.m@example.net")
    assert response.json() == {
        "id": merge_id,
        "survivor_id": survivor.pk,
        "absorbed_id": absorbed.pk,
        "reason": "Merged by an employee through the API.",
        "actor_id": cast.agent.pk,
        "created_at": as_json(record.created_at),
        "undone_at": None,
        "undone_by_id": None,
        "moved": {
            "activities": activities,
            "decisions": decisions,
            "identifiers": [identifier.pk],
        },
        "survivor_before": {"family_name": ["", "Moreau"], "city": ["Paris", "Lyon"]},
        "created_rows": {"consents": [], "suggestion": []},
    }
    assert len(activities) == 2
    assert set(Activity.objects.filter(pk__in=activities).values_list("person_id", flat=True)) == {
        survivor.pk
    }


def test_an_unknown_merge_record_is_not_found(cast: Cast) -> None:
    response = api_client(cast, "people:read").get("/api/v1/people/merges/4242")

    assert response.status_code == 404


def test_a_birth_date_can_be_chosen(writer: Client) -> None:
    survivor = person("a@example.org", given_name="Léa")
    absorbed = person("b@example.org", given_name="Léa", birth_date=dt.date(1990, 2, 3))

    response = merge(writer, survivor.pk, absorbed.pk, values={"birth_date": "1990-02-03"})

    assert response.status_code == 201
    survivor.refresh_from_db()
    assert survivor.birth_date == dt.date(1990, 2, 3)
