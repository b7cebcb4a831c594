from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from socius.accounts.services import token_create
from socius.conftest import Cast
from socius.core.models import Activity, Visibility
from socius.people.models import Person
from socius.people.services import IdentifierIn, Profile, ResolveContext, person_resolve
from socius.people.services.consent import consent_record
from socius.people.services.discussion import person_post_create
from socius.people.services.merge import person_merge
from socius.people.services.relations import relation_add
from socius.people.tests.person_hub_builders import START, append_entries, department

pytestmark = pytest.mark.django_db

CREATED = dt.datetime(2026, 1, 5, 8, 30, tzinfo=dt.UTC)


def bearer(user: Any, *scopes: str) -> dict[str, str]:
    secret = token_create(user=user, name="test", scopes=list(scopes or ["people:read"])).secret
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def reader(cast: Cast) -> dict[str, str]:
    return bearer(cast.agent, "people:read")


@pytest.fixture
def lea(cast: Cast) -> Person:
    with time_machine.travel(CREATED, tick=False):
        person = person_resolve(
            identifiers=[
                IdentifierIn("email", "Lea.Moreau@example.org"),
                IdentifierIn("phone", "06 11 22 33 44"),
            ],
            profile=Profile(
                given_name="Léa",
                family_name="Moreau",
                birth_date=dt.date(1990, 5, 4),
                address="3 rue des Lilas",
                postcode="69003",
                city="Lyon",
                locale="fr",
            ),
            context=ResolveContext(source="shop"),
        ).person
        consent_record(
            person=person,
            purpose="email_marketing",
            state="granted",
            source="web",
            evidence="form 12",
            occurred_at=CREATED,
        )
        relation_add(person=person, other=cast.customer, kind="invited_by", actor=cast.agent)
        relation_add(person=cast.friend, other=person, kind="friend", actor=cast.agent)
    return person


def test_it_returns_the_whole_record_of_a_person(
    cast: Cast, lea: Person, reader: dict[str, str]
) -> None:
    care = department("service-client", "Service client")
    shop = department("billetterie", "Billetterie")
    append_entries(lea, 2, department_id=shop.pk, start=START)
    append_entries(lea, 1, department_id=care.pk, start=START + dt.timedelta(days=2))

    response = Client().get(f"/api/v1/people/{lea.pk}", **reader)

    assert response.status_code == 200
    assert response.json() == {
        "id": lea.pk,
        "given_name": "Léa",
        "family_name": "Moreau",
        "birth_date": "1990-05-04",
        "address": "3 rue des Lilas",
        "postcode": "69003",
        "city": "Lyon",
        "locale": "fr",
        "created_at": "2026-01-05T08:30:00Z",
        "identifiers": [
            {
                "kind": "email",
                "value": "lea.moreau@example.org",
                "source": "shop",
                "is_shared": False,
                "first_seen": "2026-01-05T08:30:00Z",
                "last_seen": "2026-01-05T08:30:00Z",
            },
            {
                "kind": "phone",
                "value": "+33611223344",
                "source": "shop",
                "is_shared": False,
                "first_seen": "2026-01-05T08:30:00Z",
                "last_seen": "2026-01-05T08:30:00Z",
            },
        ],
        "consents": {
            "email_marketing": "granted",
            "sms_marketing": None,
            "profiling": None,
            "partner_sharing": None,
        },
        "consent_history": [
            {
                "purpose": "email_marketing",
                "state": "granted",
                "source": "web",
                "evidence": "form 12",
                "occurred_at": "2026-01-05T08:30:00Z",
                "recorded_at": "2026-01-05T08:30:00Z",
            }
        ],
        "relations": [
            {
                "kind": "friend",
                "direction": "incoming",
                "person_id": cast.friend.pk,
                "display_name": "Hugo Bernard",
            },
            {
                "kind": "invited_by",
                "direction": "outgoing",
                "person_id": cast.customer.pk,
                "display_name": "Claire Dupont",
            },
        ],
        "departments_seen": [
            {  # the agent related her to others, first
                "slug": "service-client",
                "name": "Service Client",
                "first_at": "2026-01-05T08:30:00Z",
                "last_at": "2026-03-04T09:00:00Z",
                "count": 3,
            },
            {
                "slug": "billetterie",
                "name": "Billetterie",
                "first_at": "2026-03-02T09:00:00Z",
                "last_at": "2026-03-02T10:00:00Z",
                "count": 2,
            },
        ],
    }


