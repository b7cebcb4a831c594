"""A customer with something in every table that holds personal data, built through the
real services; and the canary values the erasure tests look for afterwards."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection

from socius.conftest import Cast
from socius.people.models import Person, PersonPost, PrivacyRequest
from socius.people.services import IdentifierIn, InteractionIn, Profile, person_resolve
from socius.people.services.consent import consent_record
from socius.people.services.discussion import person_comment_create, person_post_create
from socius.people.services.interactions import interaction_ingest
from socius.people.services.merge import person_merge
from socius.people.services.privacy import person_rectify, privacy_request_create
from socius.people.services.relations import relation_add
from socius.portal.services import portal_link_request

PURCHASED_AT = dt.datetime(2026, 2, 10, 18, 30, tzinfo=dt.UTC)

# Every value below belongs to the customer only: after an erasure, none may remain.
CANARIES = (
    "claire",
    "dupont",
    "claire.dupont@example.org",
    "+33612345678",
    "06 12 34 56 78",
    "c.dupont@work.example",
    "1985-04-12",
    "rue des lilas",
    "villeurbanne",
    "two tickets for the night of lights",
    "canary-seat-a12",
    "canary-evidence-55",
    "canary-post-31",
    "canary-comment-77",
    "canary-msg-9",
    "203.0.113.9",
)


@dataclass
class RichCustomer:
    person: Person
    tombstone: Person
    post: PersonPost
    request: PrivacyRequest


def rich_customer(cast: Cast) -> RichCustomer:
    person = cast.customer
    person_rectify(
        person=person,
        actor=cast.agent,
        changes={
            "birth_date": "1985-04-12",
            "address": "12 rue des Lilas",
            "postcode": "69100",
            "city": "Villeurbanne",
            "locale": "fr",
        },
    )
    interaction_ingest(
        data=InteractionIn(
            source="shop",
            external_id="o-1001",
            identifiers=[IdentifierIn("email", "claire.dupont@example.org")],
            kind="purchase",
            channel="web",
            department_slug="service-client",
            occurred_at=PURCHASED_AT,
            summary="Two tickets for the Night of Lights",
            payload={"seat": "canary-seat-A12", "amount": 84},
        )
    )
    consent_record(
        person=person,
        purpose="email_marketing",
        state="granted",
        source="portal",
        evidence="ticked box canary-evidence-55",
    )
    post = person_post_create(
        person=person, author=cast.agent, body="Prefers calls after 6pm canary-post-31"
    )
    person_comment_create(post=post, author=cast.colleague, body="Noted canary-comment-77")
    relation_add(person=person, other=cast.friend, kind="friend", actor=cast.agent)
    second = person_resolve(
        identifiers=[IdentifierIn("email", "c.dupont@work.example")],
        profile=Profile(given_name="Claire", family_name="Dupont", city="Villeurbanne"),
    ).person
    person_merge(survivor=person, absorbed=second, reason="Same person", actor_id=cast.admin.pk)
    request = privacy_request_create(person=person, message="Please forget me canary-msg-9")
    portal_link_request(email="claire.dupont@example.org", address="203.0.113.9")
    person.refresh_from_db()
    second.refresh_from_db()
    return RichCustomer(person=person, tombstone=second, post=post, request=request)


def database_text() -> dict[str, str]:
    """Every table's rows as lower-case text, by table name."""
    dump: dict[str, str] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = cursor.fetchall()
            dump[table] = json.dumps([[str(value) for value in row] for row in rows]).lower()
    return dump


def canaries_left(values: tuple[str, ...] = CANARIES) -> dict[str, list[str]]:
    """Where each canary still appears: {canary: [tables]} (empty when all are gone)."""
    dump = database_text()
    found: dict[str, list[str]] = {}
    for canary in values:
        tables = [table for table, text in dump.items() if canary.lower() in text]
        if tables:
            found[canary] = tables
    return found


def models_pointing_to_person() -> set[str]:
    """Every model with a foreign key (or one-to-one) to a person, found by introspection."""
    from django.apps import apps

    return {
        model._meta.label
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is Person
    }


def read_log(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
