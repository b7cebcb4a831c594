"""Build the `large` demo into a fresh SQLite database and report its speed.

    .venv/bin/python bench/demo_data_large.py [--size large] [--seed 42] [--keep]

Runs `socius migrate` then `socius demo-data --size large` in a temporary SOCIUS_DATA_DIR
(each in its own process, as a user would), then counts the rows. The main figure, the
wall time of the build, is printed last.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOCIUS = Path(sys.executable).with_name("socius")


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(arguments: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one socius command; CPU time barely moves with machine load."""
    started, cpu_before = time.perf_counter(), _children_cpu_seconds()
    subprocess.run([str(SOCIUS), *arguments], env=environment, check=True)
    return time.perf_counter() - started, _children_cpu_seconds() - cpu_before


def _count(database: Path, table: str) -> int:
    with sqlite3.connect(database) as connection:
        (count,) = connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    return int(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large", choices=("small", "medium", "large"))
    parser.add_argument("--seed", default="42")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    options = parser.parse_args()

    load_before = os.getloadavg()[0]
    data_dir = Path(tempfile.mkdtemp(prefix="socius-bench-"))
    environment = {**os.environ, "SOCIUS_DATA_DIR": str(data_dir)}
    environment.pop("DATABASE_URL", None)
    try:
        _run(["migrate", "--noinput", "-v", "0"], environment)
        seconds, cpu_seconds = _run(
            ["demo-data", "--size", options.size, "--seed", options.seed], environment
        )
        database = data_dir / "socius.sqlite3"
        persons = _count(database, "people_person")
        identifiers = _count(database, "people_identifier")
        activities = _count(database, "core_activity")
        size_mb = sum(path.stat().st_size for path in data_dir.glob("socius.sqlite3*")) / 1e6
    finally:
        if options.keep:
            print(f"database kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)

    print(f"cpus: {os.cpu_count()}, load average before: {load_before:.2f}")
    print(f"database: SQLite {sqlite3.sqlite_version}, {size_mb:,.0f} MB")
    print(f"CPU time (user + system): {cpu_seconds:.1f} s")
    print(f"persons: {persons:,}  identifiers: {identifiers:,}  activities: {activities:,}")
    print(f"persons/s: {persons / seconds:,.0f}")
    print(f"activities/s: {activities / seconds:,.0f}")
    print(f"demo-data --size {options.size} wall time: {seconds:.1f} s")


if __name__ == "__main__":
    main()
