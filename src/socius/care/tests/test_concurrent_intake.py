"""Fifty deliveries at the same instant from one new customer: one person per identity, one
case per person, every message stored exactly once. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from socius.accounts.roles import Role
from socius.care.models import Case, Message, Priority, RoutingRule, SlaPolicy
from socius.care.services.agents import agent_availability_set
from socius.care.services.intake import Inbound, message_receive
from socius.care.tests.test_messenger import (
    API_URL,
    APP_SECRET,
    PAGE_TOKEN,
    PSID,
    VERIFY_TOKEN,
    delivery,
    signed_post,
    text_event,
)
from socius.conftest import make_employee
from socius.core.models import Activity
from socius.people.models import Identifier, Person
from socius.people.services.types import IdentifierIn

EMAIL = "lea.fontaine@example.org"
MESSENGER_MIDS = [f"m_rush{n}" for n in range(20)]
# Meta delivers an event again when our answer is slow: five of the mids come twice.
MESSENGER_DELIVERIES = MESSENGER_MIDS + MESSENGER_MIDS[:5]
EMAIL_IDS = [f"<rush{n}@mail.example.org>" for n in range(13)]
# A mail server retrying after a lost acknowledgement: two Message-IDs come twice.
EMAIL_DELIVERIES = EMAIL_IDS + EMAIL_IDS[:2]
API_IDS = [f"shop-{n}" for n in range(10)]


@pytest.fixture(autouse=True)
def _messenger_configured(settings: Any) -> None:
    settings.CARE_MESSENGER_APP_SECRET = APP_SECRET
    settings.CARE_MESSENGER_VERIFY_TOKEN = VERIFY_TOKEN
    settings.CARE_MESSENGER_PAGE_TOKEN = PAGE_TOKEN
    settings.CARE_MESSENGER_API_URL = API_URL


@pytest.fixture
def routed_to_two_agents() -> list[int]:
    """Every new case goes to customer service, under a service level, to the available
    agent who waited longest: the rush also races for agents and tags."""
    agents = [
        make_employee(f"agent{n}@example.com", f"Agent {n}", "service-client", Role.AGENT)
        for n in range(2)
    ]
    for agent in agents:
        agent_availability_set(actor=agent, available=True, max_open_cases=5)
    department_id = agents[0].department_id
    RoutingRule.objects.create(
        name="Tout au service client", set_department_id=department_id, add_tags="rush,nouveau"
    )
    SlaPolicy.objects.create(
        department_id=department_id,
        priority=Priority.NORMAL,
        first_response_minutes=60,
        resolution_minutes=480,
    )
    return [agent.pk for agent in agents]


def webhook(mid: str) -> Callable[[], None]:
    def post() -> None:
        response = signed_post(Client(), delivery(text_event(mid, f"Message {mid}")))
        assert response.status_code == 200, response.status_code

    return post


def email(message_id: str) -> Callable[[], None]:
    def receive() -> None:
        message_receive(
            Inbound(
                channel="email",
                identifiers=(IdentifierIn("email", EMAIL),),
                address=EMAIL,
                subject="Commande 4521",
                body=f"Message {message_id}",
                external_id=message_id,
                email_message_id=message_id,
            )
        )

    return receive


def api_message(external_id: str) -> Callable[[], None]:
    def receive() -> None:
        message_receive(
            Inbound(
                channel="api",
                identifiers=(IdentifierIn("email", EMAIL),),
                body=f"Message {external_id}",
                external_id=external_id,
            )
        )

    return receive


def run_at_once(deliveries: list[Callable[[], None]]) -> list[BaseException]:
    barrier = threading.Barrier(len(deliveries))
    errors: list[BaseException] = []

    def run(deliver: Callable[[], None]) -> None:
        try:
            barrier.wait()
            deliver()
        except BaseException as error:  # collected and asserted by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(d,)) for d in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_fifty_deliveries_from_a_new_customer_make_one_case_per_person_and_lose_nothing(
    routed_to_two_agents: list[int],
) -> None:
    deliveries = (
        [webhook(mid) for mid in MESSENGER_DELIVERIES]
        + [email(message_id) for message_id in EMAIL_DELIVERIES]
        + [api_message(external_id) for external_id in API_IDS]
    )
    assert len(deliveries) == 50
    persons_before, identifiers_before = Person.objects.count(), Identifier.objects.count()

    errors = run_at_once(deliveries)

    assert errors == []
    # Messenger knows the customer by their page-scoped id only, email and the API by their
    # address: two identities, each one person.
    by_psid = Identifier.objects.get(kind="external", value=f"care.messenger:{PSID}")
    by_email = Identifier.objects.get(kind="email", value=EMAIL)
    assert by_psid.person_id != by_email.person_id
    assert Person.objects.count() == persons_before + 2
    assert Identifier.objects.count() == identifiers_before + 2

    messenger_case = Case.objects.get(person_id=by_psid.person_id)
    email_case = Case.objects.get(person_id=by_email.person_id)
    assert Case.objects.count() == 2
    assert sorted(messenger_case.messages.values_list("external_id", flat=True)) == sorted(
        MESSENGER_MIDS
    )
    assert sorted(email_case.messages.values_list("channel", "external_id")) == sorted(
        [("email", i) for i in EMAIL_IDS] + [("api", i) for i in API_IDS]
    )
    assert Message.objects.count() == 20 + 13 + 10
    assert (messenger_case.message_count, email_case.message_count) == (20, 23)
    assert Activity.objects.filter(verb="care.case_opened").count() == 2
    # Each case went to its own agent: two openings never claim the same one.
    assert sorted([messenger_case.assignee_id, email_case.assignee_id]) == routed_to_two_agents
    for case in (messenger_case, email_case):
        assert case.department_id is not None
        assert case.next_due_at is not None
        assert sorted(case.tags.values_list("name", flat=True)) == ["nouveau", "rush"]
    assert Activity.objects.filter(verb="care.message_received").count() == 43
