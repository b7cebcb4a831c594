"""Feed benchmark: feed p95 at 10k posts, then at 1M posts and 3M comments, in one run.

Builds the social network with the demo generator (10k employees, 200 spaces, 10k posts and
30k comments), lets a sample of employees follow colleagues, spaces and topics through the
real services, then times ``GET /api/v1/collab/feed`` through the whole stack (token auth,
selectors, Markdown rendering, JSON) for each of them: the first page, and a deeper page
(reached by walking the cursor). It then grows the same network to 1M posts and 3M comments
and times the same requests again. Printed: build times, query counts, p50/p95 of each
phase, and last the ratio p95 at 1M / p95 at 10k (the target is at most 1.5x).

    python bench/collab_feed.py                                   # SQLite
    python bench/collab_feed.py --posts 200000 --comments 600000  # a quicker run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/socius_bench python bench/collab_feed.py

The database is fresh: Django's test-database machinery creates it (running every
migration) and drops it at the end; SOCIUS_DATA_DIR is a temporary folder.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from fresh_database import fresh_database  # noqa: E402 - also puts src/ on the path

SEED = 42
# The feed's topic arms walk this index backwards from the cursor (collab migration
# 0005_post_topics_by_topic): without it, a followed topic reads all of its posts.
TOPIC_INDEX = "collab_post_topics_by_topic"
SMALL_POSTS, SMALL_COMMENTS = 10_000, 30_000


@dataclass
class Reader:
    user: Any
    token: str
    deeper_cursor: str | None = None


def topic_index_check() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "collab_post_topics")
    if TOPIC_INDEX not in constraints:
        raise SystemExit(f"The migrations did not create {TOPIC_INDEX}: the figures would lie.")


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def readers_prepare(network: Any, count: int) -> list[Reader]:
    """A sample of employees, each following three colleagues, two spaces and two topics."""
    from socius.accounts.models import User
    from socius.accounts.services import token_create
    from socius.collab.models import Topic
    from socius.collab.services.follows import FollowTarget, follow_create

    rng = random.Random(f"readers:{SEED}")
    chosen = rng.sample(network.user_ids, count)
    users = User.objects.in_bulk(chosen)
    public = sorted(network.public_space_ids)
    topics = list(Topic.objects.filter(pk__in=network.topic_ids))
    readers = []
    for user_id in chosen:
        user = users[user_id]
        targets = [
            FollowTarget(user=users_other) for users_other in _colleagues(rng, network, user_id)
        ]
        targets += [FollowTarget(space=_space(space_id)) for space_id in rng.sample(public, 2)]
        targets += [FollowTarget(topic=topic) for topic in rng.sample(topics, 2)]
        for target in targets:
            follow_create(actor=user, target=target)
        secret = token_create(user=user, name="bench", scopes=["collab:read"]).secret
        readers.append(Reader(user=user, token=secret))
    return readers


def _colleagues(rng: random.Random, network: Any, user_id: int) -> list[Any]:
    from socius.accounts.models import User

    others = [other for other in rng.sample(network.user_ids, 4) if other != user_id][:3]
    return list(User.objects.filter(pk__in=others))


def _space(space_id: int) -> Any:
    from socius.collab.models import Space

    return Space.objects.get(pk=space_id)


def _get(client: Any, reader: Reader, cursor: str | None) -> Any:
    url = "/api/v1/collab/feed" + (f"?cursor={cursor}" if cursor else "")
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {reader.token}")
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}: {response.content[:200]!r}")
    return response.json()


def deeper_cursors(client: Any, readers: list[Reader], depth: int) -> None:
    """Walk each reader's feed ``depth`` pages down: the deeper page starts there."""
    for reader in readers:
        cursor = None
        for _ in range(depth):
            cursor = _get(client, reader, cursor)["next_cursor"]
            if cursor is None:
                break
        reader.deeper_cursor = cursor


