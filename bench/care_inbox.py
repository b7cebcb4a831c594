"""Inbox benchmark: the agents' inbox p95 with 1,000 cases, then with 100,000, in one run.

Creates departments, agents and customers in a fresh database, then 1,000 cases in bulk, of
which 300 are active (new, open or waiting: the load of a team of twenty agents), spread
over departments and agents, some unassigned, some near their service-level target; then
grows the history to 100,000 with closed cases (the active ones stay the same: a team does
not carry more open cases because it has served more customers). It renders
``/care/?view=<view>`` through Django's test client (the whole stack: middleware,
selectors, template) for every view of the inbox, for several agents, alternating views.
Printed: queries per page at each size, p50/p95 at each size, and last the ratio
p95 at 100k / p95 at 1k (the target is at most 1.5x).

    python bench/care_inbox.py                            # SQLite
    python bench/care_inbox.py --cases 20000 --repeat 5   # a quick run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/socius_bench python bench/care_inbox.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from typing import Any

from fresh_database import fresh_database  # noqa: E402 - also puts src/ on the path

DEPARTMENTS = ["service-client", "ventes", "boutique", "billetterie", "exploitation"]
VIEWS = ["mine", "department", "unassigned", "breaching", "all"]
ACTIVE = 300
AGENTS_PER_DEPARTMENT = 4
SMALL = 1_000


def staff() -> tuple[list[int], dict[int, list[Any]]]:
    from socius.accounts.roles import Role
    from socius.accounts.services import EmployeeIn, department_ensure, employee_create

    departments = [department_ensure(slug=slug).pk for slug in DEPARTMENTS]
    agents: dict[int, list[Any]] = {}
    for slug, department_id in zip(DEPARTMENTS, departments, strict=True):
        agents[department_id] = [
            employee_create(data=EmployeeIn(email=f"{slug}.{n}@example.com",
                                            full_name=f"Agent {slug} {n}",
                                            department_slug=slug, role=Role.AGENT))
            for n in range(AGENTS_PER_DEPARTMENT)
        ]  # fmt: skip
    return departments, agents


def persons(count: int) -> list[int]:
    from socius.people.models import Person

    rows = Person.objects.bulk_create(
        [Person(given_name=f"Client{n}", family_name="Bench", search_name=f"client{n} bench")
         for n in range(count)], batch_size=2000,
    )  # fmt: skip
    return [row.pk for row in rows]


def cases(
    count: int,
    start: int,
    person_ids: list[int],
    departments: list[int],
    agents: dict[int, list[Any]],
    active_count: int = 0,
) -> None:
    """``count`` cases numbered from ``start``, the first ``active_count`` of them active."""
    from django.db import transaction
    from django.utils import timezone

    from socius.care.models import Case, Priority, Status, Tag

    rng = random.Random(start)
    now = timezone.now()
    tags = [Tag.objects.get_or_create(name=name)[0] for name in ("vip", "groupe", "remboursement")]
    rows = []
    for n in range(start, start + count):
        department = departments[n % len(departments)]
        active = n - start < active_count
        when = now - dt.timedelta(minutes=rng.randint(1, 60 * 24 * (3 if active else 700)))
        status = rng.choice([Status.NEW, Status.OPEN, Status.WAITING]) if active else Status.CLOSED
        assignee = None if active and rng.random() < 0.2 else rng.choice(agents[department])
        due = when + dt.timedelta(hours=rng.randint(1, 30)) if active else None
        rows.append(Case(person_id=person_ids[n % len(person_ids)], subject=f"Demande {n}",
                         channel="email", status=status, priority=rng.choice(Priority.values),
                         department_id=department, assignee=assignee, updated_at=when,
                         last_message_at=when, next_due_at=due, message_count=2))  # fmt: skip
    with transaction.atomic():
        created = Case.objects.bulk_create(rows, batch_size=2000)
        through = Case.tags.through
        through.objects.bulk_create(
            [through(case_id=case.pk, tag_id=tags[case.pk % 3].pk)
             for case in created if case.pk % 4 == 0], batch_size=5000,
        )  # fmt: skip


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def queries_per_view(client: Any) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for view in VIEWS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/care/?view={view}")
        if response.status_code != 200:
            raise SystemExit(f"/care/?view={view} answered {response.status_code}")
        counts[view] = len(queries)
    return counts


def timings(clients: list[Any], repeat: int) -> list[float]:
    """Every view for every agent, alternating, ``repeat`` times."""
    seconds = []
    for _ in range(repeat):
        for client in clients:
            for view in VIEWS:
                began = time.perf_counter()
                client.get(f"/care/?view={view}")
                seconds.append(time.perf_counter() - began)
    return seconds


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=8)
    options = parser.parse_args()

    with fresh_database():
        from django.db import connection
        from django.test import Client

        departments, agents = staff()
        person_ids = persons(20_000)
        clients = []
        for department_id in departments[:3]:
            client = Client()
            client.force_login(agents[department_id][0])
            clients.append(client)
        results = {}
        made = 0
        for size in (SMALL, options.cases):
            began = time.perf_counter()
            cases(size - made, made, person_ids, departments, agents, ACTIVE if not made else 0)
            made = size
            analyze()
            print(f"{size:>7,} cases built in {time.perf_counter() - began:.1f} s")
            counts = queries_per_view(clients[0])
            timings(clients, 1)  # warm up
            values = timings(clients, options.repeat)
            results[size] = values
            print(f"{size:>7,} cases: p50 {statistics.median(values) * 1000:.1f} ms, "
                  f"p95 {p95(values) * 1000:.1f} ms over {len(values)} pages; "
                  f"queries per view {counts}")  # fmt: skip
        print(f"database: {connection.vendor}")
        ratio = p95(results[options.cases]) / p95(results[SMALL])
        print(f"inbox p95 ratio {options.cases:,} / {SMALL:,} cases: {ratio:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
