"""Person page benchmark: a person with 100,000 timeline entries against one with 10.

Creates both persons in a fresh database (the entries with ``bulk_create``: departments,
channels and verbs vary), signs an agent in, renders ``/people/<id>/`` through Django's
test client (the whole stack: middleware, selectors, templates) and prints the median time
of each, the number of queries of each, then the ratio large/small last (target <= 1.5x).

    python bench/person_page.py                           # SQLite
    python bench/person_page.py --entries 20000 --repeat 5   # a quick run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/socius_bench python bench/person_page.py
    ... --explain 5      # PostgreSQL: print the plan of every query slower than 5 ms
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from typing import Any

from fresh_database import fresh_database  # noqa: E402 - also puts src/ on the path

DEPARTMENTS = ["service-client", "boutique", "marketing", "billetterie", "exploitation"]
CHANNELS = ["web", "email", "phone", "shop"]
KINDS = ["purchase", "message", "visit", "ticket"]
START = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def timeline(person_id: int, count: int, departments: list[int]) -> None:
    from django.db import transaction

    from socius.core.models import Activity

    with transaction.atomic():
        Activity.objects.bulk_create(
            (
                Activity(
                    verb=f"interaction.{KINDS[n % len(KINDS)]}",
                    person_id=person_id,
                    department_id=departments[n % len(departments)],
                    channel=CHANNELS[n % len(CHANNELS)],
                    summary=f"Interaction {n}",
                    occurred_at=START + dt.timedelta(minutes=17 * n),
                    payload={"source": "shop", "external_id": f"o-{n}", "data": {"n": n}},
                )
                for n in range(count)
            ),
            batch_size=2000,
        )


def page_queries(client: Any, url: str, explain_ms: float) -> int:
    """Render once, counting queries; with ``explain_ms`` (PostgreSQL), print the plan of
    each query slower than that."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    slow = [q for q in queries.captured_queries if float(q["time"]) * 1000 > explain_ms]
    for query in slow if explain_ms and connection.vendor == "postgresql" else []:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN ANALYZE " + query["sql"])
            print(f"{url} {float(query['time']) * 1000:.1f} ms: {query['sql'][:300]}")
            print(*(f"    {row[0]}" for row in cursor.fetchall()), sep="\n")
    return len(queries)


def median_times(client: Any, urls: dict[str, str], repeat: int) -> dict[str, float]:
    """Alternate the pages, so that anything slowing the machine meanwhile hits both."""
    seconds: dict[str, list[float]] = {label: [] for label in urls}
    for _ in range(repeat):
        for label, url in urls.items():
            began = time.perf_counter()
            client.get(url)
            seconds[label].append(time.perf_counter() - began)
    return {label: statistics.median(values) for label, values in seconds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument(
        "--explain", type=float, default=0, metavar="MS", help="PostgreSQL: plans of slow queries"
    )
    options = parser.parse_args()

    with fresh_database():
        from django.db import connection
        from django.test import Client

        from socius.accounts.roles import Role
        from socius.accounts.services import EmployeeIn, department_ensure, employee_create
        from socius.people.services import IdentifierIn, Profile, person_resolve

        departments = [department_ensure(slug=slug).pk for slug in DEPARTMENTS]
        agent = employee_create(
            data=EmployeeIn(
                email="agent@example.com",
                full_name="Alice Martin",
                department_slug=DEPARTMENTS[0],
                role=Role.AGENT,
            )
        )
        persons = {}
        for label, count in (("small", 10), ("large", options.entries)):
            person = person_resolve(
                identifiers=[IdentifierIn("email", f"{label}@example.org")],
                profile=Profile(given_name=label.title(), family_name="Bench"),
            ).person
            timeline(person.pk, count, departments)
            persons[label] = person.pk
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        client = Client()
        client.force_login(agent)
        urls = {label: f"/people/{pk}/" for label, pk in persons.items()}
        queries = {label: page_queries(client, url, options.explain) for label, url in urls.items()}
        times = median_times(client, urls, options.repeat)
        print(f"database: {connection.vendor}")
        for label, count in (("small", 10), ("large", options.entries)):
            print(
                f"person page, {count:>7,} timeline entries: {times[label] * 1000:7.1f} ms "
                f"(median of {options.repeat}), {queries[label]} queries"
            )
        print(f"ratio large/small: {times['large'] / times['small']:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
