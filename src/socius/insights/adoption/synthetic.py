"""Plausible activity of a company's employees over past days, written straight into the
Activity log: the demo's uneven adoption and the rollup benchmark's history.

Each department has a participation rate: the chance that one of its employees comes on a
given day. Those who come read, and some post, comment on recent posts of any department
and react. Rows go in through multi-row INSERTs (COPY on PostgreSQL), since a history of
millions of entries is the point.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection
from django.utils import timezone

from socius.core.models import Activity, Visibility

COLUMNS = (
    "occurred_at",
    "recorded_at",
    "verb",
    "actor_id",
    "department_id",
    "object_type",
    "object_id",
    "channel",
    "visibility",
    "summary",
    "payload",
)


@dataclass(frozen=True)
class Employee:
    user_id: int
    department_id: int | None
    participation: float  # chance of coming on a given day, 0..1
    contribution: float = 0.3  # chance that an action of a visit is a post or a comment
    reaction: float = 0.3  # chance that it is a reaction (otherwise the visitor only reads)


@dataclass(frozen=True)
class _Post:
    id: str
    author: int
    space: int
    at: dt.datetime


def synthetic_rows(
    employees: Sequence[Employee],
    days: Sequence[dt.date],
    *,
    spaces: Sequence[int],
    seed: int = 8,
    actions_per_visit: int = 3,
) -> Iterator[tuple[object, ...]]:
    """Activity rows (``COLUMNS``) for these employees over these days. Answers and
    reactions go to the posts of the last two days, a few hours after them. Post ids
    carry the seed: calls with different seeds never share a post."""
    rng = random.Random(seed)
    tz = timezone.get_current_timezone()
    recent: list[_Post] = []
    count = 0
    for day in days:
        weekend = day.weekday() >= 5
        morning = dt.datetime.combine(day, dt.time(8), tzinfo=tz)
        recent = [p for p in recent if p.at >= morning - dt.timedelta(days=2)]
        for employee in employees:
            if rng.random() >= employee.participation * (0.15 if weekend else 1.0):
                continue
            at = morning + dt.timedelta(minutes=rng.randrange(600))
            yield _row(at, "employee.visited", employee, "", {})
            for n in range(rng.randrange(1, actions_per_visit + 1)):
                at += dt.timedelta(minutes=rng.randrange(1, 40))
                roll = rng.random()
                earlier = [p for p in recent[-60:] if p.at < at and p.author != employee.user_id]
                if roll < employee.contribution / 2 or (
                    roll < employee.contribution and not earlier
                ):
                    count += 1
                    # Apart from real posts' ids, so as not to mix their answers up.
                    post = _Post(
                        f"synthetic-{seed}-{count}", employee.user_id, _space(spaces, employee), at
                    )
                    recent.append(post)
                    yield _row(at, "collab.post_created", employee, post.id, {"space": post.space})
                elif earlier and roll < employee.contribution + employee.reaction:
                    post = rng.choice(earlier)
                    verb = (
                        "collab.comment_created"
                        if roll < employee.contribution
                        else "collab.reaction_added"
                    )
                    about = {"space": post.space, "post": post.id, "to_user": post.author}
                    yield _row(at, verb, employee, f"{post.id}-{n}", about)


def _space(spaces: Sequence[int], employee: Employee) -> int:
    return spaces[employee.user_id % len(spaces)] if spaces else 0


def _row(
    at: dt.datetime,
    verb: str,
    employee: Employee,
    object_id: str,
    payload: dict[str, object],
) -> tuple[object, ...]:
    return (
        at,
        at,
        verb,
        employee.user_id,
        employee.department_id,
        # No object type: these posts are no rows of the social network, and nothing may
        # follow the id to one. The id only ties answers to their post.
        "",
        object_id,
        "web",
        # Nobody's page lists these entries: they only feed the adoption figures.
        Visibility.RESTRICTED,
        "",
        json.dumps(payload),
    )


def synthetic_insert(rows: Iterator[tuple[object, ...]], *, batch: int = 5000) -> int:
    """Write the rows, ``batch`` at a time (COPY on PostgreSQL); returns how many."""
    names = ", ".join(COLUMNS)
    # Only our own table and column names go into the statement.
    statement = f"INSERT INTO {Activity._meta.db_table} ({names}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"  # noqa: S608, E501
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy_sql = f"COPY {Activity._meta.db_table} ({names}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        adapt = connection.ops.adapt_datetimefield_value
        chunk: list[Any] = []
        for row in rows:
            at = cast(dt.datetime, row[0])
            chunk.append((adapt(at), adapt(at), *row[2:]))
            if len(chunk) >= batch:
                cursor.executemany(statement, chunk)
                written, chunk = written + len(chunk), []
        if chunk:
            cursor.executemany(statement, chunk)
            written += len(chunk)
    return written
