"""The daily rollup: one day of the Activity log turned into the rows adoption reads.

Rolling a day reads that day's entries (through a partial index on employees' entries)
and, for the 7- and 28-day windows, aggregates of the already rolled days computed by the
database: its cost depends on the day and on the number of employees, never on the length
of the history. Rolling a day again replaces its rows, so the worker may redo the last
days as late entries arrive.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from socius.accounts.models import User
from socius.core.bulk import bulk_insert
from socius.core.models import Activity
from socius.insights.adoption.departments import department_day_rows
from socius.insights.adoption.verbs import (
    ADOPTION_PREFIXES,
    CASE_FIRST_RESPONSE,
    CASE_OPENED,
    CONTRIBUTIONS,
    INTERACTIONS,
    PARTICIPATIONS,
    POST_CREATED,
    REPLY,
    VISITED,
)
from socius.insights.models import (
    RESPONSE_BUCKETS,
    DepartmentDay,
    FirstResponse,
    InteractionDay,
    ResponseDay,
    RolledDay,
    SpaceDay,
    UserAdoption,
    UserDay,
)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants a day of the company's time zone starts and ends."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


RESPONSE_SETTLING_DAYS = 7
ROLLUP_LOCK = 0x50C105  # the advisory lock of adoption rollups (PostgreSQL)


@dataclass
class _UserTally:
    events: int = 0
    contributions: int = 0
    participations: int = 0
    departments: Counter[int | None] = field(default_factory=Counter)

    @property
    def department(self) -> int | None:
        """The department the employee acted from that day: the one their entries name."""
        return self.departments.most_common(1)[0][0]


@transaction.atomic
def rollup_day(day: dt.date) -> int:
    """Roll up one day; returns how many entries it read: employees' use of the social
    network (``adoption.verbs``), not their operational work."""
    _lock_rollups()
    start, end = day_bounds(day)
    adoption = Q(verb=VISITED)
    for prefix in ADOPTION_PREFIXES:
        adoption |= Q(verb__startswith=prefix)
    rows = list(
        Activity.objects.filter(
            adoption, actor__isnull=False, occurred_at__gte=start, occurred_at__lt=end
        )
        .order_by()
        .values_list("actor_id", "department_id", "verb", "payload", "occurred_at", "object_id")
    )
    tallies = _user_tallies(rows)
    _write_user_days(day, tallies)
    _write_space_days(day, rows)
    department_of = {user_id: tally.department for user_id, tally in tallies.items()}
    _write_interactions(day, rows, department_of)
    _record_post_responses(rows, department_of)
    _record_case_responses(start, end)
    _record_first_days(day, tallies)
    _write_response_days(day)
    _write_department_days(day, end)
    RolledDay.objects.update_or_create(
        day=day, defaults={"rolled_at": timezone.now(), "activities": len(rows)}
    )
    return len(rows)


def _lock_rollups() -> None:
    """One rollup at a time: two runs deleting and writing the same day at once (the
    command while the worker runs, or a first run longer than the hourly period) would
    both insert its rows. SQLite already runs one writing transaction at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK])


def _user_tallies(rows: list[tuple[Any, ...]]) -> dict[int, _UserTally]:
    tallies: dict[int, _UserTally] = defaultdict(_UserTally)
    for actor_id, department_id, verb, _payload, _at, _object_id in rows:
        tally = tallies[actor_id]
        tally.events += 1
        if verb in CONTRIBUTIONS:
            tally.contributions += 1
        elif verb in PARTICIPATIONS:
            tally.participations += 1
        tally.departments[department_id] += 1
    return tallies


# Plain multi-row inserts (``core.bulk``): Django's bulk_create compiles each value and
# would cost more than the rest of a day's rollup.


def _write_user_days(day: dt.date, tallies: dict[int, _UserTally]) -> None:
    UserDay.objects.filter(day=day).delete()
    bulk_insert(
        UserDay,
        [
            UserDay(
                day=day,
                user_id=user_id,
                department_id=tally.department,
                events=tally.events,
                contributions=tally.contributions,
                participations=tally.participations,
            )
            for user_id, tally in tallies.items()
        ],
    )


