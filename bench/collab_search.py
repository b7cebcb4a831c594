"""Search benchmark: the p95 of a full search request over a realistic social network.

Builds the demo network in bulk (employees, spaces public, private and secret, posts and
comments written in French; the database's own triggers or expression indexes index them as
they are inserted, exactly as in production), then runs a set of queries through the search
service as an ordinary employee: every kind (posts, comments, colleagues, spaces), with
visibility, ranking, the rows shown and their snippets. Each query runs several times;
the figure is the 95th percentile of all those requests.

    python bench/collab_search.py                                  # SQLite, the issue's scale
    python bench/collab_search.py --posts 10000 --comments 30000   # a quick run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/socius_bench python bench/collab_search.py

The default scale is the issue's: 10k employees, 200 spaces, 1M posts and 3M comments
(about 7 minutes on SQLite and 8 on PostgreSQL on 2 cores, most of it the build).
The database is fresh: Django's test-database machinery creates it (running every
migration) and drops it at the end; SOCIUS_DATA_DIR is a temporary folder.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from dataclasses import dataclass

from fresh_database import fresh_database  # noqa: E402 - also puts src/ on the path

QUERIES = [
    "planning",  # a common word: a twelfth of the posts
    "réunion",  # an eighth of the posts, a ninth of the comments
    "reunion",  # the same without its accent
    "formation sécurité",  # two words, both required
    "securite formations",  # accents and plurals left out
    "nocturnes juillet",
    "parade",
    "boutique stock",
    "licorne",  # matches nothing
    "running",  # English stemming, matches nothing here
    "Collègue 42",  # a colleague's name
    "Halloween",  # a space's name
]


@dataclass
class QueryFigures:
    median: float
    hits: int
    queries: int
    slowest_sql: float
    """The slowest statement of the request, in milliseconds (one untimed run)."""


def _build(options: argparse.Namespace) -> tuple[int, float]:
    from django.db import connection

    from socius.demo.collab import NetworkSize, employees_insert, network_create

    started = time.perf_counter()
    user_ids = employees_insert(count=options.employees, seed=options.seed)
    size = NetworkSize(spaces=options.spaces, posts=options.posts, comments=options.comments)
    network = network_create(
        seed=options.seed,
        size=size,
        user_ids=user_ids,
        with_activities=False,
        progress=lambda message: print(f"    inserted {message}", flush=True),
    )
    with connection.cursor() as cursor:
        # As autovacuum would have done on a running server: statistics for the planner,
        # and PostgreSQL's GIN pending lists merged into the indexes.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    # An ordinary reader: a member of a few spaces, not of most private ones.
    memberships = Counter(pk for members in network.members.values() for pk in members)
    reader = min(network.user_ids, key=lambda pk: (memberships[pk], pk))
    return reader, time.perf_counter() - started


def _measure(reader_id: int, repeats: int) -> tuple[list[float], dict[str, QueryFigures]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from socius.accounts.models import User
    from socius.collab.search import search

    reader = User.objects.get(pk=reader_id)
    counted: dict[str, tuple[int, float]] = {}
    for query in QUERIES:  # warm the caches once, as a running server has them
        with CaptureQueriesContext(connection) as captured:
            search(user=reader, query=query)
        slowest = max(float(q["time"]) for q in captured.captured_queries) * 1000
        counted[query] = (len(captured), slowest)
    timings: list[float] = []
    per_query: dict[str, QueryFigures] = {}
    for query in QUERIES:
        mine = []
        for _ in range(repeats):
            started = time.perf_counter()
            results = search(user=reader, query=query)
            mine.append((time.perf_counter() - started) * 1000)
        hits = sum(len(group.hits) for group in results.groups)
        per_query[query] = QueryFigures(statistics.median(mine), hits, *counted[query])
        timings.extend(mine)
    return timings, per_query


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--spaces", type=int, default=200)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--comments", type=int, default=3_000_000)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()

    with fresh_database():
        from django.db import connection

        reader, built = _build(options)
        print(
            f"built {options.employees:,} employees, {options.spaces} spaces, "
            f"{options.posts:,} posts, {options.comments:,} comments and their indexes "
            f"in {built:.0f} s on {connection.vendor}"
        )
        timings, per_query = _measure(reader, options.repeats)
        for query, figures in per_query.items():
            print(
                f"  {query!r:24} median {figures.median:7.1f} ms, {figures.hits:2} hits shown, "
                f"{figures.queries} queries (slowest {figures.slowest_sql:6.1f} ms)"
            )
        counts = sorted({figures.queries for figures in per_query.values()})
        p95 = statistics.quantiles(timings, n=20)[-1]
        print(
            f"search requests: {len(timings)}, median {statistics.median(timings):.1f} ms, "
            f"queries per request {counts}"
        )
        print(
            f"search p95: {p95:.1f} ms ({connection.vendor}, {options.posts:,} posts, "
            f"{options.comments:,} comments, every kind per request)"
        )


if __name__ == "__main__":
    main()
