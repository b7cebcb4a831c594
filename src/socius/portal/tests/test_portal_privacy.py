from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib import messages
from django.db import transaction
from django.test import Client

from socius.conftest import Cast, signed_in_client
from socius.core.models import Activity, Visibility
from socius.core.services import ActivityDraft, activity_append
from socius.people.models import Person, PrivacyRequest
from socius.people.services import IdentifierIn, InteractionIn
from socius.people.services.consent import consent_record
from socius.people.services.discussion import person_comment_create, person_post_create
from socius.people.services.interactions import interaction_ingest
from socius.people.services.privacy import privacy_request_create, privacy_request_refuse
from socius.portal.access import SESSION_KEY

pytestmark = pytest.mark.django_db

INTERNAL_NOTE = "Internal-only: difficult customer, canary-note-4242"
INTERNAL_REPLY = "Internal reply canary-reply-5151"
INTERNAL_ENTRY = "Agent memo canary-memo-6161"


@pytest.fixture(autouse=True)
def erasure_log(settings: Any, tmp_path: Any) -> None:
    settings.ERASURE_LOG_PATH = tmp_path / "erasures.jsonl"


def portal_client(person: Person) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = person.pk
    session.save()
    return client


@pytest.fixture
def customer(cast: Cast) -> Person:
    """The customer with their own data, and internal material about them."""
    person = cast.customer
    interaction_ingest(
        data=InteractionIn(
            source="shop",
            external_id="o-1",
            identifiers=[IdentifierIn("email", "claire.dupont@example.org")],
            kind="purchase",
            summary="Two tickets",
        )
    )
    consent_record(person=person, purpose="email_marketing", state="granted", source="portal")
    with transaction.atomic():
        activity_append(
            ActivityDraft(
                verb="care.reply_sent",
                person_id=person.pk,
                visibility=Visibility.CUSTOMER,
                summary="We answered your question",
            )
        )
        activity_append(
            ActivityDraft(verb="care.note", person_id=person.pk, summary=INTERNAL_ENTRY)
        )
    post = person_post_create(person=person, author=cast.agent, body=INTERNAL_NOTE)
    person_comment_create(post=post, author=cast.colleague, body=INTERNAL_REPLY)
    return person


def assert_nothing_internal(text: str) -> None:
    for internal in (INTERNAL_NOTE, INTERNAL_REPLY, INTERNAL_ENTRY, "canary-"):
        assert internal not in text


def test_the_customer_sees_what_is_held_and_nothing_internal(
    customer: Person, django_assert_num_queries: Any
) -> None:
    client = portal_client(customer)
    client.get("/portal/")

    # session, person, identifiers, consents, timeline, pending request
    with django_assert_num_queries(6):
        response = client.get("/portal/my-data")

    assert response.status_code == 200
    html = response.content.decode()
    assert "claire.dupont@example.org" in html
    assert "+33612345678" in html
    assert "We answered your question" in html
    assert [entry.verb for entry in response.context["timeline"]] == ["care.reply_sent"]
    assert [c["state"] for c in response.context["consents"]] == ["granted"]
    assert 'href="/portal/my-data/export"' in html
    assert 'data-testid="erasure-request-form"' in html
    assert_nothing_internal(html)


def test_the_download_is_the_customer_export_without_internal_material(
    customer: Person,
) -> None:
    response = portal_client(customer).get("/portal/my-data/export")

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="socius-person-{customer.pk}.json"'
    )
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert_nothing_internal(text)
    data = json.loads(text)
    assert data["audience"] == "customer"
    assert "internal_discussion" not in data
    assert [entry["verb"] for entry in data["timeline"]] == [
        "interaction.purchase",
        "care.reply_sent",
    ]
    audit = Activity.objects.get(verb="person.exported")
    assert (audit.person_id, audit.actor_id, audit.visibility) == (customer.pk, None, "customer")


def test_the_customer_asks_for_erasure_once(customer: Person) -> None:
    client = portal_client(customer)

    first = client.post("/portal/my-data/erase", {"message": "Please forget me"})
    second = client.post("/portal/my-data/erase", {"message": "Again"})
    page = client.get("/portal/my-data")

    assert (first.status_code, first["Location"]) == (302, "/portal/my-data")
    assert second.status_code == 302
    request = PrivacyRequest.objects.get()
    assert (request.person_id, request.kind, request.status, request.message) == (
        customer.pk,
        "erasure",
        "pending",
        "Please forget me",
    )
    html = page.content.decode()
    assert 'data-testid="erasure-pending"' in html
    assert 'data-testid="erasure-request-form"' not in html
    assert [m.level for m in page.context["messages"]] == [messages.SUCCESS, messages.INFO]


def test_a_too_long_message_is_refused_and_nothing_is_asked(customer: Person) -> None:
    response = portal_client(customer).post("/portal/my-data/erase", {"message": "x" * 2001})

    assert response.status_code == 302
    assert PrivacyRequest.objects.count() == 0


def test_a_refusal_reason_reaches_the_customer(cast: Cast, customer: Person) -> None:
    request = privacy_request_create(person=customer)
    privacy_request_refuse(request=request, actor=cast.admin, reason="Your order is still open.")

    html = portal_client(customer).get("/portal/my-data").content.decode()

    assert "Your order is still open." in html
    assert 'data-testid="erasure-request-form"' in html  # they may ask again


def test_once_carried_out_the_customer_is_signed_out_for_good(cast: Cast, customer: Person) -> None:
    client = portal_client(customer)
    client.post("/portal/my-data/erase", {"message": ""})
    request = PrivacyRequest.objects.get()

    signed_in_client(cast.admin).post(f"/people/privacy-requests/{request.pk}/carry-out")

    assert Person.objects.get(pk=customer.pk).erased_at is not None
    response = client.get("/portal/my-data")
    assert (response.status_code, response["Location"]) == (302, "/portal/sign-in")
    assert client.get("/portal/my-data/export").status_code == 302


def test_the_pages_need_a_signed_in_customer(cast: Cast) -> None:
    anonymous = Client()

    assert anonymous.get("/portal/my-data/export")["Location"] == "/portal/sign-in"
    assert anonymous.post("/portal/my-data/erase", {"message": ""}).status_code == 302
    employee = signed_in_client(cast.agent)
    assert employee.post("/portal/my-data/erase", {"message": ""}).status_code == 302
    assert PrivacyRequest.objects.count() == 0
    assert not Activity.objects.filter(verb="person.exported").exists()


def test_the_erasure_request_needs_a_post(customer: Person) -> None:
    response = portal_client(customer).get("/portal/my-data/erase")

    assert response.status_code == 405
    assert PrivacyRequest.objects.count() == 0