def _write_space_days(day: dt.date, rows: list[tuple[Any, ...]]) -> None:
    posts: Counter[tuple[int, int]] = Counter()
    replies: Counter[tuple[int, int]] = Counter()
    for actor_id, _department, verb, payload, _at, _object_id in rows:
        space = payload.get("space") if isinstance(payload, dict) else None
        if not isinstance(space, int):  # older entries named the space instead
            continue
        if verb == POST_CREATED:
            posts[space, actor_id] += 1
        elif verb == REPLY:
            replies[space, actor_id] += 1
    SpaceDay.objects.filter(day=day).delete()
    bulk_insert(
        SpaceDay,
        [
            SpaceDay(day=day, space_id=space, user_id=user, posts=posts[key], replies=replies[key])
            for key in posts.keys() | replies.keys()
            for space, user in [key]
        ],
    )


def _write_interactions(
    day: dt.date, rows: list[tuple[Any, ...]], department_of: dict[int, int | None]
) -> None:
    """Who answered or reacted to whom, as departments (never kept per person)."""
    pairs: list[tuple[int, int]] = []
    for actor_id, _department, verb, payload, _at, _object_id in rows:
        if verb in INTERACTIONS and isinstance(payload, dict):
            to_user = payload.get("to_user")
            if isinstance(to_user, int) and to_user != actor_id:
                pairs.append((actor_id, to_user))
    unknown = {to_user for _actor, to_user in pairs if to_user not in department_of}
    if unknown:
        department_of = {
            **department_of,
            **dict(User.objects.filter(pk__in=unknown).values_list("pk", "department_id")),
        }
    counts = Counter((department_of.get(a), department_of.get(b)) for a, b in pairs)
    InteractionDay.objects.filter(day=day).delete()
    bulk_insert(
        InteractionDay,
        [
            InteractionDay(day=day, from_department_id=a, to_department_id=b, count=count)
            for (a, b), count in counts.items()
        ],
    )


def _record_post_responses(
    rows: list[tuple[Any, ...]], department_of: dict[int, int | None]
) -> None:
    """Open a row per new post, and note the first reply someone else made to one."""
    opened = [
        FirstResponse(
            kind=FirstResponse.Kind.POST,
            object_id=object_id,
            department_id=department_of.get(actor_id),
            author_id=actor_id,
            opened_at=at,
        )
        for actor_id, _department, verb, _payload, at, object_id in rows
        if verb == POST_CREATED
    ]
    FirstResponse.objects.bulk_create(opened, ignore_conflicts=True)
    replies: dict[str, list[tuple[dt.datetime, int]]] = defaultdict(list)
    for actor_id, _department, verb, payload, at, _object_id in rows:
        if verb == REPLY and isinstance(payload, dict) and payload.get("post") is not None:
            replies[str(payload["post"])].append((at, actor_id))
    if not replies:
        return
    changed = []
    for row in FirstResponse.objects.filter(kind=FirstResponse.Kind.POST, object_id__in=replies):
        # The author answering under their own post is not a response.
        times = [at for at, actor_id in replies[row.object_id] if actor_id != row.author_id]
        first = min(times, default=None)
        if first is not None and (row.responded_at is None or first < row.responded_at):
            row.responded_at = first
            row.response_minutes = _minutes(row.opened_at, first)
            changed.append(row)
    FirstResponse.objects.bulk_update(changed, ["responded_at", "response_minutes"])