def test_it_needs_a_token_with_the_read_scope(cast: Cast) -> None:
    writer = bearer(cast.agent, "people:write")

    anonymous = Client().get(f"/api/v1/people/{cast.customer.pk}")
    without_scope = Client().get(f"/api/v1/people/{cast.customer.pk}", **writer)
    timeline = Client().get(f"/api/v1/people/{cast.customer.pk}/timeline", **writer)
    search = Client().get("/api/v1/people?q=claire", **writer)

    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "unauthenticated"
    for response in (without_scope, timeline, search):
        assert response.status_code == 403
        assert response.json() == {
            "code": "insufficient_scope",
            "message": response.json()["message"],
            "details": {"missing": ["people:read"]},
        }


def test_it_answers_404_for_an_unknown_person(reader: dict[str, str]) -> None:
    for path in ("/api/v1/people/999999", "/api/v1/people/999999/timeline"):
        response = Client().get(path, **reader)

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_a_merged_away_id_points_to_the_survivor(cast: Cast, reader: dict[str, str]) -> None:
    person_merge(survivor=cast.customer, absorbed=cast.friend, reason="test", actor_id=None)

    for path in (f"/api/v1/people/{cast.friend.pk}", f"/api/v1/people/{cast.friend.pk}/timeline"):
        response = Client().get(path, **reader)

        assert response.status_code == 301
        assert response["Location"] == f"/api/v1/people/{cast.customer.pk}"
        assert response.json()["code"] == "person_merged"
        assert response.json()["details"] == {"survivor_id": cast.customer.pk}


def test_the_timeline_lists_entries_newest_first_with_their_context(
    cast: Cast, reader: dict[str, str]
) -> None:
    care = department("service-client", "Service client")
    person = Person.objects.create(given_name="Nina", family_name="Roy")
    [sale] = append_entries(person, 1, department_id=care.pk, channel="email", start=START)
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        note = person_post_create(person=person, author=cast.agent, body="Called back")
    note_entry = Activity.objects.get(verb="person.post_created")

    response = Client().get(f"/api/v1/people/{person.pk}/timeline", **reader)

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": note_entry.pk,
                "occurred_at": "2026-03-03T09:00:00Z",
                "verb": "person.post_created",
                "summary": "Called back",
                "channel": "",
                "department": "service-client",
                "visibility": "internal",
                "actor": {"id": cast.agent.pk, "name": "Alice Martin"},
                "payload": {"post_id": note.pk},
            },
            {
                "id": sale.pk,
                "occurred_at": "2026-03-02T09:00:00Z",
                "verb": "interaction.purchase",
                "summary": "interaction.purchase 0",
                "channel": "email",
                "department": "service-client",
                "visibility": "internal",
                "actor": None,
                "payload": {"index": 0},
            },
        ],
        "next_cursor": None,
    }


def test_the_timeline_pages_with_a_cursor_and_filters(cast: Cast, reader: dict[str, str]) -> None:
    care = department("service-client", "Service client")
    shop = department("billetterie", "Billetterie")
    person = Person.objects.create(given_name="Nina", family_name="Roy")
    in_care = append_entries(person, 5, department_id=care.pk, channel="phone")
    append_entries(person, 3, department_id=shop.pk, channel="web", verb="interaction.visit")
    client = Client()
    url = f"/api/v1/people/{person.pk}/timeline"

    first = client.get(url, {"department": "service-client", "size": 2}, **reader).json()
    cursor = first["next_cursor"]
    second = client.get(
        url, {"department": "service-client", "size": 2, "cursor": cursor}, **reader
    ).json()
    visits = client.get(url, {"kind": "interaction.visit", "channel": "web"}, **reader).json()
    none = client.get(url, {"kind": "interaction.visit", "channel": "phone"}, **reader).json()

    newest_first = [a.pk for a in reversed(in_care)]
    assert [item["id"] for item in first["items"]] == newest_first[:2]
    assert [item["id"] for item in second["items"]] == newest_first[2:4]
    assert second["next_cursor"] is not None
    assert [item["verb"] for item in visits["items"]] == ["interaction.visit"] * 3
    assert none == {"items": [], "next_cursor": None}


