"""Ingestion benchmark: resolution plus timeline, against a raw bulk insert of the same rows.

Generates interactions over humans with overlapping identifiers (each human has one to
three emails, a phone and sometimes a handle; each interaction carries a random subset of
them, typed in varied formats), deterministically from a seed, then measures in one run:

  (a) ingesting them through ``interaction_ingest_batch`` in batches of 1000, each batch in
      one transaction: identity resolution, decisions, merges, the person's timeline entry
      and the idempotency record;
  (b) ``Activity.objects.bulk_create`` of the same activity rows (same fields), in the
      same batches, each right after its batch's ingestion (``--raw-after``: all of them
      once the ingestion is over).

Both run with Python's cyclic garbage collector paused, as ``interaction_ingest_batch``
does: each side pays for its own work only. It prints both rates, then the ratio of the
times (a)/(b) last (the target is at most 3x).

    python bench/people_ingest.py                                  # SQLite, 100k over 20k
    python bench/people_ingest.py --interactions 5000 --persons 1000   # a quick run
    python bench/people_ingest.py --raw-after                      # (b) after all of (a)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/socius_bench python bench/people_ingest.py

The database is fresh: Django's test-database machinery creates it (running every
migration) and drops it at the end; SOCIUS_DATA_DIR is a temporary folder.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import random
import time
from dataclasses import dataclass
from typing import Any

from fresh_database import fresh_database  # noqa: E402 - also puts src/ on the path

GIVEN = [
    "Léa",
    "Hugo",
    "Chloé",
    "Lucas",
    "Emma",
    "Louis",
    "Manon",
    "Jules",
    "Inès",
    "Adam",
    "Camille",
    "Nathan",
    "Sarah",
    "Théo",
    "Jade",
    "Paul",
    "Zoé",
    "Noah",
    "Alice",
    "Tom",
]
FAMILY = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
]
DEPARTMENTS = ["service-client", "boutique", "marketing", "billetterie"]
CHANNELS = ["web", "email", "phone", "shop"]
KINDS = ["purchase", "message", "visit", "ticket"]  # fmt: skip


@dataclass(frozen=True)
class Human:
    given_name: str
    family_name: str
    identifiers: list[tuple[str, str]]


def _phone_formats(national: str) -> list[str]:
    pairs = " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return [national, pairs, "+33" + national[1:], "+33 " + pairs[1:]]


def make_humans(rng: random.Random, count: int) -> list[Human]:
    humans = []
    for number in range(count):
        identifiers = [
            ("email", f"h{number}.m{k}@mail{number % 7}.example.org")
            for k in range(rng.randint(1, 3))
        ]
        # 7919 is prime to 10**7: a distinct valid French mobile number (06 0…, 06 1…,
        # 06 2…, 06 4…) per human.
        prefix = "0124578"[number % 7]
        identifiers.append(("phone", f"06{prefix}{(number * 7919) % 10**7:07d}"))
        if rng.random() < 0.3:
            identifiers.append(("instagram", f"h{number}_insta"))
        humans.append(Human(rng.choice(GIVEN), rng.choice(FAMILY), identifiers))
    return humans


def make_interactions(rng: random.Random, humans: list[Human], count: int) -> list[Any]:
    from socius.people.services.interactions import InteractionIn
    from socius.people.services.types import IdentifierIn, Profile

    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    order = list(range(len(humans)))
    rng.shuffle(order)  # every human shows up at least once (when count >= persons)
    items = []
    for index in range(count):
        human = humans[order[index] if index < len(order) else rng.randrange(len(humans))]
        chosen = [pair for pair in human.identifiers if rng.random() < 0.5]
        chosen = chosen or [rng.choice(human.identifiers)]
        identifiers = []
        for kind, value in chosen:
            if kind == "phone":
                value = rng.choice(_phone_formats(value))
            elif kind == "email" and rng.random() < 0.2:
                value = value.upper()
            identifiers.append(IdentifierIn(kind, value))
        named = rng.random() < 0.7
        items.append(
            InteractionIn(
                source=rng.choice(["shop", "crm", "helpdesk"]),
                external_id=f"i-{index}",
                identifiers=identifiers,
                kind=rng.choice(KINDS),
                profile=Profile(
                    given_name=human.given_name if named else "",
                    family_name=human.family_name if named else "",
                ),
                channel=rng.choice(CHANNELS),
                department_slug=rng.choice(DEPARTMENTS),
                occurred_at=start + dt.timedelta(seconds=37 * index),
                summary=f"Interaction {index}",
                payload={"amount": rng.randint(5, 500), "items": rng.randint(1, 4)},
            )
        )
    return items


def ingest_batch(chunk: list[Any]) -> list[int]:
    from django.db import transaction

    from socius.people.services.interactions import interaction_ingest_batch

    with transaction.atomic():
        results = interaction_ingest_batch(items=chunk)
    person_ids = []
    for result in results:
        if result.error is not None:
            raise SystemExit(f"item {result.index} refused: {result.error.as_dict()}")
        assert result.result is not None
        person_ids.append(result.result.interaction.person_id)
    return person_ids


def raw_insert(chunk: list[Any], person_ids: list[int], departments: dict[str, int]) -> None:
    from django.db import transaction

    from socius.core.collector import collector_paused
    from socius.core.models import Activity

    # As (a) does (``interaction_ingest_batch``): both sides pay for their own work only,
    # not for collections of the other's garbage that the collector would run here.
    with collector_paused():
        rows = [
            Activity(
                verb=f"interaction.{item.kind}",
                person_id=person_id,
                department_id=departments[item.department_slug],
                channel=item.channel,
                summary=item.summary,
                occurred_at=item.occurred_at,
                payload={
                    "source": item.source,
                    "external_id": item.external_id,
                    "kind": item.kind,
                    "data": item.payload,
                },
            )
            for item, person_id in zip(chunk, person_ids, strict=True)
        ]
        with transaction.atomic():
            Activity.objects.bulk_create(rows, batch_size=len(rows))


def measure(items: list[Any], batch: int, *, raw_after: bool) -> tuple[float, float]:
    """Seconds of (a) and (b). Interleaved by default: each batch is ingested, then its
    rows are inserted raw, so that both see the same moment of a shared machine (a load
    lasting a minute would otherwise weigh on one side only). The raw rows stay: later
    batches resolve beside them and merges move them too, which only slows (a)."""
    from socius.accounts.models import Department

    departments = dict(Department.objects.values_list("slug", "pk"))
    chunks = [items[offset : offset + batch] for offset in range(0, len(items), batch)]
    resolve_seconds = raw_seconds = 0.0
    waiting: list[tuple[list[Any], list[int]]] = []
    for chunk in chunks:
        began = time.perf_counter()
        person_ids = ingest_batch(chunk)
        resolve_seconds += time.perf_counter() - began
        waiting.append((chunk, person_ids))
        if not raw_after:
            raw_seconds += _timed_raw(waiting.pop(), departments)
    for pair in waiting:  # --raw-after: every raw insert once the ingestion is over
        raw_seconds += _timed_raw(pair, departments)
    return resolve_seconds, raw_seconds


def _timed_raw(pair: tuple[list[Any], list[int]], departments: dict[str, int]) -> float:
    began = time.perf_counter()
    raw_insert(*pair, departments)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=37)
    parser.add_argument("--profile", metavar="FILE", help="cProfile the run into FILE")
    parser.add_argument(
        "--raw-after",
        action="store_true",
        help="insert the raw rows once the ingestion is over, not after each batch",
    )
    options = parser.parse_args()

    with fresh_database():
        from django.db import connection

        from socius.accounts.services import department_ensure
        from socius.core.models import Activity
        from socius.people.models import DuplicateSuggestion, Merge, Person

        for slug in DEPARTMENTS:
            department_ensure(slug=slug)
        rng = random.Random(options.seed)
        humans = make_humans(rng, options.persons)
        items = make_interactions(rng, humans, options.interactions)
        count = len(items)
        print(f"database: {connection.vendor} · {count} interactions over {len(humans)} humans")

        profiler = cProfile.Profile() if options.profile else None
        if profiler:
            profiler.enable()
        resolve_seconds, raw_seconds = measure(items, options.batch, raw_after=options.raw_after)
        if profiler:
            profiler.disable()
            profiler.dump_stats(options.profile)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        live = Person.objects.filter(merged_into__isnull=True).count()
        print(
            f"persons: {live} live, {Merge.objects.count()} merges, "
            f"{DuplicateSuggestion.objects.count()} suggestions, "
            f"{Activity.objects.count() - count} timeline entries (+ {count} raw rows)"
        )
        print(
            f"(a) resolution + timeline: {count / resolve_seconds:,.0f} events/s "
            f"({resolve_seconds:.1f} s)"
        )
        print(
            f"(b) raw bulk insert:       {count / raw_seconds:,.0f} events/s ({raw_seconds:.1f} s)"
        )
        print(f"ratio (a)/(b): {resolve_seconds / raw_seconds:.1f}x (target <= 3x)")


if __name__ == "__main__":
    main()
