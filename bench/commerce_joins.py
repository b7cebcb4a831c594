"""Group joins racing for the last seats: throughput and outcomes (J1, J2 of the checks).

Builds a fresh database, an offer on sale and ``--groups`` groups (each organiser holds one
seat), then two runs of ``group_join`` through the real service (person resolution,
"invited by" relation, conditional updates on the group and the offer, participant and
payment rows, activities, and the payment started at the built-in sandbox provider):

  - race: ``--joins`` joins released at once for the last ``--seats`` seats; counted are
    joins, "sold out" answers, any other error, and the seats oversold (must all be 0
    but the first two);
  - throughput: as many joins again with seats for everyone, to time joins that succeed.

Every join runs in its own thread on SQLite (one per request, as many as it takes);
PostgreSQL serves at most ``max_connections`` clients, so there all joins are queued at
once and served by ``--pg-workers`` connections, as behind a server's worker pool.
Printed last: the summary line with both figures.

    python bench/commerce_joins.py                 # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/socius_bench python bench/commerce_joins.py
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from fresh_database import fresh_database  # noqa: E402 - also puts src/ on the path


def setup(groups: int, capacity: int) -> tuple[Any, list[Any]]:
    from socius.accounts.roles import Role
    from socius.accounts.services import EmployeeIn, employee_create
    from socius.commerce.services import (
        OfferData,
        Party,
        group_open,
        offer_create,
        offer_publish,
    )
    from socius.people.services.types import IdentifierIn, Profile

    manager = employee_create(
        data=EmployeeIn(email="manager@example.com", full_name="Bench Manager",
                        department_slug="ventes", role=Role.MANAGER)
    )  # fmt: skip
    data = OfferData(title="Bench park day", capacity=capacity, base_price_cents=3000,
                     min_group_size=2, max_group_size=capacity, kind="open_dated",
                     tiers=[(5, 2700)])  # fmt: skip
    offer = offer_publish(actor=manager, offer=offer_create(actor=manager, data=data))
    opened = [
        group_open(offer=offer, seats=1, organiser=Party(
            identifiers=[IdentifierIn("email", f"organiser{n}@example.org")], profile=Profile()),
        ).participant.group
        for n in range(groups)
    ]  # fmt: skip
    return offer, opened


def run(count: int, workers: int, work: Callable[[int], str]) -> tuple[Counter[str], float]:
    from django.db import connection

    barrier = threading.Barrier(workers + 1)
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
            except Exception as error:  # counted: the figure says how many
                outcome = f"error:{type(error).__name__}"
            with lock:
                outcomes[outcome] += 1
        connection.close()

    threads = [threading.Thread(target=serve) for _ in range(workers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return outcomes, time.perf_counter() - began


def joiner(groups: list[Any], prefix: str) -> Callable[[int], str]:
    from socius.commerce.errors import SoldOut
    from socius.commerce.services import Party, group_join
    from socius.people.services.types import IdentifierIn, Profile

    def join(n: int) -> str:
        group = groups[n % len(groups)]
        party = Party(identifiers=[IdentifierIn("email", f"{prefix}{n}@example.org")],
                      profile=Profile(given_name=f"Racer{n}"))  # fmt: skip
        try:
            group_join(group=group, share_token=group.share_token, party=party, seats=1,
                       idempotency_key=f"{prefix}-{n}")  # fmt: skip
        except SoldOut:
            return "sold_out"
        return "joined"

    return join


def oversold() -> int:
    from django.db.models import Sum

    from socius.commerce.models import HOLDING_SEATS, Offer, Participant

    offer = Offer.objects.get()
    held = Participant.objects.filter(state__in=HOLDING_SEATS).aggregate(s=Sum("seats"))["s"]
    return max(offer.seats_taken - offer.capacity, 0) + abs(int(held or 0) - offer.seats_taken)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--joins", type=int, default=200)
    parser.add_argument("--seats", type=int, default=10)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--pg-workers", type=int, default=40)
    parser.add_argument("--workers", type=int, default=0, help="Threads for both databases.")
    options = parser.parse_args()

    with fresh_database():
        from django.conf import settings
        from django.db import connection

        from socius.commerce.models import Offer

        settings.COMMERCE_PAYMENT_PROVIDER = "sandbox"
        sqlite = connection.vendor == "sqlite"
        workers = options.joins if sqlite else min(options.joins, options.pg_workers)
        workers = options.workers or workers
        offer, groups = setup(options.groups, options.groups + options.seats)
        connection.close()
        print(f"database: {connection.vendor}, workers: {workers}, groups: {options.groups}")

        race, race_seconds = run(options.joins, workers, joiner(groups, "racer"))
        print(f"race: {options.joins} joins for the last {options.seats} seats in "
              f"{race_seconds:.2f} s ({options.joins / race_seconds:.0f} joins/s): "
              f"{dict(sorted(race.items()))}, oversold {oversold()}")  # fmt: skip

        Offer.objects.filter(pk=offer.pk).update(capacity=offer.capacity + options.joins)
        from socius.commerce.models import GroupOrder

        GroupOrder.objects.update(max_size=offer.capacity + options.joins)
        connection.close()
        flow, flow_seconds = run(options.joins, workers, joiner(groups, "buyer"))
        rate = options.joins / flow_seconds
        print(f"throughput: {options.joins} joins with seats for all in {flow_seconds:.2f} s "
              f"({rate:.0f} joins/s): {dict(sorted(flow.items()))}")  # fmt: skip
        errors = sum(count for outcome, count in race.items() if outcome.startswith("error"))
        print(f"summary {connection.vendor}: joined {race['joined']}, sold out "
              f"{race['sold_out']}, errors {errors}, oversold {oversold()}; "
              f"race {options.joins / race_seconds:.0f} joins/s, "
              f"successful joins {flow['joined'] / flow_seconds:.0f} joins/s")  # fmt: skip


if __name__ == "__main__":
    main()
