from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils.translation import override

from socius.accounts.services import token_create
from socius.conftest import Cast, signed_in_client
from socius.core.errors import InvalidInput
from socius.core.models import Activity, Visibility
from socius.core.services import ActivityDraft, activity_append
from socius.people import exporters
from socius.people.models import Person
from socius.people.services import IdentifierIn, InteractionIn, Profile, person_resolve
from socius.people.services.consent import consent_record
from socius.people.services.discussion import person_comment_create, person_post_create
from socius.people.services.interactions import interaction_ingest
from socius.people.services.privacy import person_export, person_export_data
from socius.people.services.privacy_export import EXPORTED_MODELS
from socius.people.tests.privacy_builders import models_pointing_to_person, rich_customer

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ASKED_AT = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
AT = NOW.isoformat()


@pytest.fixture
def lea(cast: Cast) -> Person:
    """A small customer built at a fixed time: an email, a question, a consent, a note."""
    with time_machine.travel(NOW, tick=False):
        person = person_resolve(
            identifiers=[IdentifierIn("email", "Lea.Moreau@example.org")],
            profile=Profile(given_name="Léa", family_name="Moreau", city="Lyon"),
        ).person
        interaction_ingest(
            data=InteractionIn(
                source="support",
                external_id="t-7",
                identifiers=[IdentifierIn("email", "lea.moreau@example.org")],
                kind="question",
                channel="email",
                department_slug="service-client",
                occurred_at=ASKED_AT,
                summary="Where is my order?",
                payload={"ticket": 7},
            )
        )
        consent_record(person=person, purpose="sms_marketing", state="denied", source="shop")
        with transaction.atomic():
            activity_append(
                ActivityDraft(
                    verb="portal.signed_in",
                    person_id=person.pk,
                    channel="web",
                    visibility=Visibility.CUSTOMER,
                )
            )
        post = person_post_create(person=person, author=cast.agent, body="Internal: VIP, be kind")
        person_comment_create(post=post, author=cast.colleague, body="Agreed")
    person.refresh_from_db()
    return person


def test_the_customer_export_holds_their_data_and_interactions_only(lea: Person) -> None:
    with time_machine.travel(NOW, tick=False), override("en"):
        data = person_export_data(person=lea, audience="customer")

    department = Activity.objects.get(verb="interaction.question").department
    assert department is not None
    interaction_id = Activity.objects.get(verb="interaction.question").pk
    signed_in_id = Activity.objects.get(verb="portal.signed_in").pk
    assert data == {
        "format": "socius.person-export.v1",
        "audience": "customer",
        "generated_at": AT,
        "person": {
            "id": lea.pk,
            "given_name": "Léa",
            "family_name": "Moreau",
            "birth_date": None,
            "address": "",
            "postcode": "",
            "city": "Lyon",
            "locale": "",
            "created_at": AT,
            "updated_at": AT,
            "last_own_contact_at": ASKED_AT.isoformat(),
            "merged_into_id": None,
            "erased_at": None,
        },
        "merged_records": [],
        "identifiers": [
            {
                "record_id": lea.pk,
                "kind": "email",
                "value": "lea.moreau@example.org",
                "as_given": "Lea.Moreau@example.org",
                "source": "",
                "shared": False,
                "first_seen_at": AT,
                "last_seen_at": AT,
            }
        ],
        "consents": {
            "current": {"sms_marketing": "denied"},
            "ledger": [
                {
                    "record_id": lea.pk,
                    "purpose": "sms_marketing",
                    "state": "denied",
                    "source": "shop",
                    "evidence": "",
                    "occurred_at": AT,
                    "recorded_at": AT,
                }
            ],
        },
        "relations": [],
        "interactions": [
            {
                "record_id": lea.pk,
                "source": "support",
                "external_id": "t-7",
                "resolution": "attached",
                "activity_id": interaction_id,
                "created_at": AT,
            }
        ],
        "resolution_decisions": [
            {
                "record_id": lea.pk,
                "outcome": "created",
                "reason": "No known identifier: a new person.",
                "source": "",
                "created_at": AT,
            },
            {
                "record_id": lea.pk,
                "outcome": "attached",
                "reason": "Known identifier and a consistent profile.",
                "source": "support",
                "created_at": AT,
            },
        ],
        "timeline": [
            {
                "id": interaction_id,
                "record_id": lea.pk,
                "verb": "interaction.question",
                "label": "interaction.question",
                "occurred_at": ASKED_AT.isoformat(),
                "channel": "email",
                "department": department.name,
                "summary": "Where is my order?",
                "payload": {
                    "source": "support",
                    "external_id": "t-7",
                    "kind": "question",
                    "data": {"ticket": 7},
                },
            },
            {
                "id": signed_in_id,
                "record_id": lea.pk,
                "verb": "portal.signed_in",
                "label": "Signed in to the customer portal",
                "occurred_at": AT,
                "channel": "web",
                "department": None,
                "summary": "",
                "payload": {},
            },
        ],
        "merges": [],
        "privacy_requests": [],
        "erasures": [],
        "contexts": {"care_requests": [], "commerce_group_orders": []},
    }


