"""Adoption rollups: the daily rollup over a long history, one more day rolled over it, and
the adoption page's p95 over 1 month against 2 years of history.

Builds a fresh database (Django's test-database machinery runs every migration) with
``--employees`` colleagues in 20 departments (``demo.collab.employees_insert``: no password
hash), 60 spaces and an HR user, then clones it twice (same employees, no activity):
``empty`` and ``month``. The Activity log is written with the generator the demo uses
(``insights.adoption.synthetic``: multi-row INSERTs, COPY on PostgreSQL), so that about
``--activities`` entries fall over ``--days`` days ending yesterday; each department has
its own participation rate, and the actions per visit are set so the volume lands near the
target (the actual count is printed). Then, in one run:

  A. the main database: the whole history written (rows/s), ``ANALYZE``d, then rolled up
     by ``rollup_pending`` from its first day through yesterday (s, days/s, activities/s);
  B. one more day, today, written like the history's days (so a weekday's volume on a
     weekday; the same rows in both databases, same seed): ``rollup_day(today)`` over
     the full history against the same day in ``empty``, alternately, 3 times each
     (rolling a day again replaces its rows); medians and their ratio (target: at most 2x);
  C. the ``month`` database holds the same last 30 days as the main one (same rows) plus
     today, rolled up; the adoption page ``GET /insights/`` (HR, every department) for the
     default 12 weeks and for the last 3 to 4 weeks (which both databases fill), through
     Django's test client, alternately on the two databases (both connections stay open),
     one warm-up each then ``--renders`` each; p95 of each (wall, and this process's CPU)
     and their ratio (target: at most 1.5x), with the queries per page.

Printed last: the headline with the three figures.

    python bench/adoption_rollup.py --quick           # 200k activities, 200 employees
    python bench/adoption_rollup.py                   # 10M activities, 2,000 employees, 730 days
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/socius_bench_adoption \
        python bench/adoption_rollup.py
    python bench/adoption_rollup.py --quick --profile rollup.prof   # cProfile of B and C

The databases are dropped at the end; SOCIUS_DATA_DIR is a temporary folder.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import random
import statistics
import time
from typing import Any

from fresh_database import fresh_database  # noqa: E402 - also puts src/ on the path

SPACES = 60
DEPARTMENTS = 20
MONTH_DAYS = 30
CHUNK_DAYS = 30  # days written per transaction
WEEKEND = (5 + 2 * 0.15) / 7  # synthetic_rows: 15 % of the weekday rate at weekends
SEED = 8


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


# --- the company -----------------------------------------------------------------------


def company(count: int, start: dt.date) -> tuple[list[Any], list[int], Any]:
    """Employees, spaces and an HR user, all there before the history starts."""
    from django.utils import timezone

    from socius.accounts.models import User
    from socius.accounts.roles import Role
    from socius.accounts.services import EmployeeIn, employee_create
    from socius.collab.models import Space
    from socius.demo.collab import employees_insert
    from socius.insights.adoption.synthetic import Employee

    user_ids = employees_insert(count=count, seed=SEED, departments=DEPARTMENTS)
    hr = employee_create(
        data=EmployeeIn(email="rh.bench@example.com", full_name="Hélène RH",
                        department_slug="rh", role=Role.HR, password="bench-adoption-2026")
    )  # fmt: skip
    before = timezone.make_aware(dt.datetime.combine(start - dt.timedelta(days=7), dt.time(9)))
    # A bench's own setup, not a service: the accounts and spaces predate the history.
    User.objects.all().update(date_joined=before)
    Space.objects.bulk_create(
        Space(name=f"Espace {n}", slug=f"espace-bench-{n}", created_by_id=user_ids[n % count])
        for n in range(SPACES)
    )
    Space.objects.all().update(created_at=before)
    space_ids = list(Space.objects.order_by("pk").values_list("pk", flat=True))
    departments = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "department_id"))
    # Uneven adoption: each department its own rate; a third of people contribute.
    rng = random.Random(f"adoption-bench-{SEED}")
    rates = {d: rng.uniform(0.55, 1.0) for d in sorted(set(departments.values()), key=str)}
    employees = []
    for user_id in user_ids:
        contributor = rng.random() < 0.35
        employees.append(
            Employee(
                user_id,
                departments[user_id],
                rates[departments[user_id]],
                contribution=0.5 if contributor else 0.15,
                reaction=0.5 if contributor else 0.6,
            )
        )
    return employees, space_ids, hr


def actions_per_visit(employees: list[Any], per_day: float) -> int:
    """So that an average day holds about ``per_day`` entries: a visit is one entry plus
    1..n actions, each an entry with the chance contribution + reaction (else a read)."""
    visits = sum(e.participation for e in employees) * WEEKEND
    yield_per_action = sum(
        e.participation * min(1.0, e.contribution + e.reaction) for e in employees
    ) / sum(e.participation for e in employees)
    mean_actions = max(1.0, (per_day / visits - 1) / yield_per_action)
    return max(1, round(2 * mean_actions - 1))


# --- databases -------------------------------------------------------------------------


def open_clone(suffix: str) -> Any:
    from django.db import connection
    from django.db.utils import load_backend

    settings_dict = connection.creation.get_test_db_clone_settings(suffix)
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")


def use(wrapper: Any) -> None:
    """Point Django's default connection (ORM, test client, sessions) at ``wrapper``; the
    other stays open, so two databases can be measured alternately."""
    from django.db import connections

    connections["default"] = wrapper


def analyze() -> None:
    """As autovacuum would after such a load; SQLite samples (analysis_limit) to stay quick."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("PRAGMA analysis_limit = 2000")
            cursor.execute("ANALYZE")


