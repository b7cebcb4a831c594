from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from socius.accounts.api_auth import InsufficientScope
from socius.accounts.models import Department
from socius.accounts.services import token_create
from socius.conftest import Cast
from socius.core.models import Activity
from socius.people.models import (
    DuplicateSuggestion,
    Identifier,
    Interaction,
    Person,
    ResolutionDecision,
)
from socius.people.services import IdentifierIn, Profile, person_resolve

URL = "/api/v1/people/interactions"


def api_client(cast: Cast, *scopes: str) -> Client:
    secret = token_create(user=cast.agent, name="Shop", scopes=list(scopes)).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def writer(cast: Cast) -> Client:
    return api_client(cast, "people:write")


def post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(URL, json.dumps(body), content_type="application/json")


def body(
    external_id: str = "o-1001", *identifiers: tuple[str, str], **extra: Any
) -> dict[str, Any]:
    return {
        "source": "shop",
        "external_id": external_id,
        "identifiers": [{"kind": kind, "value": value} for kind, value in identifiers]
        or [{"kind": "email", "value": "lea.moreau@example.org"}],
        "kind": "purchase",
        **extra,
    }


def counts() -> dict[str, int]:
    return {
        "persons": Person.objects.count(),
        "identifiers": Identifier.objects.count(),
        "activities": Activity.objects.count(),
        "interactions": Interaction.objects.count(),
        "decisions": ResolutionDecision.objects.count(),
        "suggestions": DuplicateSuggestion.objects.count(),
    }


def known(*identifiers: tuple[str, str], **profile: Any) -> Person:
    return person_resolve(
        identifiers=[IdentifierIn(kind, value) for kind, value in identifiers],
        profile=Profile(**profile),
    ).person


def test_it_creates_a_person_and_appends_the_interaction_to_their_timeline(
    cast: Cast, writer: Client
) -> None:
    response = post(
        writer,
        body(
            "o-1001",
            ("email", "Lea.Moreau@Example.org"),
            ("phone", "06 11 22 33 44"),
            profile={"given_name": "Léa", "family_name": "Moreau", "city": "Lyon"},
            channel="web",
            department="service-client",
            occurred_at="2025-03-04T10:30:00+01:00",
            summary="Two tickets",
            payload={"total": "42.00", "currency": "EUR"},
        ),
    )

    assert response.status_code == 201
    person = Person.objects.get(given_name="Léa")
    activity = Activity.objects.get(verb="interaction.purchase")
    assert response.json() == {
        "person_id": person.pk,
        "activity_id": activity.pk,
        "resolution": "created",
    }
    assert (person.family_name, person.city) == ("Moreau", "Lyon")
    assert sorted(person.identifiers.values_list("kind", "value", "source")) == [
        ("email", "lea.moreau@example.org", "shop"),
        ("phone", "+33611223344", "shop"),
    ]
    assert activity.person_id == person.pk
    assert activity.actor_id == cast.agent.pk
    assert activity.department == Department.objects.get(slug="service-client")
    assert (activity.channel, activity.summary) == ("web", "Two tickets")
    assert activity.occurred_at == dt.datetime(2025, 3, 4, 9, 30, tzinfo=dt.UTC)
    assert activity.payload == {
        "source": "shop",
        "external_id": "o-1001",
        "kind": "purchase",
        "data": {"total": "42.00", "currency": "EUR"},
    }
    interaction = Interaction.objects.get()
    assert (interaction.source, interaction.external_id, interaction.person_id) == (
        "shop",
        "o-1001",
        person.pk,
    )


def test_the_same_source_and_external_id_again_answers_200_and_writes_nothing_twice(
    cast: Cast, writer: Client
) -> None:
    first = post(writer, body("o-1001", ("email", "lea@example.org"), ("phone", "0611223344")))
    before = counts()

    again = post(writer, body("o-1001", ("email", "lea@example.org"), ("phone", "0611223344")))

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert counts() == before


def test_a_known_identifier_attaches_the_interaction_to_that_person(
    cast: Cast, writer: Client
) -> None:
    before = Person.objects.count()

    response = post(
        writer, body("o-1", ("email", "claire.dupont@example.org"), ("instagram", "@claire.d"))
    )

    assert response.status_code == 201
    assert response.json()["person_id"] == cast.customer.pk
    assert response.json()["resolution"] == "attached"
    assert Identifier.objects.get(kind="instagram").person_id == cast.customer.pk
    assert Person.objects.count() == before


