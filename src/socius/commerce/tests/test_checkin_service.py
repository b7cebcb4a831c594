from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import time_machine

from socius.commerce.checkin.services import GateNotFound, checkin
from socius.commerce.models import CheckIn, OfferKind, ParticipantState, Ticket, TicketState
from socius.commerce.tests.factories import gate_make, offer_make, paid_participant
from socius.commerce.tickets.codes import encode
from socius.commerce.tickets.issue import ticket_reissue, tickets_issue, tickets_revoke
from socius.core.models import Activity

pytestmark = pytest.mark.django_db
EVENT_DAY = dt.date(2026, 7, 14)
DURING = dt.datetime(2026, 7, 14, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def ticket() -> Ticket:
    offer = offer_make(event_date=EVENT_DAY)
    gate_make(offer, slug="north")
    return tickets_issue(paid_participant(offer=offer, seats=1))[0]


@time_machine.travel(DURING, tick=False)
def test_a_valid_ticket_is_let_in_once(ticket: Ticket, cast: Any) -> None:
    first = checkin(code=ticket.code, gate_slug="north", user=cast.outsider)
    second = checkin(code=ticket.code, gate_slug="north", user=cast.outsider)
    assert (first.result, first.seat, first.holder_name) == ("ok", 1, "Léa Martin")
    assert second.result == "already_checked_in"
    ticket.refresh_from_db()
    assert (ticket.state, ticket.checked_in_at, ticket.checked_in_gate) == (
        TicketState.CHECKED_IN, DURING, "north",
    )  # fmt: skip
    assert list(CheckIn.objects.order_by("pk").values_list("result", flat=True)) == [
        "ok", "already_checked_in",
    ]  # fmt: skip
    activity = Activity.objects.get(verb="commerce.ticket_checked_in")
    assert (activity.person_id, activity.actor_id) == (ticket.holder_id, cast.outsider.pk)


@time_machine.travel(DURING, tick=False)
def test_every_refusal_has_its_answer(ticket: Ticket) -> None:
    other_offer = offer_make(event_date=EVENT_DAY)
    gate_make(other_offer, slug="elsewhere")
    assert checkin(code=ticket.code, gate_slug="elsewhere").result == "wrong_event"
    altered = ticket.code[:10] + ("B" if ticket.code[10] != "B" else "C") + ticket.code[11:]
    assert checkin(code=altered, gate_slug="north").result == "invalid_signature"
    assert checkin(code="not a ticket", gate_slug="north").result == "invalid_signature"
    # authentic signature, but a ticket id we never issued
    forged, _ = encode(
        tid=uuid.uuid4(), oid=ticket.offer_id, nbf=ticket.valid_from, exp=ticket.valid_until
    )
    assert checkin(code=forged, gate_slug="north").result == "invalid_signature"
    ticket.participant.__class__.objects.filter(pk=ticket.participant_id).update(
        state=ParticipantState.AUTHORIZED
    )
    assert checkin(code=ticket.code, gate_slug="north").result == "unpaid"
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.ISSUED
    assert CheckIn.objects.filter(result="ok").count() == 0


def test_a_ticket_outside_its_day_is_refused(ticket: Ticket) -> None:
    with time_machine.travel(dt.datetime(2026, 7, 13, 21, 59, tzinfo=dt.UTC), tick=False):
        assert checkin(code=ticket.code, gate_slug="north").result == "not_yet_valid"
    with time_machine.travel(dt.datetime(2026, 7, 14, 22, 0, tzinfo=dt.UTC), tick=False):
        assert checkin(code=ticket.code, gate_slug="north").result == "expired"
    with time_machine.travel(dt.datetime(2026, 7, 13, 22, 0, tzinfo=dt.UTC), tick=False):
        assert checkin(code=ticket.code, gate_slug="north").result == "ok"  # midnight in Paris


@time_machine.travel(DURING, tick=False)
def test_a_refunded_or_reissued_code_is_refused(ticket: Ticket) -> None:
    new = ticket_reissue(ticket, "transfer")
    assert checkin(code=ticket.code, gate_slug="north").result == "revoked"
    tickets_revoke(new.participant, "refund")
    assert checkin(code=new.code, gate_slug="north").result == "revoked"


@time_machine.travel(DURING, tick=False)
def test_an_open_dated_ticket_checks_in_within_its_days() -> None:
    offer = offer_make(kind=OfferKind.OPEN_DATED, validity_days=30)
    gate_make(offer, slug="south")
    [ticket] = tickets_issue(paid_participant(offer=offer, seats=1))
    assert checkin(code=ticket.code, gate_slug="south").result == "ok"


@time_machine.travel(DURING, tick=False)
def test_a_scan_uploaded_twice_counts_once(ticket: Ticket) -> None:
    scanned = DURING - dt.timedelta(minutes=5)
    first = checkin(
        code=ticket.code, gate_slug="north", nonce="n-1", scanned_at=scanned, offline=True
    )
    again = checkin(
        code=ticket.code, gate_slug="north", nonce="n-1", scanned_at=scanned, offline=True
    )
    assert (first.result, again.result, again.replayed) == ("ok", "ok", True)
    assert CheckIn.objects.count() == 1
    row = CheckIn.objects.get()
    assert (row.offline, row.scanned_at, row.nonce) == (True, scanned, "n-1")


@time_machine.travel(DURING, tick=False)
def test_an_offline_scan_is_never_dated_in_the_future(ticket: Ticket) -> None:
    checkin(code=ticket.code, gate_slug="north", scanned_at=DURING + dt.timedelta(days=3))
    assert CheckIn.objects.get().scanned_at == DURING


def test_an_unknown_gate_is_not_found(ticket: Ticket) -> None:
    with pytest.raises(GateNotFound):
        checkin(code=ticket.code, gate_slug="nowhere")
    assert not CheckIn.objects.exists()


@time_machine.travel(DURING, tick=False)
def test_a_scan_time_without_zone_is_read_as_utc(ticket: Ticket) -> None:
    checkin(code=ticket.code, gate_slug="north", scanned_at=dt.datetime(2026, 7, 14, 9, 0))  # noqa: DTZ001 - on purpose
    assert CheckIn.objects.get().scanned_at == dt.datetime(2026, 7, 14, 9, 0, tzinfo=dt.UTC)
