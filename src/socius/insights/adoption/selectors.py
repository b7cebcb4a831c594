"""Who may see which adoption figures, and the pictures' tables.

HR and administrators see every department; a manager sees the company's totals and their
own department. A department of fewer than five employees is never shown on its own.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from socius.accounts.models import Department, User
from socius.accounts.roles import Capability, Role
from socius.core.errors import NotFound
from socius.insights.adoption.figures import MIN_GROUP, WeekFigures, monday, percent
from socius.insights.models import InteractionDay, UserAdoption, UserDay

DEFAULT_WEEKS = 12
MAX_WEEKS = 106  # two years
COHORT_WEEKS = 26  # cohorts of the last half-year: a bounded read, however long the period


def may_view_adoption(user: User) -> bool:
    return user.is_authenticated and user.can(Capability.VIEW_INSIGHTS)


def sees_every_department(user: User) -> bool:
    return user.role in (Role.HR, Role.ADMIN)


def reportable_departments() -> list[Department]:
    """Departments with at least five active employees, by name."""
    return list(
        Department.objects.annotate(size=Count("members", filter=Q(members__is_active=True)))
        .filter(size__gte=MIN_GROUP)
        .order_by("name")
    )


def _headcounts() -> dict[int | None, int]:
    """Active employees per department (``None``: those with no department)."""
    return dict(
        User.objects.filter(is_active=True)
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("department_id", "n")
    )


def company_department_ids(departments: list[Department] | None = None) -> frozenset[int | None]:
    """The departments the company's figures add up: those shown, and the others pooled
    only when the pool reaches five people. Otherwise the company minus the departments
    shown would describe the few people left."""
    shown = {d.pk for d in (reportable_departments() if departments is None else departments)}
    others = {pk: n for pk, n in _headcounts().items() if pk not in shown}
    pooled = set(others) if sum(others.values()) >= MIN_GROUP else set()
    return frozenset(shown | pooled)


def scope_department_ids(
    department: Department | None, departments: list[Department] | None = None
) -> frozenset[int | None]:
    """What a page about ``department`` (None: the company) adds up."""
    if department is not None:
        return frozenset({department.pk})
    return company_department_ids(departments)


def visible_departments(user: User) -> list[Department]:
    departments = reportable_departments()
    if sees_every_department(user):
        return departments
    return [d for d in departments if d.pk == user.department_id]


def adoption_department_for(*, user: User, slug: str | None) -> Department | None:
    """The department asked for (None: the company), or 404 when this user may not see
    it or it is too small to be shown."""
    if not may_view_adoption(user):
        raise NotFound()
    if not slug:
        return None
    for department in visible_departments(user):
        if department.slug == slug:
            return department
    raise NotFound()


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @classmethod
    def of(cls, start: dt.date | None, end: dt.date | None) -> Period:
        """The weeks asked for, the last ``DEFAULT_WEEKS`` by default, at most two years."""
        end = end or timezone.localdate()
        start = start or end - dt.timedelta(weeks=DEFAULT_WEEKS - 1)
        if start > end:
            start, end = end, start
        start = max(start, end - dt.timedelta(weeks=MAX_WEEKS - 1))
        return cls(monday(start), end)


@dataclass
class Matrix:
    labels: list[str]
    slugs: list[str]
    counts: list[list[int | None]] = field(default_factory=list)


def interaction_matrix(period: Period, departments: list[Department] | None = None) -> Matrix:
    """Interactions from each department (rows) to each other (columns) over the period.
    Departments under five employees are pooled as "Other departments", and that pool is
    left out while it is still under five."""
    departments = reportable_departments() if departments is None else departments
    shown = {d.pk: d for d in departments}
    sizes = _headcounts()
    pooled = sum(n for dep, n in sizes.items() if dep not in shown)
    keys: list[int | str] = [d.pk for d in departments] + (["other"] if pooled >= MIN_GROUP else [])
    index = {key: i for i, key in enumerate(keys)}
    counts: list[list[int | None]] = [[0] * len(keys) for _ in keys]
    rows = (
        InteractionDay.objects.filter(day__gte=period.start, day__lte=period.end)
        .values("from_department_id", "to_department_id")
        .annotate(total=Sum("count"))
        .order_by()
    )
    for row in rows:
        a = index.get(_key(row["from_department_id"], shown))
        b = index.get(_key(row["to_department_id"], shown))
        if a is not None and b is not None:
            counts[a][b] = (counts[a][b] or 0) + row["total"]
    labels = [d.name for d in departments] + ([_("Other departments")] if "other" in index else [])
    slugs = [d.slug for d in departments] + (["other"] if "other" in index else [])
    return Matrix(labels=labels, slugs=slugs, counts=counts)


def _key(department_id: int | None, shown: dict[int, Department]) -> int | str:
    return department_id if department_id in shown else "other"


@dataclass
class Cohort:
    week: dt.date
    size: int
    after_4_weeks: float | None  # percent still active in week +4
    after_12_weeks: float | None


def retention_cohorts(*, department_ids: Collection[int | None], period: Period) -> list[Cohort]:
    """Employees of these departments first seen each week of the period's last half-year,
    and the share still active 4 and 12 weeks later; cohorts under five are left out."""
    since = max(period.start, period.end - dt.timedelta(weeks=COHORT_WEEKS))
    known = [pk for pk in department_ids if pk is not None]
    in_scope = Q(user__department_id__in=known)
    if None in department_ids:
        in_scope |= Q(user__department__isnull=True)
    firsts = UserAdoption.objects.filter(
        in_scope, first_active_on__gte=since, first_active_on__lte=period.end
    )
    cohorts: dict[dt.date, set[int]] = defaultdict(set)
    for user_id, first in firsts.values_list("user_id", "first_active_on"):
        cohorts[monday(first)].add(user_id)
    cohorts = {week: ids for week, ids in cohorts.items() if len(ids) >= MIN_GROUP}
    if not cohorts:
        return []
    later = UserDay.objects.filter(
        # A subquery, not a list: a long list of ids overflows SQLite's parameters.
        user_id__in=firsts.values("user_id"),
        day__gte=min(cohorts) + dt.timedelta(weeks=4),
        day__lte=max(cohorts) + dt.timedelta(weeks=13),
    ).values_list("user_id", "day")
    active_weeks: dict[int, set[dt.date]] = defaultdict(set)
    for user_id, day in later.order_by():
        active_weeks[user_id].add(monday(day))
    today = timezone.localdate()
    return [
        Cohort(
            week=week,
            size=len(ids),
            after_4_weeks=_retained(ids, week, 4, active_weeks, today),
            after_12_weeks=_retained(ids, week, 12, active_weeks, today),
        )
        for week, ids in sorted(cohorts.items())
    ]


def _retained(
    ids: set[int], week: dt.date, after: int, active: dict[int, set[dt.date]], today: dt.date
) -> float | None:
    target = week + dt.timedelta(weeks=after)
    if target > today:
        return None  # that week has not come yet
    return percent(sum(target in active[user_id] for user_id in ids), len(ids))


def activation_funnel(figures: WeekFigures) -> list[tuple[str, float | None]]:
    """From registered to engaged, as of the end of a week."""
    taking_part = None
    if figures.participants is not None and figures.contributors is not None:
        taking_part = figures.participants + figures.contributors
    return [
        (_("Registered"), figures.registered),
        (_("Activated"), figures.activated),
        (_("Active in 28 days"), figures.monthly_active),
        (_("Taking part"), taking_part),
        (_("Contributing"), figures.contributors),
        (_("Engaged"), figures.engaged),
    ]