def measure(client: Any, readers: list[Reader], repeat: int) -> dict[str, Timings]:
    """Each reader's first and deeper page, ``repeat`` times in turn; per request the fastest
    of its repeats (as timeit does), so that a burst of load on a shared machine does not
    pass for a slow feed. Wall time, and this process's CPU time (on SQLite, all the work)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples: dict[tuple[str, int], list[tuple[float, float]]] = {}
    queries: dict[str, set[int]] = {"first": set(), "deeper": set()}
    for _ in range(repeat):
        for number, reader in enumerate(readers):
            for label, cursor in (("first", None), ("deeper", reader.deeper_cursor)):
                if label == "deeper" and cursor is None:
                    continue
                with CaptureQueriesContext(connection) as captured:
                    wall, cpu = time.perf_counter(), time.process_time()
                    _get(client, reader, cursor)
                    took = (time.perf_counter() - wall, time.process_time() - cpu)
                samples.setdefault((label, number), []).append(took)
                queries[label].add(len(captured))
    first, deeper = sorted(queries["first"]), sorted(queries["deeper"])
    print(f"    queries per request: first {first}, deeper {deeper}")
    timings = {"first": Timings(), "deeper": Timings()}
    for (label, _number), values in samples.items():
        timings[label].wall.append(min(v[0] for v in values) * 1000)
        timings[label].cpu.append(min(v[1] for v in values) * 1000)
    return timings


@dataclass
class Timings:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def explain_slow(client: Any, readers: list[Reader], threshold_ms: float, limit: int = 4) -> None:
    """PostgreSQL: the plan of each feed query slower than ``threshold_ms`` (a few at most)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    shown = 0
    for reader in readers:
        for cursor in (None, reader.deeper_cursor):
            with CaptureQueriesContext(connection) as captured:
                _get(client, reader, cursor)
            for query in captured.captured_queries:
                if float(query["time"]) * 1000 < threshold_ms or shown >= limit:
                    continue
                shown += 1
                with connection.cursor() as db:
                    db.execute("EXPLAIN ANALYZE " + query["sql"])
                    plan = "\n".join(f"        {row[0]}" for row in db.fetchall())
                print(f"    {float(query['time']) * 1000:.1f} ms: {query['sql'][:300]}\n{plan}")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def report(label: str, timings: dict[str, Timings]) -> tuple[float, float]:
    for kind, values in timings.items():
        median = statistics.median(values.wall)
        print(
            f"    {label} {kind:6}: n={len(values.wall)}  wall p50 {median:6.2f} ms,"
            f" p95 {p95(values.wall):6.2f} ms  cpu p95 {p95(values.cpu):6.2f} ms"
        )
    wall = p95(timings["first"].wall + timings["deeper"].wall)
    cpu = p95(timings["first"].cpu + timings["deeper"].cpu)
    print(f"    {label} all   : wall p95 {wall:6.2f} ms, cpu p95 {cpu:6.2f} ms")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--spaces", type=int, default=200)
    parser.add_argument("--posts", type=int, default=1_000_000, help="posts after growing")
    parser.add_argument("--comments", type=int, default=3_000_000, help="comments after growing")
    parser.add_argument("--readers", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--depth", type=int, default=5, help="pages walked for the deeper page")
    parser.add_argument(
        "--explain", type=float, default=0, metavar="MS", help="PostgreSQL: plans of slow queries"
    )
    options = parser.parse_args()

    with fresh_database():
        import os

        from django.db import connection
        from django.test import Client

        from socius.demo.collab import NetworkSize, employees_insert, network_create, network_grow

        print(f"database: {connection.vendor}, cpus: {os.cpu_count()}")
        topic_index_check()
        began = time.perf_counter()
        user_ids = employees_insert(count=options.employees, seed=SEED)
        size = NetworkSize(spaces=options.spaces, posts=SMALL_POSTS, comments=SMALL_COMMENTS)
        network = network_create(seed=SEED, size=size, user_ids=user_ids, with_activities=False)
        readers = readers_prepare(network, options.readers)
        analyze()
        print(f"built {options.employees:,} employees, {options.spaces} spaces, "
              f"{SMALL_POSTS:,} posts in {time.perf_counter() - began:.1f} s")  # fmt: skip

        client = Client()
        deeper_cursors(client, readers, options.depth)
        measure(client, readers, 1)  # warm caches and connections
        small, small_cpu = report("10k", measure(client, readers, options.repeat))

        began = time.perf_counter()
        network_grow(
            network,
            posts=options.posts - SMALL_POSTS,
            comments=options.comments - SMALL_COMMENTS,
            progress=lambda message: print(f"    grew {message}", flush=True),
        )
        analyze()
        gc.collect()  # the generator's millions of row tuples, before timing anything
        print(f"grew to {options.posts:,} posts and {options.comments:,} comments "
              f"in {time.perf_counter() - began:.1f} s")  # fmt: skip

        deeper_cursors(client, readers, options.depth)
        measure(client, readers, 1)
        large, large_cpu = report("1M ", measure(client, readers, options.repeat))
        if options.explain and connection.vendor == "postgresql":
            explain_slow(client, readers, options.explain)
        print(f"feed p95 CPU time: {small_cpu:.2f} ms -> {large_cpu:.2f} ms "
              f"({large_cpu / small_cpu:.2f}x)")  # fmt: skip
        print(f"feed p95: {small:.2f} ms at {SMALL_POSTS:,} posts, {large:.2f} ms at "
              f"{options.posts:,} posts")  # fmt: skip
        print(f"feed p95 ratio (large / small): {large / small:.2f}x")


if __name__ == "__main__":
    main()
