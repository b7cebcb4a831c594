"""Group buying's part in a person's export and erasure.

The customer's download holds their group orders, what they paid and their tickets (ids,
states, check-in times; never the signed codes, which would let anyone holding the export in.
Erasure keeps orders, payments and tickets as the accounting records the law asks a merchant
to keep (ten years in France, Code de commerce L123-22): the person they point to is
pseudonymized by the person hub, and the only words a customer wrote here, a group's title,
are removed.
"""

from __future__ import annotations

from typing import Any

from socius.commerce.models import GroupOrder, Participant
from socius.people.exporters import register_person_eraser, register_person_exporter
from socius.people.models import Person


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _participation(participant: Participant) -> dict[str, Any]:
    group = participant.group
    return {
        "group_order": group.pk,
        "offer": group.offer.title,
        "organiser": participant.is_organiser,
        "group_state": group.state,
        "state": participant.state,
        "seats": participant.seats,
        "joined_at": _iso(participant.joined_at),
        "amount_authorized_cents": participant.amount_authorized_cents,
        "amount_captured_cents": participant.amount_captured_cents,
        "amount_refunded_cents": participant.amount_refunded_cents,
        "payments": [
            {
                "provider": payment.provider,
                "state": payment.state,
                "amount_cents": payment.amount_cents,
                "captured_cents": payment.captured_cents,
                "refunded_cents": payment.refunded_cents,
                "created_at": _iso(payment.created_at),
            }
            for payment in participant.payments.all()
        ],
        "tickets": [
            {
                "ticket": str(ticket.tid),
                "seat": ticket.seat_no,
                "state": ticket.state,
                "valid_from": _iso(ticket.valid_from),
                "valid_until": _iso(ticket.valid_until),
                "checked_in_at": _iso(ticket.checked_in_at),
            }
            for ticket in participant.tickets.all()
        ],
    }


def group_orders_export(person: Person) -> list[dict[str, Any]]:
    participants = (
        Participant.objects.filter(person=person)
        .select_related("group__offer")
        .prefetch_related("payments", "tickets")
        .order_by("joined_at", "pk")
    )
    return [_participation(participant) for participant in participants]


def group_orders_erase(person: Person) -> int:
    return GroupOrder.objects.filter(organiser=person).exclude(title="").update(title="")


def register_commerce_privacy() -> None:
    covers = ("commerce.GroupOrder", "commerce.Participant", "commerce.Ticket")
    register_person_exporter(
        "commerce_group_orders", group_orders_export, for_customer=True, covers=covers
    )
    register_person_eraser("commerce_group_orders", group_orders_erase, covers=covers)