def test_the_controller_export_adds_what_employees_recorded(cast: Cast, lea: Person) -> None:
    data = person_export_data(person=lea, audience="controller")

    assert [post["body"] for post in data["internal_discussion"]] == ["Internal: VIP, be kind"]
    assert data["internal_discussion"][0]["author"] == "Alice Martin"
    assert [c["body"] for c in data["internal_discussion"][0]["comments"]] == ["Agreed"]
    assert [entry["verb"] for entry in data["timeline"]] == [
        "interaction.question",
        "person.created",
        "consent.recorded",
        "portal.signed_in",
        "person.post_created",
        "person.comment_created",
    ]
    note = data["timeline"][4]
    assert (note["visibility"], note["actor"]) == (
        "internal",
        {"id": cast.agent.pk, "name": "Alice Martin"},
    )
    assert data["resolution_decisions"][0]["evidence"] == {
        "identifiers": ["email:lea.moreau@example.org"],
        "candidates": {},
    }
    assert data["employee_account"] is None
    assert data["duplicate_suggestions"] == []


def test_the_customer_export_never_holds_internal_discussion(lea: Person) -> None:
    text = json.dumps(person_export_data(person=lea, audience="customer"))

    assert "VIP" not in text
    assert "Agreed" not in text
    assert "person.post_created" not in text
    assert "internal_discussion" not in text


def test_it_exports_the_records_merged_into_the_person(cast: Cast) -> None:
    rich = rich_customer(cast)

    data = person_export_data(person=rich.person, audience="customer")

    assert [(r["id"], r["given_name"], r["merged_into_id"]) for r in data["merged_records"]] == [
        (rich.tombstone.pk, "Claire", rich.person.pk)
    ]
    assert sorted(i["value"] for i in data["identifiers"]) == [
        "+33612345678",
        "c.dupont@work.example",
        "claire.dupont@example.org",
    ]
    assert [(m["survivor_id"], m["absorbed_id"]) for m in data["merges"]] == [
        (rich.person.pk, rich.tombstone.pk)
    ]
    assert "reason" not in data["merges"][0]  # the employees' words stay internal
    assert [(r["kind"], r["other_person_id"]) for r in data["relations"]] == [
        ("friend", cast.friend.pk)
    ]
    assert [(r["kind"], r["status"]) for r in data["privacy_requests"]] == [("erasure", "pending")]


def test_registered_exporters_join_and_only_customer_safe_ones_reach_the_customer(
    lea: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exporters, "_EXPORTERS", {})
    exporters.register_person_exporter("tickets", lambda p: [{"person": p.pk}], for_customer=True)
    exporters.register_person_exporter("case_notes", lambda p: {"notes": ["internal"]})

    customer = person_export_data(person=lea, audience="customer")
    controller = person_export_data(person=lea, audience="controller")

    assert customer["contexts"] == {"tickets": [{"person": lea.pk}]}
    assert controller["contexts"] == {
        "case_notes": {"notes": ["internal"]},
        "tickets": [{"person": lea.pk}],
    }


def test_it_refuses_an_unknown_audience(lea: Person) -> None:
    with pytest.raises(InvalidInput):
        person_export_data(person=lea, audience="everyone")  # type: ignore[arg-type]


def test_an_export_is_audited_with_its_actor_and_audience(cast: Cast, lea: Person) -> None:
    person_export(person=lea, audience="controller", actor_id=cast.admin.pk)
    person_export(person=lea, audience="customer")

    entries = list(
        Activity.objects.filter(person=lea, verb="person.exported")
        .order_by("id")
        .values_list("actor_id", "visibility", "payload")
    )
    assert entries == [
        (cast.admin.pk, "internal", {"audience": "controller"}),
        (None, "customer", {"audience": "customer"}),
    ]


