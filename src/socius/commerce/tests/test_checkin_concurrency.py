from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import pytest
from django.db import connection

from socius.commerce.checkin.services import checkin
from socius.commerce.models import CheckIn, OfferKind, Ticket, TicketState
from socius.commerce.tests.factories import gate_make, offer_make, paid_participant
from socius.commerce.tickets.issue import tickets_issue

T = TypeVar("T")
GATES = 8


def _at_once(calls: list[Callable[[], T]]) -> tuple[list[T], list[BaseException]]:
    barrier = threading.Barrier(len(calls))
    results: list[T] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], T]) -> None:
        try:
            barrier.wait()
            results.append(call())
        except BaseException as error:  # collected and asserted by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_gates_scanning_the_same_ticket_at_once_admit_it_once() -> None:
    offer = offer_make(kind=OfferKind.OPEN_DATED)
    for number in range(GATES):
        gate_make(offer, slug=f"gate-{number}")
    [ticket] = tickets_issue(paid_participant(offer=offer, seats=1))

    outcomes, errors = _at_once(
        [partial(checkin, code=ticket.code, gate_slug=f"gate-{n}") for n in range(GATES)]
    )

    assert errors == []
    results = sorted(outcome.result for outcome in outcomes)
    assert results == ["already_checked_in"] * (GATES - 1) + ["ok"]
    assert CheckIn.objects.filter(result="ok").count() == 1
    assert CheckIn.objects.count() == GATES
    assert Ticket.objects.get().state == TicketState.CHECKED_IN


@pytest.mark.django_db(transaction=True)
def test_one_offline_scan_uploaded_by_two_devices_at_once_counts_once() -> None:
    offer = offer_make(kind=OfferKind.OPEN_DATED)
    gate_make(offer, slug="north")
    [ticket] = tickets_issue(paid_participant(offer=offer, seats=1))

    outcomes, errors = _at_once(
        [lambda: checkin(code=ticket.code, gate_slug="north", nonce="same-scan", offline=True)] * 4
    )

    assert errors == []
    assert [outcome.result for outcome in outcomes] == ["ok"] * 4
    assert CheckIn.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_tickets_issued_twice_at_once_are_issued_once() -> None:
    participant = paid_participant(seats=3)

    issued, errors = _at_once([lambda: tickets_issue(participant)] * 4)

    assert errors == []
    assert Ticket.objects.count() == 3
    assert all(sorted(t.pk for t in tickets) == sorted(issued[0][i].pk for i in range(3))
               for tickets in issued)  # fmt: skip