def write(employees: list[Any], days: list[dt.date], spaces: list[int], apv: int, seed: int) -> int:
    """Entries of these days, a transaction per ``CHUNK_DAYS`` days (each chunk its seed)."""
    from django.db import transaction

    from socius.demo.generate import sqlite_cache_enlarged
    from socius.insights.adoption.synthetic import synthetic_insert, synthetic_rows

    written = 0
    with sqlite_cache_enlarged():
        for n in range(0, len(days), CHUNK_DAYS):
            with transaction.atomic():
                rows = synthetic_rows(
                    employees, days[n : n + CHUNK_DAYS], spaces=spaces,
                    seed=seed * 100_000 + n, actions_per_visit=apv,
                )  # fmt: skip
                written += synthetic_insert(rows)
    return written


def day_range(first: dt.date, count: int) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range(count)]


# --- measures --------------------------------------------------------------------------


def timed_rollups(databases: dict[str, Any], day: dt.date, repeat: int) -> dict[str, list[float]]:
    """``rollup_day(day)`` in each database in turn, ``repeat`` times."""
    from socius.insights.adoption.rollup import rollup_day

    times: dict[str, list[float]] = {name: [] for name in databases}
    for _ in range(repeat):
        for name, wrapper in databases.items():
            use(wrapper)
            began = time.perf_counter()
            read = rollup_day(day)
            times[name].append(time.perf_counter() - began)
            print(f"    rollup_day({day}) {name:8}: {times[name][-1]:.3f} s ({read:,} entries)")
    return times


def page_clients(databases: dict[str, Any], hr: Any) -> dict[str, Any]:
    from django.test import Client

    clients = {}
    for name, wrapper in databases.items():
        use(wrapper)  # the session row goes into this database
        client = Client()
        client.force_login(hr)
        clients[name] = client
    return clients