def test_the_export_reads_a_bounded_number_of_queries(
    lea: Person, django_assert_num_queries: Any
) -> None:
    # One query per section; the timeline, ledger and discussion are one query each
    # whatever their length (the discussion: posts, then their comments; the colleagues who
    # follow the person, and the count of notifications about them; their customer requests
    # and the colleagues' notes on them; their group orders).
    with django_assert_num_queries(19):
        person_export_data(person=lea, audience="controller")
    with django_assert_num_queries(12):
        person_export_data(person=lea, audience="customer")


def test_every_model_pointing_to_a_person_is_exported_by_someone() -> None:
    pointing = models_pointing_to_person()
    assert {"people.Identifier", "core.Activity", "accounts.User"} <= pointing
    covered = set(EXPORTED_MODELS)
    for registered in exporters.person_exporters(audience="controller"):
        covered |= set(registered.covers)
    missing = sorted(pointing - covered)
    assert missing == [], "register_person_exporter(..., covers=...) for these models"


def api(cast: Cast, *scopes: str) -> Client:
    secret = token_create(user=cast.admin, name="DPO", scopes=list(scopes)).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_api_returns_the_controller_export(cast: Cast, lea: Person) -> None:
    response = api(cast, "people:admin").get(f"/api/v1/people/{lea.pk}/export")

    assert response.status_code == 200
    body = response.json()
    assert (body["audience"], body["person"]["id"]) == ("controller", lea.pk)
    assert [post["body"] for post in body["internal_discussion"]] == ["Internal: VIP, be kind"]
    entry = Activity.objects.get(person=lea, verb="person.exported")
    assert (entry.actor_id, entry.channel) == (cast.admin.pk, "api")


def test_the_api_needs_the_admin_scope(cast: Cast, lea: Person) -> None:
    response = api(cast, "people:read", "people:write").get(f"/api/v1/people/{lea.pk}/export")

    assert response.status_code == 403
    assert not Activity.objects.filter(verb="person.exported").exists()


def test_the_api_points_a_merged_away_id_to_the_survivor(cast: Cast) -> None:
    rich = rich_customer(cast)

    response = api(cast, "people:admin").get(f"/api/v1/people/{rich.tombstone.pk}/export")

    assert response.status_code == 301
    assert response["Location"] == f"/api/v1/people/{rich.person.pk}"


def test_the_api_answers_404_for_an_unknown_person(cast: Cast) -> None:
    response = api(cast, "people:admin").get("/api/v1/people/999999/export")

    assert response.status_code == 404


def test_the_page_shows_the_export_and_links_the_json(
    cast: Cast, lea: Person, django_assert_num_queries: Any
) -> None:
    client = signed_in_client(cast.admin)
    client.get("/")  # the session and user are loaded once before counting

    # session, user, person, 19 reads of the export, the audit entry (and its savepoint)
    with django_assert_num_queries(25):
        response = client.get(f"/people/{lea.pk}/export")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/people/{lea.pk}/export.json"' in html
    assert 'data-testid="download-json"' in html
    assert "Internal: VIP, be kind" in html
    assert "lea.moreau@example.org" in html


def test_the_json_download_is_an_attachment(cast: Cast, lea: Person) -> None:
    response = signed_in_client(cast.admin).get(f"/people/{lea.pk}/export.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="socius-person-{lea.pk}.json"'
    )
    assert json.loads(response.content)["person"]["given_name"] == "Léa"


def test_the_pages_are_for_administrators_only(cast: Cast, lea: Person) -> None:
    client = signed_in_client(cast.agent)

    assert client.get(f"/people/{lea.pk}/export").status_code == 403
    assert client.get(f"/people/{lea.pk}/export.json").status_code == 403
    assert not Activity.objects.filter(verb="person.exported").exists()


def test_the_page_follows_a_merge_to_the_survivor(cast: Cast) -> None:
    rich = rich_customer(cast)

    response = signed_in_client(cast.admin).get(f"/people/{rich.tombstone.pk}/export")

    assert response.status_code == 302
    assert response["Location"] == f"/people/{rich.person.pk}/export"