def test_strong_identifiers_naming_two_persons_merge_them(cast: Cast, writer: Client) -> None:
    by_email = known(("email", "lea@example.org"), given_name="Léa")
    by_instagram = known(("instagram", "lea.m"), given_name="Léa")

    response = post(writer, body("o-1", ("email", "lea@example.org"), ("instagram", "lea.m")))

    assert response.status_code == 201
    assert response.json()["person_id"] == by_email.pk
    assert response.json()["resolution"] == "merged"
    by_instagram.refresh_from_db()
    assert by_instagram.merged_into_id == by_email.pk
    assert Identifier.objects.get(kind="instagram").person_id == by_email.pk


def test_a_weak_phone_naming_another_person_is_only_suggested(cast: Cast, writer: Client) -> None:
    by_email = known(("email", "lea@example.org"))
    by_phone = known(("phone", "06 11 22 33 44"))

    response = post(writer, body("o-1", ("email", "lea@example.org"), ("phone", "+33611223344")))

    assert response.status_code == 201
    assert response.json()["person_id"] == by_email.pk
    assert response.json()["resolution"] == "suggested"
    suggestion = DuplicateSuggestion.objects.get()
    assert (suggestion.person_a_id, suggestion.person_b_id, suggestion.status) == (
        by_email.pk,
        by_phone.pk,
        "open",
    )
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_a_contradicting_given_name_keeps_a_household_apart(cast: Cast, writer: Client) -> None:
    jean = known(("phone", "01 45 67 89 10"), given_name="Jean")

    response = post(writer, body("o-1", ("phone", "0145678910"), profile={"given_name": "Marie"}))

    assert response.status_code == 201
    assert response.json()["resolution"] == "suggested"
    marie = Person.objects.get(given_name="Marie")
    assert response.json()["person_id"] == marie.pk != jean.pk
    assert Identifier.objects.filter(value="+33145678910", is_shared=True).count() == 2
    suggestion = DuplicateSuggestion.objects.get()
    assert {suggestion.person_a_id, suggestion.person_b_id} == {jean.pk, marie.pk}


def test_a_malformed_body_is_refused_with_the_fields_named_and_nothing_written(
    cast: Cast, writer: Client
) -> None:
    before = counts()
    malformed = body(profile={"given_name": "Léa", "nickname": "Lé"})
    del malformed["kind"]

    response = post(writer, malformed)

    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_input",
        "message": "The request is not valid.",
        "details": {
            "errors": [
                {
                    "type": "extra_forbidden",
                    "loc": ["body", "data", "profile", "nickname"],
                    "msg": "Extra inputs are not permitted",
                },
                {"type": "missing", "loc": ["body", "data", "kind"], "msg": "Field required"},
            ]
        },
    }
    assert counts() == before


def test_a_bad_phone_is_refused_naming_the_identifier_and_nothing_is_written(
    cast: Cast, writer: Client
) -> None:
    before = counts()

    response = post(writer, body("o-1", ("email", "lea@example.org"), ("phone", "12")))

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_identifier"
    assert response.json()["details"] == {"field": "identifiers[1].value", "kind": "phone"}
    assert counts() == before


def test_an_unknown_identifier_kind_is_refused_naming_the_kind(cast: Cast, writer: Client) -> None:
    response = post(writer, body("o-1", ("fax", "0145678910")))

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_identifier"
    assert response.json()["details"]["field"] == "identifiers[0].kind"


@pytest.mark.parametrize(
    ("extra", "details"),
    [
        (
            {"department": "nowhere"},
            {"field": "department", "value": "nowhere"},
        ),
        (
            {"occurred_at": "2025-03-04T10:30:00"},
            {"fields": {"occurred_at": "needs a time zone (ISO 8601 with an offset or Z)"}},
        ),
        (
            {"source": "Shop Front"},
            {"fields": {"source": "lower-case letters, digits, '.', '_' or '-', at most 64"}},
        ),
        (
            {"kind": "Big Purchase"},
            {"fields": {"kind": "lower-case letters, digits and '_', starting with a letter"}},
        ),
    ],
)
def test_it_refuses_input_breaking_a_rule_and_writes_nothing(
    cast: Cast, writer: Client, extra: dict[str, Any], details: dict[str, Any]
) -> None:
    before = counts()

    response = post(writer, {**body(), **extra})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["details"] == details
    assert counts() == before


def test_it_needs_a_token(cast: Cast) -> None:
    before = counts()

    response = post(Client(), body())

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert counts() == before


def test_it_needs_the_people_write_scope(cast: Cast) -> None:
    reader = api_client(cast, "people:read")
    before = counts()

    response = post(reader, body())

    assert response.status_code == 403
    with override("fr"):
        message = InsufficientScope().message
    assert response.json() == {
        "code": "insufficient_scope",
        "message": message,
        "details": {"missing": ["people:write"]},
    }
    assert counts() == before


