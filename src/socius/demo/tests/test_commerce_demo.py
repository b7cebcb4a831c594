"""Group buying in the demo: the park's offers, and groups at every stage, built through the
services with the sandbox provider."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count

from socius.accounts.roles import Role
from socius.commerce.models import (
    Gate,
    GroupOrder,
    GroupState,
    Offer,
    OfferStatus,
    ParticipantState,
    Payment,
    PaymentState,
    Ticket,
)
from socius.conftest import make_employee
from socius.demo.commerce import demo_commerce_create
from socius.people.models import Relation
from socius.people.services import IdentifierIn, Profile, person_resolve

pytestmark = pytest.mark.django_db


def test_the_park_sells_with_groups_at_every_stage(settings: Any) -> None:
    settings.COMMERCE_PAYMENT_PROVIDER = "sandbox"
    manager = make_employee("directrice@example.com", "Nadia Roy", "ventes", Role.MANAGER)
    employee = make_employee("agent.accueil@example.com", "Yann Roy", "exploitation")
    helene = person_resolve(
        identifiers=[IdentifierIn("email", "helene@example.org")],
        profile=Profile(given_name="Hélène", family_name="Garnier"),
    ).person
    report = demo_commerce_create(users=[employee, manager], portal_email="helene@example.org")

    assert report.offers == 3
    assert set(Offer.objects.values_list("status", flat=True)) == {OfferStatus.PUBLISHED}
    assert Offer.objects.filter(kind="open_dated").count() == 1
    assert Offer.objects.filter(payment_mode="pay_now").count() == 1
    assert Gate.objects.count() == 3
    states = dict(
        GroupOrder.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    assert states.get(GroupState.COMPLETED) == 1
    assert states.get(GroupState.FAILED) == 1
    assert states.get(GroupState.OPEN, 0) >= 1
    assert states.get(GroupState.TIPPED, 0) >= 1
    assert report.groups == sum(states.values())

    completed = GroupOrder.objects.get(state=GroupState.COMPLETED)
    assert completed.organiser == helene
    seats = sum(completed.participants.values_list("seats", flat=True))
    assert Ticket.objects.filter(participant__group=completed).count() == seats == report.tickets
    assert set(completed.participants.values_list("state", flat=True)) == {
        ParticipantState.TICKETED
    }
    assert completed.unit_price_cents == 2900  # five seats reached the four-seat tier

    failed = GroupOrder.objects.get(state=GroupState.FAILED)
    assert not failed.participants.filter(
        state__in=(ParticipantState.AUTHORIZED, ParticipantState.RESERVED)
    ).exists()
    assert not Payment.objects.filter(
        participant__group=failed, state=PaymentState.AUTHORIZED
    ).exists()
    # Friends are linked to whoever invited them, on both timelines.
    assert Relation.objects.filter(kind="invited_by").exists()


def test_without_a_manager_it_builds_nothing() -> None:
    employee = make_employee("agent.accueil@example.com", "Yann Roy", "exploitation")
    assert demo_commerce_create(users=[employee]).groups == 0
    assert not Offer.objects.exists()
