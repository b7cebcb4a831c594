"""Duplicate detection at scale: one end-to-end run at 10k, 50k and 100k persons, then the
check at ingestion on the largest base.

The persons are the demo's customers (``socius.demo.customers``), written by the demo's
bulk path (``customers_insert``: persons, identifiers, shared landlines and one
``person.created`` entry each) without the stories' million activities. The database grows:
the planner of the largest size is drained up to 10k persons, a run is measured, then it
goes on to 50k, and so on. The planner leaves about one human in ten as two records under
two spellings (nothing deterministic links them): those pairs are the truth the
suggestions are scored against (precision and recall).

Each run goes through ``detection_run_execute`` (read persons, training, scoring, storing),
after deleting the previous run's suggestions so that every size measures a first run.
Stages are timed from the run's own stage changes. On PostgreSQL the base is ANALYZEd
before each run, as autovacuum would have done after such a load.

Then, on the largest base, about 200 new persons arrive as real traffic would (half a
fuzzy variant of an existing customer, half a new human): ``likely_duplicates`` and the
whole on-commit check (``duplicates_check_new``) are timed with their query counts; and
a few dozen single-interaction API requests (token, resolution, timeline, check after
commit) through Django's test client.

    .venv/bin/python bench/duplicates_scale.py                       # 10k, 50k, 100k; SQLite
    .venv/bin/python bench/duplicates_scale.py --sizes 10000 --checks 50 --requests 10
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/socius_scale_bench \\
        .venv/bin/python bench/duplicates_scale.py --sizes 100000
    ... --profile-run run.prof --profile-check check.prof     # cProfile the largest size

The main figures come last: end-to-end seconds at the largest size, and the check's p95.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pstats
import random
import resource
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fresh_database import fresh_database  # noqa: E402 - also puts src/ on the path

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
HUMANS_PER_CHUNK = 1000
TARGET_SECONDS = 180
TARGET_CHECK_P95_MS = 100


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _server_version(connection: Any) -> str:
    with connection.cursor() as cursor:
        number = cursor.connection.info.server_version  # 150020 for 15.20
    return f"{number // 10000}.{number % 10000}"


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")  # too few requests asked for to measure this side
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# Building the base ----------------------------------------------------------------------


@dataclass
class Base:
    """The customers written so far and the truth: which records are one human."""

    humans: Iterator[Any]
    department_ids: dict[str, int]
    persons: int = 0
    true_pairs: set[tuple[int, int]] = field(default_factory=set)
    insert_seconds: float = 0.0

    def grow_to(self, target: int) -> None:
        from django.db import transaction

        from socius.demo.generate import sqlite_cache_enlarged
        from socius.demo.load import customers_insert

        began = time.perf_counter()
        with sqlite_cache_enlarged():
            while self.persons < target:
                chunk, planned = [], self.persons
                for human in self.humans:
                    chunk.append(human)
                    planned += human.record_count
                    if planned >= target or len(chunk) >= HUMANS_PER_CHUNK:
                        break
                if not chunk:
                    break  # the planner is exhausted
                with transaction.atomic():
                    all_ids = customers_insert(chunk, department_ids=self.department_ids)
                for ids in all_ids:
                    self.persons += len(ids)
                    if len(ids) == 2:
                        self.true_pairs.add((min(ids), max(ids)))
        self.insert_seconds += time.perf_counter() - began


def base_start(seed: int, largest: int) -> Base:
    from socius.accounts.services import department_ensure
    from socius.demo.company import DEPARTMENTS
    from socius.demo.customers import CustomerPlanner

    department_ids = {
        department.slug: department_ensure(slug=department.slug, name=department.name).pk
        for department in DEPARTMENTS
    }
    planner = CustomerPlanner(seed=seed, persons=largest, now=NOW)
    return Base(humans=iter(planner), department_ids=department_ids)


# One end-to-end run ---------------------------------------------------------------------


@dataclass
class RunFigures:
    persons: int
    stages: dict[str, float]
    total: float
    pairs: int
    suggested: int
    precision: float
    recall: float
    true_pairs: int
    rss_before_mb: float
    peak_mb: float
    frame_seconds: float
    pairs_seconds: float


def run_once(base: Base, profile: str | None) -> RunFigures:
    from django.conf import settings

    from socius.people.detection import pipeline
    from socius.people.models import DetectionRun, DuplicateSuggestion
    from socius.people.services import detection

    DuplicateSuggestion.objects.all().delete()  # every size measures a first run
    run = DetectionRun.objects.create(
        backend=settings.DUPLICATES_BACKEND, threshold=settings.DUPLICATES_SUGGEST_THRESHOLD
    )
    marks: list[tuple[str, float]] = []
    inner = {"frame": 0.0, "pairs": 0.0}
    original_stage, original_frame, original_pairs = (
        detection._stage,
        pipeline.frame,
        pipeline._pairs,
    )

    def stage(run: Any, name: str, **counts: Any) -> None:
        marks.append((name, time.perf_counter()))
        original_stage(run, name, **counts)

    def timed(name: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                inner[name] += time.perf_counter() - began

        return wrapper

    detection._stage = stage  # type: ignore[assignment]
    pipeline.frame = timed("frame", original_frame)  # type: ignore[assignment]
    pipeline._pairs = timed("pairs", original_pairs)  # type: ignore[assignment]
    rss_before = _rss_mb()
    profiler = cProfile.Profile() if profile else None
    try:
        began = time.perf_counter()
        if profiler:
            profiler.enable()
        run = detection.detection_run_execute(run_id=run.pk)
        if profiler:
            profiler.disable()
        ended = time.perf_counter()
    finally:
        detection._stage = original_stage  # type: ignore[assignment]
        pipeline.frame = original_frame  # type: ignore[assignment]
        pipeline._pairs = original_pairs  # type: ignore[assignment]
    if run.status != DetectionRun.Status.DONE:
        raise SystemExit(f"run {run.pk} ended {run.status}: {run.failure}")
    if profiler and profile:
        profiler.dump_stats(profile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    marks.append(("end", ended))
    stages = {name: marks[i + 1][1] - at for i, (name, at) in enumerate(marks[:-1])}
    suggested = set(DuplicateSuggestion.objects.values_list("person_a_id", "person_b_id"))
    found = len(suggested & base.true_pairs)
    return RunFigures(
        persons=run.persons_count,
        stages=stages,
        total=ended - began,
        pairs=run.pairs_count,
        suggested=run.suggested_count,
        precision=found / len(suggested) if suggested else 0.0,
        recall=found / len(base.true_pairs) if base.true_pairs else 0.0,
        true_pairs=len(base.true_pairs),
        rss_before_mb=rss_before,
        peak_mb=_peak_mb(),
        frame_seconds=inner["frame"],
        pairs_seconds=inner["pairs"],
    )


def run_print(figures: RunFigures) -> None:
    stages = figures.stages
    print(
        f"  {figures.persons:,} persons: read {stages.get('reading', 0):.1f} s · "
        f"train {stages.get('training', 0):.1f} s · score {stages.get('scoring', 0):.1f} s "
        f"(frame {figures.frame_seconds:.1f} s, pairs to Python {figures.pairs_seconds:.1f} s) · "
        f"store {stages.get('storing', 0):.1f} s · total {figures.total:.1f} s · "
        f"{figures.persons / figures.total:,.0f} persons/s"
    )
    print(
        f"  {figures.pairs:,} pairs >= threshold, {figures.suggested:,} suggestions stored; "
        f"against the {figures.true_pairs:,} planned duplicate pairs: "
        f"precision {figures.precision:.3f}, recall {figures.recall:.3f}"
    )
    print(f"  memory: RSS {figures.rss_before_mb:,.0f} MB before, peak {figures.peak_mb:,.0f} MB")


# The check at ingestion ------------------------------------------------------------------


@dataclass
class Arrival:
    fuzzy_of: int | None
    """The existing person this arrival is a variant of; None for a new human."""
    identifiers: list[tuple[str, str]]
    profile: Any


def arrivals_plan(seed: int, count: int, tag: str) -> list[Arrival]:
    """Half fuzzy variants of existing customers (another spelling, a new email, most of
    the profile kept), half new humans planned by the demo with another seed."""
    from socius.demo.customers import CustomerPlanner
    from socius.demo.names import name_variant
    from socius.people.models import Person
    from socius.people.services import Profile

    rng = random.Random(f"arrivals:{seed}:{tag}")
    named = list(
        Person.objects.filter(merged_into__isnull=True)
        .exclude(given_name="")
        .exclude(family_name="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = rng.sample(named, count // 2 + 1)
    sources = {person.pk: person for person in Person.objects.filter(pk__in=chosen)}
    sources = {pk: sources[pk] for pk in reversed(chosen)}  # the same order on any database
    newcomers = iter(CustomerPlanner(seed=seed + 1000, persons=count * 2, now=NOW))
    arrivals = []
    for index in range(count):
        email = ("email", f"scale-{tag}-{index}@arrivals.example.net")
        if index % 2 == 0 and sources:
            _pk, person = sources.popitem()
            given, family = name_variant(person.given_name, person.family_name, rng)
            keep_address = rng.random() < 0.7
            profile = Profile(
                given_name=given,
                family_name=family,
                birth_date=person.birth_date if rng.random() < 0.6 else None,
                address=person.address if keep_address else "",
                postcode=person.postcode if keep_address or rng.random() < 0.5 else "",
                city=person.city if keep_address else "",
            )
            arrivals.append(Arrival(person.pk, [email], profile))
        else:
            human = next(newcomers)
            arrivals.append(Arrival(None, [email], human.sightings[0].profile))
    return arrivals


@dataclass
class Timings:
    milliseconds: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)

    def line(self, label: str) -> str:
        ms = self.milliseconds
        return (
            f"  {label}: n={len(ms)} p50 {_percentile(ms, 0.5):.1f} ms · "
            f"p95 {_percentile(ms, 0.95):.1f} ms · max {max(ms):.1f} ms · "
            f"queries {min(self.queries)}-{max(self.queries)} "
            f"(median {statistics.median(self.queries):.0f})"
        )


def check_measure(arrivals: list[Arrival], profile: str | None) -> tuple[Timings, Timings]:
    """Each arrival created through ``person_resolve``, then (a) ``likely_duplicates`` and
    (b) the whole on-commit check ``duplicates_check_new`` timed, each with its queries."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from socius.people.detection.incremental import likely_duplicates
    from socius.people.services import IdentifierIn, ResolveContext, person_resolve
    from socius.people.services.detection import duplicates_check_new

    lookup, whole = Timings(), Timings()
    hits = {True: 0, False: 0}
    flagged = {True: 0, False: 0}
    profiler = cProfile.Profile() if profile else None
    for arrival in arrivals:
        with transaction.atomic():
            resolution = person_resolve(
                identifiers=[IdentifierIn(kind, value) for kind, value in arrival.identifiers],
                profile=arrival.profile,
                context=ResolveContext(source="shop", channel="web"),
            )
        person = resolution.person
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            if profiler:
                profiler.enable()
            pairs = likely_duplicates(person)
            if profiler:
                profiler.disable()
            lookup.milliseconds.append((time.perf_counter() - began) * 1000)
        lookup.queries.append(len(queries))
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            duplicates_check_new(person_ids=[person.pk])
            whole.milliseconds.append((time.perf_counter() - began) * 1000)
        whole.queries.append(len(queries))
        fuzzy = arrival.fuzzy_of is not None
        flagged[fuzzy] += bool(pairs)
        if fuzzy:
            hits[True] += any(arrival.fuzzy_of in (p.left, p.right) for p in pairs)
    fuzzies = sum(1 for a in arrivals if a.fuzzy_of is not None)
    print(
        f"  fuzzy variants: {hits[True]}/{fuzzies} found their original; "
        f"new humans flagged: {flagged[False]}/{len(arrivals) - fuzzies}"
    )
    if profiler and profile:
        profiler.dump_stats(profile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return lookup, whole


def requests_measure(arrivals: list[Arrival]) -> tuple[Timings, Timings]:
    """Single-interaction API requests creating a person: the whole request (the check
    runs after the commit, within it), then the same requests with the check left out."""
    from unittest import mock

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from socius.accounts.models import Department
    from socius.accounts.roles import Role
    from socius.accounts.services import EmployeeIn, employee_create, token_create
    from socius.people.models import DuplicateSuggestion

    department = Department.objects.order_by("pk").first()
    agent = employee_create(
        data=EmployeeIn(
            email="scale.bench@socius.example",
            full_name="Scale Bench",
            department_slug=department.slug if department else "",
            role=Role.AGENT,
        )
    )
    secret = token_create(user=agent, name="Bench", scopes=["people:write"]).secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def post(arrival: Arrival, index: int, tag: str) -> tuple[float, int]:
        profile = arrival.profile
        body = {
            "source": "shop",
            "external_id": f"scale-{tag}-{index}",
            "identifiers": [{"kind": k, "value": v} for k, v in arrival.identifiers],
            "kind": "purchase",
            "channel": "web",
            "profile": {
                "given_name": profile.given_name,
                "family_name": profile.family_name,
                "birth_date": profile.birth_date.isoformat() if profile.birth_date else None,
                "address": profile.address,
                "postcode": profile.postcode,
                "city": profile.city,
            },
        }
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.post(
                "/api/v1/people/interactions", json.dumps(body), content_type="application/json"
            )
            elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 201:
            raise SystemExit(f"API answered {response.status_code}: {response.content[:300]!r}")
        return elapsed, len(queries)

    with_check, without = Timings(), Timings()
    post(arrivals[0], 0, "warm-up")  # the first request imports and builds the URL map
    before = DuplicateSuggestion.objects.count()
    half = (len(arrivals) - 1) // 2 + 1
    for index, arrival in enumerate(arrivals[1:half], start=1):
        ms, count = post(arrival, index, "with")
        with_check.milliseconds.append(ms)
        with_check.queries.append(count)
    print(f"  suggestions made by these requests: {DuplicateSuggestion.objects.count() - before}")
    with mock.patch("socius.people.services.detection.duplicates_check_new"):
        for index, arrival in enumerate(arrivals[half:]):
            ms, count = post(arrival, index, "without")
            without.milliseconds.append(ms)
            without.queries.append(count)
    return with_check, without


# Main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,50000,100000",
        help="comma-separated person counts, growing (default 10000,50000,100000)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--checks", type=int, default=200, help="new persons checked")
    parser.add_argument(
        "--requests", type=int, default=61, help="API requests: one warm-up, half without check"
    )
    parser.add_argument("--profile-run", metavar="FILE", help="cProfile the largest run")
    parser.add_argument("--profile-check", metavar="FILE", help="cProfile likely_duplicates")
    options = parser.parse_args()
    sizes = sorted(int(size) for size in options.sizes.split(","))
    load_before = os.getloadavg()[0]

    with fresh_database():
        import sqlite3

        import duckdb
        import splink
        from django.db import connection

        vendor = connection.vendor
        version = (
            f"SQLite {sqlite3.sqlite_version}"
            if vendor == "sqlite"
            else f"PostgreSQL {_server_version(connection)}"
        )
        print(
            f"database: {version} · DuckDB {duckdb.__version__} · Splink {splink.__version__} · "
            f"cpus {os.cpu_count()} · load average before {load_before:.2f}"
        )
        base = base_start(options.seed, sizes[-1])
        results: list[RunFigures] = []
        for size in sizes:
            before = base.insert_seconds
            base.grow_to(size)
            print(
                f"{base.persons:,} customer persons written "
                f"({base.insert_seconds - before:.1f} s, not part of the run)"
            )
            if vendor == "postgresql":
                # What autovacuum does after such a load (it is off on some test servers).
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            profile = options.profile_run if size == sizes[-1] else None
            figures = run_once(base, profile)
            run_print(figures)
            results.append(figures)

        print(f"check at ingestion on {base.persons:,} persons:")
        arrivals = arrivals_plan(options.seed, options.checks, "check")
        lookup, whole = check_measure(arrivals, options.profile_check)
        print(lookup.line("likely_duplicates(person)"))
        print(whole.line("duplicates_check_new (model + lookup + store)"))
        if options.requests:
            print("single-interaction API requests creating a person:")
            with_check, without = requests_measure(
                arrivals_plan(options.seed, options.requests, "api")
            )
            print(with_check.line("request with the check after commit"))
            print(without.line("request, check left out"))

        print(
            "\n| persons | read | train | score | store | total | persons/s | suggestions | "
            "precision | recall | peak RSS |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for f in results:
            s = f.stages
            print(
                f"| {f.persons:,} | {s.get('reading', 0):.1f} s | {s.get('training', 0):.1f} s | "
                f"{s.get('scoring', 0):.1f} s | {s.get('storing', 0):.1f} s | {f.total:.1f} s | "
                f"{f.persons / f.total:,.0f} | {f.suggested:,} | {f.precision:.3f} | "
                f"{f.recall:.3f} | {f.peak_mb:,.0f} MB |"
            )
        largest = results[-1]
        p95 = _percentile(lookup.milliseconds, 0.95)
        print(
            f"\ncheck at ingestion p95: {p95:.1f} ms (likely_duplicates), "
            f"{_percentile(whole.milliseconds, 0.95):.1f} ms (whole on-commit check); "
            f"target <= {TARGET_CHECK_P95_MS} ms"
        )
        print(
            f"end to end at {largest.persons:,} persons: {largest.total:.1f} s "
            f"(target <= {TARGET_SECONDS} s)"
        )


if __name__ == "__main__":
    main()