def test_one_ingest_costs_a_fixed_number_of_queries(
    cast: Cast, writer: Client, django_assert_num_queries: Any
) -> None:
    # Token and its last use, the idempotency lookup, the department, the candidates, then
    # person, identifiers, decision, two activities, retention date, interaction; plus six
    # savepoint statements (the test runs inside a transaction).
    with django_assert_num_queries(18):
        response = post(
            writer,
            body(
                "o-1",
                ("email", "lea@example.org"),
                ("phone", "0611223344"),
                department="service-client",
            ),
        )

    assert response.status_code == 201


def test_a_replay_costs_only_the_lookup(
    cast: Cast, writer: Client, django_assert_num_queries: Any
) -> None:
    post(writer, body())

    with django_assert_num_queries(2):
        response = post(writer, body())

    assert response.status_code == 200


def test_the_retention_clock_starts_at_the_interaction(cast: Cast, writer: Client) -> None:
    post(writer, body(occurred_at="2025-03-04T10:30:00+00:00"))

    person = Person.objects.get(identifiers__value="lea.moreau@example.org")
    assert person.last_own_contact_at == dt.datetime(2025, 3, 4, 10, 30, tzinfo=dt.UTC)
    assert person.last_own_contact_at < timezone.now()


BATCH_URL = f"{URL}/batch"


def post_batch(client: Client, items: list[Any]) -> Any:
    return client.post(BATCH_URL, json.dumps({"items": items}), content_type="application/json")


def test_a_batch_answers_per_item_and_an_invalid_item_never_half_writes(
    cast: Cast, writer: Client
) -> None:
    items = [
        body("o-1", ("email", "lea@example.org")),
        body("o-2", ("email", "hugo.b@example.org"), ("phone", "12")),
        body("o-3", ("email", "claire.dupont@example.org")),
    ]

    response = post_batch(writer, items)

    assert response.status_code == 200
    lea = Person.objects.get(identifiers__value="lea@example.org")
    first, third = Interaction.objects.order_by("external_id")
    results = response.json()["results"]
    assert results[0] == {
        "index": 0,
        "status": 201,
        "person_id": lea.pk,
        "activity_id": first.activity_id,
        "resolution": "created",
    }
    assert results[1]["index"] == 1
    assert results[1]["status"] == 422
    assert results[1]["error"]["code"] == "invalid_identifier"
    assert results[1]["error"]["details"] == {"field": "identifiers[1].value", "kind": "phone"}
    assert results[2] == {
        "index": 2,
        "status": 201,
        "person_id": cast.customer.pk,
        "activity_id": third.activity_id,
        "resolution": "attached",
    }
    assert [i.external_id for i in (first, third)] == ["o-1", "o-3"]
    assert not Identifier.objects.filter(value="hugo.b@example.org").exists()
    assert not Activity.objects.filter(payload__external_id="o-2").exists()


def test_a_batch_replayed_answers_200_per_item_and_writes_nothing_twice(
    cast: Cast, writer: Client
) -> None:
    items = [body("o-1", ("email", "lea@example.org")), body("o-2", ("phone", "0611223344"))]
    first = post_batch(writer, items).json()["results"]
    before = counts()

    again = post_batch(writer, items).json()["results"]

    assert [item["status"] for item in first] == [201, 201]
    assert [item["status"] for item in again] == [200, 200]
    assert [{**item, "status": 0} for item in again] == [{**item, "status": 0} for item in first]
    assert counts() == before


def test_a_malformed_batch_item_fails_alone_with_the_fields_named(
    cast: Cast, writer: Client
) -> None:
    malformed = body("o-2")
    del malformed["source"]

    response = post_batch(writer, [body("o-1"), malformed, body("o-3", ("phone", "0611223344"))])

    results = response.json()["results"]
    assert [item["status"] for item in results] == [201, 422, 201]
    assert results[1] == {
        "index": 1,
        "status": 422,
        "error": {
            "code": "invalid_input",
            "message": "The request is not valid.",
            "details": {
                "errors": [{"type": "missing", "loc": ["source"], "msg": "Field required"}]
            },
        },
    }
    assert sorted(Interaction.objects.values_list("external_id", flat=True)) == ["o-1", "o-3"]


def test_a_batch_of_more_than_1000_is_refused_before_writing_anything(
    cast: Cast, writer: Client
) -> None:
    before = counts()

    response = post_batch(writer, [body(f"o-{n}") for n in range(1001)])

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    error = response.json()["details"]["errors"][0]
    assert (error["type"], error["loc"]) == ("too_long", ["body", "data", "items"])
    assert counts() == before


def test_a_batch_needs_the_people_write_scope(cast: Cast) -> None:
    reader = api_client(cast, "people:read")
    before = counts()

    response = post_batch(reader, [body()])

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert counts() == before
