"""A day's figures per department, from the rolled days of the last 28 days.

The database aggregates the window (one row per employee and department, not per day),
so this costs the same on the second day of the log as after two years of it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Q, Sum

from socius.accounts.models import User
from socius.collab.models import Space
from socius.insights.models import DepartmentDay, InteractionDay, SpaceDay, UserAdoption, UserDay

WINDOW_DAYS = 28
WEEK_DAYS = 7
ENGAGED_DAYS = 10  # active on at least 10 of the last 28 days (Workplace's "engaged")


@dataclass
class _Member:
    department_id: int | None
    last_day: dt.date
    days: int
    week_days: int
    today: bool
    contributions: int
    participations: int


def _window_members(day: dt.date) -> dict[int, _Member]:
    """Each employee active in the window, under the department of their latest day there
    (someone who moved counts once, where they are now)."""
    since = day - dt.timedelta(days=WINDOW_DAYS - 1)
    week_start = day - dt.timedelta(days=WEEK_DAYS - 1)
    rows = (
        UserDay.objects.filter(day__gte=since, day__lte=day)
        .values("user_id", "department_id")
        .annotate(
            last=Max("day"),
            days=Count("pk"),
            week_days=Count("pk", filter=Q(day__gte=week_start)),
            today=Count("pk", filter=Q(day=day)),
            contributions=Sum("contributions"),
            participations=Sum("participations"),
        )
        .order_by()
    )
    members: dict[int, _Member] = {}
    for row in rows:
        user_id = row["user_id"]
        known = members.get(user_id)
        if known is None:
            members[user_id] = _Member(
                row["department_id"],
                row["last"],
                row["days"],
                row["week_days"],
                bool(row["today"]),
                row["contributions"] or 0,
                row["participations"] or 0,
            )
            continue
        if row["last"] > known.last_day:
            known.department_id, known.last_day = row["department_id"], row["last"]
        known.days += row["days"]
        known.week_days += row["week_days"]
        known.today = known.today or bool(row["today"])
        known.contributions += row["contributions"] or 0
        known.participations += row["participations"] or 0
    return members


def _healthy_spaces(
    day: dt.date, end: dt.datetime
) -> tuple[dict[int | None, int], dict[int | None, int]]:
    """Open spaces per department, and those with two posters and a reply in 28 days. A
    space belongs to its department, or to the department of whoever created it."""
    since = day - dt.timedelta(days=WINDOW_DAYS - 1)
    spaces = (
        Space.objects.filter(created_at__lt=end)
        .filter(Q(archived_at__isnull=True) | Q(archived_at__gte=end))
        .values_list("pk", "department_id", "created_by__department_id")
    )
    owner = {pk: own if own is not None else creator for pk, own, creator in spaces}
    activity = (
        SpaceDay.objects.filter(day__gte=since, day__lte=day)
        .values("space_id")
        .annotate(
            posters=Count("user_id", distinct=True, filter=Q(posts__gt=0)),
            replies=Sum("replies"),
        )
        .order_by()
    )
    # Spaces archived or deleted since are simply not in ``owner``.
    healthy_ids = {row["space_id"] for row in activity if row["posters"] >= 2 and row["replies"]}
    total: dict[int | None, int] = defaultdict(int)
    healthy: dict[int | None, int] = defaultdict(int)
    for pk, department_id in owner.items():
        total[department_id] += 1
        healthy[department_id] += pk in healthy_ids
    return total, healthy


class _Rows(dict[int | None, DepartmentDay]):
    """The day's row of each department, made on first use."""

    def __init__(self, day: dt.date) -> None:
        super().__init__()
        self.day = day

    def __missing__(self, department_id: int | None) -> DepartmentDay:
        row = self[department_id] = DepartmentDay(day=self.day, department_id=department_id)
        return row


def _count_employees(rows: _Rows, end: dt.datetime) -> None:
    day = rows.day
    first_days = dict(
        UserAdoption.objects.filter(first_active_on__lte=day).values_list(
            "user_id", "first_active_on"
        )
    )
    employees = User.objects.filter(is_active=True).values_list(
        "pk", "department_id", "last_login", "date_joined"
    )
    for user_id, department_id, last_login, joined in employees:
        first = first_days.get(user_id)
        # An account imported after the fact still counts from the day it was first used.
        if joined >= end and first is None:
            continue
        row = rows[department_id]
        row.registered += 1
        row.activated += first is not None or (last_login is not None and last_login < end)
        row.new_users += first == day


def _count_window(rows: _Rows) -> None:
    for member in _window_members(rows.day).values():
        row = rows[member.department_id]
        row.monthly_active += 1
        row.weekly_active += member.week_days > 0
        row.daily_active += member.today
        row.engaged += member.days >= ENGAGED_DAYS
        # Disjoint, by the highest level reached in the window (Jive's user types).
        row.contributors += member.contributions > 0
        row.participants += not member.contributions and member.participations > 0
        row.consumers += not member.contributions and not member.participations


def _count_day(rows: _Rows) -> None:
    today = UserDay.objects.filter(day=rows.day).values("department_id").order_by()
    for totals in today.annotate(events=Sum("events"), contributions=Sum("contributions")):
        row = rows[totals["department_id"]]
        row.events = totals["events"] or 0
        row.contributions = totals["contributions"] or 0
    interactions = InteractionDay.objects.filter(day=rows.day).values_list(
        "from_department_id", "to_department_id", "count"
    )
    for from_id, to_id, count in interactions:
        row = rows[from_id]
        row.interactions += count
        row.cross_interactions += count if to_id != from_id else 0


def department_day_rows(day: dt.date, end: dt.datetime) -> list[DepartmentDay]:
    """The figures of each department as of the end of ``day``."""
    rows = _Rows(day)
    _count_employees(rows, end)
    _count_window(rows)
    _count_day(rows)
    total, healthy = _healthy_spaces(day, end)
    for department_id, count in total.items():
        rows[department_id].spaces = count
        rows[department_id].healthy_spaces = healthy[department_id]
    return list(rows.values())
