"""Customer care's figures per department: what managers and agents look at every week.

Read from the cases themselves (first response, resolution, targets) and the ratings, over
a window of days: a bounded read of the window's cases, never the whole history. Insights
computes the company-wide series from the Activity log; these are the care team's own.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.db.models import Avg, Count
from django.utils import timezone

from socius.accounts.models import Department, User
from socius.accounts.roles import Capability
from socius.care.models import Case, Rating

MAX_DAYS = 366


@dataclass
class DepartmentFigures:
    department: str  # the name; "" for requests no rule gave a department
    slug: str
    opened: int = 0
    answered: int = 0
    resolved: int = 0
    first_response_minutes: list[float] = field(default_factory=list, repr=False)
    first_response_met: int = 0
    first_response_with_target: int = 0
    resolution_met: int = 0
    resolution_with_target: int = 0
    ratings: int = 0
    satisfaction: float | None = None

    @property
    def median_first_response_minutes(self) -> float | None:
        values = self.first_response_minutes
        return round(statistics.median(values), 1) if values else None

    @property
    def first_response_compliance(self) -> float | None:
        return _share(self.first_response_met, self.first_response_with_target)

    @property
    def resolution_compliance(self) -> float | None:
        return _share(self.resolution_met, self.resolution_with_target)

    def as_dict(self) -> dict[str, object]:
        return {
            "department": self.slug or None,
            "opened": self.opened,
            "answered": self.answered,
            "resolved": self.resolved,
            "median_first_response_minutes": self.median_first_response_minutes,
            "first_response_within_target": self.first_response_compliance,
            "resolution_within_target": self.resolution_compliance,
            "ratings": self.ratings,
            "satisfaction": self.satisfaction,
        }


def may_see_figures(user: User) -> bool:
    return user.can(Capability.WORK_CASES) or user.can(Capability.VIEW_INSIGHTS)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def department_figures(
    *, days: int = 30, now: dt.datetime | None = None
) -> list[DepartmentFigures]:
    """Requests opened in the last ``days`` days, per department (three queries)."""
    days = max(1, min(days, MAX_DAYS))
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    names: dict[int | None, str] = dict(Department.objects.values_list("pk", "name"))
    slugs: dict[int | None, str] = dict(Department.objects.values_list("pk", "slug"))
    rows: dict[int | None, DepartmentFigures] = {}

    def row(department_id: int | None) -> DepartmentFigures:
        if department_id not in rows:
            rows[department_id] = DepartmentFigures(
                department=names.get(department_id, ""), slug=slugs.get(department_id, "")
            )
        return rows[department_id]

    cases = Case.objects.filter(created_at__gte=since, merged_into__isnull=True).values_list(
        "department_id",
        "created_at",
        "first_response_at",
        "first_response_due_at",
        "resolved_at",
        "resolution_due_at",
    )
    for department_id, created, answered, answer_due, resolved, resolve_due in cases:
        figures = row(department_id)
        figures.opened += 1
        if answered is not None:
            figures.answered += 1
            figures.first_response_minutes.append((answered - created).total_seconds() / 60)
        if answer_due is not None and (answered is not None or answer_due < now):
            figures.first_response_with_target += 1
            figures.first_response_met += int(answered is not None and answered <= answer_due)
        if resolved is not None:
            figures.resolved += 1
            if resolve_due is not None:
                figures.resolution_with_target += 1
                figures.resolution_met += int(resolved <= resolve_due)
    ratings = (
        Rating.objects.filter(case__created_at__gte=since)
        .values("case__department_id")
        .annotate(count=Count("pk"), average=Avg("score"))
    )
    for rating in ratings:
        figures = row(rating["case__department_id"])
        figures.ratings = rating["count"]
        figures.satisfaction = round(rating["average"], 2)
    return sorted(rows.values(), key=lambda f: (f.department == "", f.department))