def _minutes(opened_at: dt.datetime, responded_at: dt.datetime) -> int:
    return max(0, int((responded_at - opened_at).total_seconds() // 60))


def _record_case_responses(start: dt.datetime, end: dt.datetime) -> None:
    """Customer cases opened that day, and the first answers care recorded that day (a
    customer opens a case without an employee acting, hence a query of its own)."""
    entries = (
        Activity.objects.filter(
            verb__in=[CASE_OPENED, CASE_FIRST_RESPONSE], occurred_at__gte=start, occurred_at__lt=end
        )
        .order_by()
        .values_list("verb", "department_id", "payload", "occurred_at")
    )
    rows: dict[str, FirstResponse] = {}
    for verb, department_id, payload, at in entries:
        case = str(payload.get("case", "")) if isinstance(payload, dict) else ""
        if not case:
            continue
        row = rows.setdefault(
            case,
            FirstResponse(
                kind=FirstResponse.Kind.CASE,
                object_id=case,
                department_id=department_id,
                opened_at=at,
            ),
        )
        if verb == CASE_FIRST_RESPONSE:
            row.responded_at = at
            row.opened_at = at - dt.timedelta(seconds=int(payload.get("seconds") or 0))
            row.response_minutes = _minutes(row.opened_at, at)
            row.business_minutes = payload.get("business_minutes")
            row.within_target = payload.get("within_target")
    answered = [row for row in rows.values() if row.responded_at is not None]
    if answered:
        FirstResponse.objects.bulk_create(
            answered,
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=[
                "opened_at",
                "responded_at",
                "response_minutes",
                "business_minutes",
                "within_target",
            ],
        )
    # An opening never overwrites an answer recorded by an earlier roll of a later day.
    FirstResponse.objects.bulk_create(
        [row for row in rows.values() if row.responded_at is None], ignore_conflicts=True
    )


def _write_response_days(day: dt.date) -> None:
    """Redo the response figures of the threads and cases opened in the last week: answers
    keep arriving for a few days after a post."""
    first = day - dt.timedelta(days=RESPONSE_SETTLING_DAYS)
    start, end = day_bounds(first)[0], day_bounds(day)[1]
    opened = FirstResponse.objects.filter(opened_at__gte=start, opened_at__lt=end).values_list(
        "kind", "department_id", "opened_at", "response_minutes", "within_target"
    )
    rows: dict[tuple[dt.date, int | None, str], ResponseDay] = {}
    for kind, department_id, opened_at, minutes, within_target in opened.order_by():
        on = timezone.localtime(opened_at).date()
        row = rows.get((on, department_id, kind))
        if row is None:
            row = rows[on, department_id, kind] = ResponseDay(
                day=on,
                department_id=department_id,
                kind=kind,
                buckets=[0] * (len(RESPONSE_BUCKETS) + 1),
            )
        row.opened += 1
        row.within_target += bool(within_target)
        if minutes is not None:
            row.answered += 1
            row.within_day += minutes < 24 * 60
            row.buckets[bisect.bisect_left(RESPONSE_BUCKETS, minutes)] += 1
    ResponseDay.objects.filter(day__gte=first, day__lte=day).delete()
    bulk_insert(ResponseDay, list(rows.values()))


def _record_first_days(day: dt.date, tallies: dict[int, _UserTally]) -> None:
    users = list(tallies)
    known = dict(
        UserAdoption.objects.filter(user_id__in=users).values_list("user_id", "first_active_on")
    )
    UserAdoption.objects.bulk_create(
        [UserAdoption(user_id=u, first_active_on=day) for u in users if u not in known]
    )
    # Days may be rolled out of order (a backfill): keep the earliest.
    earlier = [u for u, first in known.items() if first > day]
    if earlier:
        UserAdoption.objects.filter(user_id__in=earlier).update(first_active_on=day)


def _write_department_days(day: dt.date, end: dt.datetime) -> None:
    DepartmentDay.objects.filter(day=day).delete()
    bulk_insert(DepartmentDay, department_day_rows(day, end))


def first_unrolled_day(today: dt.date) -> dt.date | None:
    """Where the worker picks up. Only the last rolled day can have been rolled before it
    ended (runs roll through today), so start there, or the day after once it is final;
    yesterday is always redone for entries written late. With nothing rolled yet, start at
    the first day of the log."""
    last = RolledDay.objects.order_by("-day").values_list("day", "rolled_at").first()
    if last is None:
        first = Activity.objects.filter(actor__isnull=False).aggregate(first=Min("occurred_at"))
        return timezone.localtime(first["first"]).date() if first["first"] else None
    day, rolled_at = last
    start = day if rolled_at < day_bounds(day)[1] else day + dt.timedelta(days=1)
    return min(start, today - dt.timedelta(days=1))


def rollup_pending(*, today: dt.date | None = None) -> list[dt.date]:
    """Roll every day not final yet, through today; the days rolled, in order."""
    today = today or timezone.localdate()
    first = first_unrolled_day(today)
    if first is None:
        return []
    days = list(_days(first, today))
    for day in days:
        rollup_day(day)
    return days


def _days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)