def test_a_forged_cursor_is_refused_with_a_stable_code(cast: Cast, reader: dict[str, str]) -> None:
    for cursor in ("%%%", "bm90LWEtY3Vyc29y", "WyJ4IiwieSJd"):
        response = Client().get(
            f"/api/v1/people/{cast.customer.pk}/timeline", {"cursor": cursor}, **reader
        )

        assert response.status_code == 422
        assert response.json()["code"] == "invalid_cursor"


def test_a_page_size_out_of_bounds_is_refused(cast: Cast, reader: dict[str, str]) -> None:
    for size in (0, 201):
        response = Client().get(
            f"/api/v1/people/{cast.customer.pk}/timeline", {"size": size}, **reader
        )

        assert response.status_code == 422
        assert response.json()["code"] == "invalid_input"


def test_reading_a_person_costs_the_same_queries_whatever_their_history(
    cast: Cast, reader: dict[str, str], django_assert_num_queries: Any
) -> None:
    care = department("service-client", "Service client")
    small = Person.objects.create(given_name="Small")
    large = Person.objects.create(given_name="Large")
    for person, count in ((small, 2), (large, 80)):
        append_entries(person, count, department_id=care.pk)
        consent_record(person=person, purpose="profiling", state="denied", source="web")
    relation_add(person=small, other=large, kind="friend", actor=cast.agent)
    client = Client()
    client.get("/api/v1/accounts/me", **reader)  # the token's use is recorded once a minute

    for person in (small, large):
        # token, person, identifiers, consent states, consent ledger, relations, departments
        with django_assert_num_queries(7):
            assert client.get(f"/api/v1/people/{person.pk}", **reader).status_code == 200
        with django_assert_num_queries(3):  # token, person, one page of entries
            page = client.get(f"/api/v1/people/{person.pk}/timeline", **reader)
        assert page.status_code == 200


def test_search_ranks_identifier_matches_first_and_previews_identifiers(
    cast: Cast, reader: dict[str, str], django_assert_num_queries: Any
) -> None:
    namesake = person_resolve(
        identifiers=[IdentifierIn("customer_number", "CLAIRE-7")],
        profile=Profile(given_name="Zoé", family_name="Arnaud"),
    ).person
    client = Client()
    client.get("/api/v1/accounts/me", **reader)  # the token's use is recorded once a minute

    with django_assert_num_queries(3):  # token, persons, their identifiers
        by_phone = client.get("/api/v1/people", {"q": "06 12 34 56 78"}, **reader)
    by_name = client.get("/api/v1/people", {"q": "claire", "limit": 5}, **reader)

    assert by_phone.status_code == 200
    assert by_phone.json() == [
        {
            "id": cast.customer.pk,
            "display_name": "Claire Dupont",
            "matched": "identifier",
            "identifiers": [
                {"kind": "phone", "value": "+33612345678"},
                {"kind": "email", "value": "claire.dupont@example.org"},
            ],
        }
    ]
    assert [(hit["id"], hit["matched"]) for hit in by_name.json()] == [(cast.customer.pk, "name")]
    assert namesake.pk not in [hit["id"] for hit in by_name.json()]


def test_search_needs_a_query(reader: dict[str, str]) -> None:
    for query in ({}, {"q": ""}, {"q": "claire", "limit": 0}, {"q": "claire", "limit": 101}):
        response = Client().get("/api/v1/people", query, **reader)

        assert response.status_code == 422
        assert response.json()["code"] == "invalid_input"


def test_an_internal_entry_is_listed_for_employees_with_its_visibility(
    cast: Cast, reader: dict[str, str]
) -> None:
    person = Person.objects.create(given_name="Nina")
    append_entries(person, 1)
    append_entries(person, 1, visibility=Visibility.CUSTOMER, start=START + dt.timedelta(days=1))

    items = Client().get(f"/api/v1/people/{person.pk}/timeline", **reader).json()["items"]

    assert [item["visibility"] for item in items] == ["customer", "internal"]
