"""Concurrency: real threads, each with its own database connection, on SQLite and on
PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum

from socius.commerce.errors import SoldOut
from socius.commerce.models import (
    HOLDING_SEATS,
    GroupOrder,
    GroupState,
    Offer,
    Participant,
    Payment,
)
from socius.commerce.services import deadlines_run, group_join, group_open
from socius.commerce.tests.test_groups_support import (  # noqa: F401 - the fixture
    FakeProvider,
    party,
    provider_event,
    provider_fixture,
    published_offer,
)
from socius.conftest import Cast
from socius.core.models import Activity

pytestmark = pytest.mark.django_db(transaction=True)

GROUPS = 10
JOINS = 200
SEATS_LEFT = 10


def _workers(count: int) -> int:
    # PostgreSQL serves at most ``max_connections`` (100 by default) clients: there, as
    # behind a real server's worker pool, every request is queued at once and served by
    # 40 connections. SQLite has no such limit: one thread per request.
    return count if connection.vendor == "sqlite" else min(count, 40)


def _race(count: int, work: Callable[[int], str]) -> Counter[str]:
    """Run ``work(0..count-1)`` at once; count what each call returned."""
    workers = _workers(count)
    barrier = threading.Barrier(workers)
    pending = list(range(count))
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def serve() -> None:
        barrier.wait()
        while True:
            with lock:
                if not pending:
                    break
                n = pending.pop()
            try:
                outcome = work(n)
            except BaseException as error:  # counted, and the assertions name it
                outcome = f"error:{type(error).__name__}:{error}"
            with lock:
                outcomes[outcome] += 1
        connection.close()

    threads = [threading.Thread(target=serve) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_hundred_joins_for_the_last_ten_seats(cast: Cast, provider: FakeProvider) -> None:
    offer = published_offer(
        cast.admin, capacity=GROUPS + SEATS_LEFT, min_group_size=2, max_group_size=20, tiers=[]
    )
    groups = [
        group_open(
            offer=offer, organiser=party(f"organiser{n}@example.org"), seats=1
        ).participant.group
        for n in range(GROUPS)
    ]

    def join(n: int) -> str:
        group = groups[n % GROUPS]
        try:
            group_join(
                group=group, share_token=group.share_token, party=party(f"racer{n}@example.org"),
                seats=1, idempotency_key=f"race-{n}",
            )  # fmt: skip
        except SoldOut:
            return "sold_out"
        return "joined"

    outcomes = _race(JOINS, join)

    assert outcomes == {"joined": SEATS_LEFT, "sold_out": JOINS - SEATS_LEFT}
    offer.refresh_from_db()
    assert offer.seats_taken == offer.capacity
    holding = Participant.objects.filter(state__in=HOLDING_SEATS)
    assert holding.aggregate(seats=Sum("seats"))["seats"] == offer.capacity
    assert GroupOrder.objects.aggregate(seats=Sum("seats_held"))["seats"] == offer.capacity
    # A refused join leaves nothing behind: no participant, no payment.
    assert Participant.objects.count() == GROUPS + SEATS_LEFT
    assert Payment.objects.count() == GROUPS + SEATS_LEFT


def test_the_same_join_sent_twice_at_once_is_one_participant_and_one_payment(
    cast: Cast, provider: FakeProvider
) -> None:
    offer = published_offer(cast.admin)
    group = group_open(offer=offer, organiser=party("o@example.org"), seats=1).participant.group

    def join(_n: int) -> str:
        outcome = group_join(
            group=group, share_token=group.share_token, party=party("twice@example.org"),
            seats=2, idempotency_key="double-submit",
        )  # fmt: skip
        return "created" if outcome.created else "replayed"

    outcomes = _race(2, join)

    assert outcomes == {"created": 1, "replayed": 1}
    assert Participant.objects.filter(idempotency_key="double-submit").count() == 1
    assert GroupOrder.objects.get().seats_held == 3
    assert len({ref for ref, _amount in provider.operations("checkout")}) == 2


def test_concurrent_authorisations_tip_the_group_exactly_once(
    cast: Cast, provider: FakeProvider
) -> None:
    offer = published_offer(cast.admin, min_group_size=10, max_group_size=40, tiers=[])
    opened = group_open(offer=offer, organiser=party("o@example.org"), seats=1)
    group = opened.participant.group
    payments = [opened.payment] + [
        group_join(
            group=group, share_token=group.share_token, party=party(f"p{n}@example.org"),
            seats=1, idempotency_key=f"k{n}",
        ).payment
        for n in range(29)
    ]  # fmt: skip

    def authorise(n: int) -> str:
        provider_event(payments[n], "authorized")
        return "ok"

    assert _race(30, authorise) == {"ok": 30}
    group.refresh_from_db()
    assert (group.state, group.seats_secured) == (GroupState.TIPPED, 30)
    assert Activity.objects.filter(verb="commerce.group_tipped").count() == 1


def test_two_workers_settling_at_once_settle_once(cast: Cast, provider: FakeProvider) -> None:
    offer = published_offer(cast.admin, min_group_size=2, max_group_size=4, tiers=[])
    opened = group_open(offer=offer, organiser=party("o@example.org"), seats=2)
    group = opened.participant.group
    friend = group_join(
        group=group, share_token=group.share_token, party=party("f@example.org"), seats=2,
        idempotency_key="f",
    )  # fmt: skip
    for outcome in (opened, friend):
        provider_event(outcome.payment, "authorized")
    assert GroupOrder.objects.get().state == GroupState.FULL

    def settle(_n: int) -> str:
        return str(deadlines_run()["settled"])

    outcomes: Any = _race(4, settle)

    assert sum(int(settled) * count for settled, count in outcomes.items()) >= 1
    assert GroupOrder.objects.get().state == GroupState.COMPLETED
    assert Activity.objects.filter(verb="commerce.group_completed").count() == 1
    assert Activity.objects.filter(verb="commerce.payment_captured").count() == 2
    assert Offer.objects.get().seats_taken == 4
