"""Group orders in a person's export and erasure."""

from __future__ import annotations

import pytest

from socius.commerce.models import Payment
from socius.commerce.privacy import group_orders_erase, group_orders_export
from socius.commerce.tests.factories import paid_participant
from socius.commerce.tickets.issue import tickets_issue

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_orders_payments_and_tickets_but_never_a_ticket_code() -> None:
    participant = paid_participant(seats=2)
    Payment.objects.create(
        participant=participant,
        provider="sandbox",
        provider_ref="sbx_export",
        amount_cents=6000,
        captured_cents=6000,
        state="captured",
        idempotency_key="export-1",
    )
    tickets = tickets_issue(participant)

    (order,) = group_orders_export(participant.person)

    assert order["group_order"] == participant.group_id
    assert order["seats"] == 2
    assert [payment["captured_cents"] for payment in order["payments"]] == [6000]
    assert sorted(ticket["ticket"] for ticket in order["tickets"]) == sorted(
        str(ticket.tid) for ticket in tickets
    )
    assert all(ticket.code not in str(order) for ticket in tickets)


def test_erasure_removes_the_title_the_organiser_wrote_and_keeps_the_accounts() -> None:
    participant = paid_participant()
    group = participant.group
    group.title = "Anniversaire de Léa Martin"
    group.save(update_fields=["title"])

    changed = group_orders_erase(participant.person)

    group.refresh_from_db()
    participant.refresh_from_db()
    assert (changed, group.title) == (1, "")
    assert participant.amount_captured_cents > 0  # an accounting record stays