def render(client: Any, url: str) -> tuple[float, float, int]:
    """Wall and this process's CPU time (ms), and the queries of one page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        began, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        took, cpu = time.perf_counter() - began, time.process_time() - cpu
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    if b'data-chart="heatmap"' not in response.content:
        raise SystemExit("the adoption page shows no heat map: the data did not land")
    return took * 1000, cpu * 1000, len(captured)


def timed_pages(
    databases: dict[str, Any], hr: Any, urls: dict[str, str], renders: int
) -> tuple[dict[tuple[str, str], list[float]], dict[tuple[str, str], list[float]]]:
    """Each page on each database, in turn, ``renders`` times (after one warm-up each)."""
    clients = page_clients(databases, hr)
    cases = [(page, name) for page in urls for name in databases]
    times: dict[tuple[str, str], list[float]] = {case: [] for case in cases}
    cpus: dict[tuple[str, str], list[float]] = {case: [] for case in cases}
    queries: dict[tuple[str, str], set[int]] = {case: set() for case in cases}
    for page, name in cases:  # warm-up: templates, translations, first connection
        use(databases[name])
        render(clients[name], urls[page])
    for number in range(renders):
        # Alternate which goes first, so that neither always follows the other.
        for page, name in cases if number % 2 == 0 else reversed(cases):
            use(databases[name])
            took, cpu, count = render(clients[name], urls[page])
            times[page, name].append(took)
            cpus[page, name].append(cpu)
            queries[page, name].add(count)
    for page, name in cases:
        values = times[page, name]
        print(
            f"    {page:8} {name:8}: n={renders} p50 {statistics.median(values):6.1f} ms,"
            f" p95 {p95(values):6.1f} ms, max {max(values):6.1f} ms;"
            f" CPU p95 {p95(cpus[page, name]):6.1f} ms;"
            f" queries per page {sorted(queries[page, name])}"
        )
    return times, cpus


# --- the run ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activities", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--renders", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3, help="timings of the one more day")
    parser.add_argument("--quick", action="store_true", help="200k activities, 200 employees")
    parser.add_argument("--profile", help="write a cProfile of phases B and C to this file")
    args = parser.parse_args()
    if args.quick:
        args.activities, args.employees = 200_000, 200

    with fresh_database():
        from django.db import connection
        from django.utils import timezone

        from socius.insights.adoption.rollup import rollup_pending

        vendor = connection.vendor
        today = timezone.localdate()
        first = today - dt.timedelta(days=args.days)
        per_day = args.activities / args.days
        print(
            f"database: {vendor}; load average {load_average()}; target {args.activities:,}"
            f" activities over {args.days} days ({first} to {today - dt.timedelta(days=1)}),"
            f" {args.employees:,} employees"
        )
        began = time.perf_counter()
        employees, spaces, hr = company(args.employees, first)
        apv = actions_per_visit(employees, per_day)
        print(
            f"  company: {time.perf_counter() - began:.1f} s; {len(spaces)} spaces;"
            f" actions per visit up to {apv} (for ~{per_day:,.0f} entries a day)"
        )

        # Two clones of the company without any activity.
        from django.db import connections

        main_db = connections["default"]
        if vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        for suffix in ("empty", "month"):
            connection.creation.clone_test_db(suffix, verbosity=0, autoclobber=True)
        empty_db, month_db = open_clone("empty"), open_clone("month")
        try:
            dbs = {"main": main_db, "empty": empty_db, "month": month_db}
            run(args, vendor, today, first, employees, spaces, hr, apv, dbs, rollup_pending)
        finally:
            use(main_db)
            for wrapper in (empty_db, month_db):
                wrapper.close()
            for suffix in ("empty", "month"):
                connection.creation.destroy_test_db(verbosity=0, suffix=suffix)


def run(
    args: Any,
    vendor: str,
    today: dt.date,
    first: dt.date,
    employees: list[Any],
    spaces: list[int],
    hr: Any,
    apv: int,
    dbs: dict[str, Any],
    rollup_pending: Any,
) -> None:
    history = day_range(first, args.days)
    month = history[-MONTH_DAYS:]
    earlier = history[:-MONTH_DAYS]

    # The same rows of today in the main and the empty database; of the last month in the
    # main and the month database.
    use(dbs["empty"])
    write(employees, [today], spaces, apv, seed=3)
    analyze()
    use(dbs["month"])
    written_month = write(employees, month, spaces, apv, seed=2)
    write(employees, [today], spaces, apv, seed=3)
    analyze()
    rollup_pending(today=today)
    analyze()

    # A. the whole history in the main database, then its rollup.
    use(dbs["main"])
    print(f"A. history, load average {load_average()}")
    began = time.perf_counter()
    written = write(employees, earlier, spaces, apv, seed=1)
    written += write(employees, month, spaces, apv, seed=2)
    took = time.perf_counter() - began
    print(
        f"    generated and written: {written:,} entries in {took:.1f} s"
        f" ({written / took:,.0f} rows/s)"
    )
    began = time.perf_counter()
    analyze()
    print(f"    analyze: {time.perf_counter() - began:.1f} s")
    print(f"    the month database: {written_month:,} entries over {len(month)} days")
    began = time.perf_counter()
    cpu = time.process_time()
    days = rollup_pending(today=today - dt.timedelta(days=1))
    rollup_s = time.perf_counter() - began
    rollup_cpu = time.process_time() - cpu
    print(
        f"    rollup_pending: {len(days)} days, {rollup_s:.1f} s"
        f" (this process's CPU {rollup_cpu:.1f} s);"
        f" {len(days) / rollup_s:.1f} days/s, {written / rollup_s:,.0f} activities/s;"
        f" load average {load_average()}"
    )
    analyze()  # the rollup tables now hold two years

    # B. one more day over the history, against the same day alone.
    print(f"B. one more day ({today}), load average {load_average()}")
    day_rows = write(employees, [today], spaces, apv, seed=3)
    print(f"    {day_rows:,} entries written for the day (same rows in the empty database)")
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    times = timed_rollups({"main": dbs["main"], "empty": dbs["empty"]}, today, args.repeat)
    incremental = statistics.median(times["main"])
    alone = statistics.median(times["empty"])
    print(
        f"    median: over the history {incremental:.3f} s, alone {alone:.3f} s,"
        f" ratio {incremental / alone:.2f}x (target <= 2x)"
    )

    # C. the adoption page, 1 month against 2 years of history.
    print(f"C. adoption page, load average {load_average()}")
    # The default page (the last 12 weeks: about 5 of them hold data in the month database),
    # and the last 3 to 4 weeks, which both databases fill alike.
    recent = f"/insights/?start={today - dt.timedelta(days=21)}&end={today}"
    urls = {"12 weeks": "/insights/", "4 weeks": recent}
    print(f"    pages: {urls}")
    pages, cpus = timed_pages(
        {"month": dbs["month"], "2 years": dbs["main"]}, hr, urls, args.renders
    )
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    short, long = p95(pages["12 weeks", "month"]), p95(pages["12 weeks", "2 years"])
    short4, long4 = p95(pages["4 weeks", "month"]), p95(pages["4 weeks", "2 years"])
    cpu_ratio = p95(cpus["12 weeks", "2 years"]) / p95(cpus["12 weeks", "month"])
    cpu_ratio4 = p95(cpus["4 weeks", "2 years"]) / p95(cpus["4 weeks", "month"])
    print(
        f"    p95 ratio 2 years / 1 month: 12 weeks {long / short:.2f}x (CPU {cpu_ratio:.2f}x),"
        f" 4 weeks {long4 / short4:.2f}x (CPU {cpu_ratio4:.2f}x)"
    )
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, vendor)
    print(
        f"rollup {written:,} activities over {len(days)} days: {rollup_s:.1f} s ({name});"
        f" incremental day {incremental:.2f} s vs alone {alone:.2f} s"
        f" = {incremental / alone:.2f}x (target <= 2x);"
        f" dashboard p95 1 month {short:.0f} ms vs 2 years {long:.0f} ms"
        f" = {long / short:.2f}x, CPU {cpu_ratio:.2f}x (target <= 1.5x)"
    )


if __name__ == "__main__":
    main()
