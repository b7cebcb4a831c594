"""What commerce managers correct by hand (scope commerce:admin): refund a participant, give
a ticket a new code, and the gates of an offer (commerce:read to list them)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from socius.accounts.api_auth import TokenAuth, api_user
from socius.commerce.models import Gate, Participant, Ticket
from socius.commerce.selectors import offer_get_for
from socius.commerce.services.gates import gate_create, gate_delete, gate_get_for_offer, offer_gates
from socius.commerce.services.refunds import (
    REASON_MAX,
    TICKET_REASON_MAX,
    participant_get_for_staff,
    participant_refund,
    ticket_get_for_staff,
    ticket_reissue_for_staff,
)

READ, ADMIN = TokenAuth("commerce:read"), TokenAuth("commerce:admin")

router = Router(tags=["commerce"])


class RefundIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=REASON_MAX)


class RefundOut(Schema):
    id: int
    group: int
    state: str
    seats: int
    amount_captured_cents: int
    amount_refunded_cents: int
    tickets_revoked: int
    money_returned: bool


class ReissueIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=1, max_length=TICKET_REASON_MAX, description='e.g. "transfer", "leaked_code"'
    )


class TicketOut(Schema):
    id: str
    replaces: str | None
    participant: int
    seat: int
    state: str
    valid_from: dt.datetime
    valid_until: dt.datetime


class GateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)


class GateOut(Schema):
    id: int
    slug: str
    name: str
    offer: int
    scans: int


def _participant_out(participant: Participant, **extra: Any) -> dict[str, Any]:
    return {
        "id": participant.pk,
        "group": participant.group_id,
        "state": participant.state,
        "seats": participant.seats,
        "amount_captured_cents": participant.amount_captured_cents,
        "amount_refunded_cents": participant.amount_refunded_cents,
        **extra,
    }


def _ticket_out(ticket: Ticket, replaces: Ticket | None = None) -> dict[str, Any]:
    return {
        "id": str(ticket.tid),
        "replaces": str(replaces.tid) if replaces is not None else None,
        "participant": ticket.participant_id,
        "seat": ticket.seat_no,
        "state": ticket.state,
        "valid_from": ticket.valid_from,
        "valid_until": ticket.valid_until,
    }


def _gate_out(gate: Gate) -> dict[str, Any]:
    return {
        "id": gate.pk,
        "slug": gate.slug,
        "name": gate.name,
        "offer": gate.offer_id,
        "scans": getattr(gate, "scans", 0),
    }


@router.post("/participants/{participant_id}/refund", response=RefundOut, auth=ADMIN)
def participants_refund(request: Any, participant_id: int, data: RefundIn) -> dict[str, Any]:
    """Refund what a paid participant was charged; 409 ``refund_refused`` in any other state
    (a second request included), 409 ``group_settling`` while their group settles."""
    actor = api_user(request)
    participant = participant_get_for_staff(user=actor, pk=participant_id)
    outcome = participant_refund(actor=actor, participant=participant, reason=data.reason)
    return _participant_out(
        outcome.participant,
        tickets_revoked=outcome.tickets_revoked,
        money_returned=outcome.money_returned,
    )


@router.post("/tickets/{tid}/reissue", response={201: TicketOut}, auth=ADMIN)
def tickets_reissue(request: Any, tid: uuid.UUID, data: ReissueIn) -> Status[dict[str, Any]]:
    """A new code for the same seat (the new one is emailed); 409 ``ticket_not_reissuable``
    for a revoked or checked-in ticket."""
    actor = api_user(request)
    ticket = ticket_get_for_staff(user=actor, tid=tid)
    replacement = ticket_reissue_for_staff(actor=actor, ticket=ticket, reason=data.reason)
    return Status(201, _ticket_out(replacement, replaces=ticket))


@router.get("/offers/{offer_id}/gates", response=list[GateOut], auth=READ)
def offers_gates(request: Any, offer_id: int) -> list[dict[str, Any]]:
    offer = offer_get_for(user=api_user(request), pk=offer_id)
    return [_gate_out(gate) for gate in offer_gates(offer)]


@router.post("/offers/{offer_id}/gates", response={201: GateOut}, auth=ADMIN)
def offers_gates_create(request: Any, offer_id: int, data: GateIn) -> Status[dict[str, Any]]:
    """The slug is made from the name, numbered when taken (``entree-2``)."""
    actor = api_user(request)
    offer = offer_get_for(user=actor, pk=offer_id)
    return Status(201, _gate_out(gate_create(actor=actor, offer=offer, name=data.name)))


@router.delete("/offers/{offer_id}/gates/{slug}", response={204: None}, auth=ADMIN)
def offers_gates_delete(request: Any, offer_id: int, slug: str) -> Status[None]:
    """409 ``gate_in_use`` once a ticket was scanned there."""
    actor = api_user(request)
    offer = offer_get_for(user=actor, pk=offer_id)
    gate_delete(actor=actor, gate=gate_get_for_offer(offer=offer, slug=slug))
    return Status(204, None)
