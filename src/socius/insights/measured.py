"""The four factors as the platform measures them, beside what people declare.

Each indicator is read from the adoption rollups, the charter, group buying or customer
care, then scaled from a floor (0) to a target (100) as the maturity spec proposes
(``INDICATORS``). A factor's score is the mean of its known indicators; its coverage is
the share of them with 28 days of rolled history about at least five people.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from socius.accounts.models import Department
from socius.collab.models import Space
from socius.commerce.selectors import group_buying_figures
from socius.insights.adoption.figures import MIN_GROUP, WeekFigures, weekly_figures
from socius.insights.adoption.rollup import day_bounds
from socius.insights.adoption.selectors import company_department_ids
from socius.insights.models import FirstResponse, RolledDay, SpaceDay
from socius.insights.selectors import acknowledgment_over_time

WINDOW_DAYS = 28


@dataclass(frozen=True)
class IndicatorSpec:
    key: str
    factor: str
    label: str | Promise
    unit: str
    floor: float
    target: float


INDICATORS = [
    IndicatorSpec("activation", "CO", _("Activated accounts"), "%", 0, 80),
    IndicatorSpec("engaged", "CO", _("Engaged among the active"), "%", 0, 50),
    IndicatorSpec("cross_department", "CO", _("Cross-department interactions"), "%", 0, 40),
    IndicatorSpec("contributors", "CO", _("Contributors among the active"), "%", 0, 30),
    IndicatorSpec("charter", "ST", _("Charter acknowledged"), "%", 50, 100),
    IndicatorSpec("spaces_with_goal", "ST", _("Active spaces with a stated goal"), "%", 0, 80),
    IndicatorSpec("group_offers", "CP", _("Group-buy offers per quarter"), "", 0, 3),
    IndicatorSpec("groups_tipped", "CP", _("Group orders that tipped"), "%", 0, 70),
    # Faster is better: 48 business hours scores 0, 4 hours scores 100.
    IndicatorSpec("case_first_response", "CX", _("Median first response to customers"), "h", 48, 4),
    IndicatorSpec("cases_within_target", "CX", _("Customer cases answered in time"), "%", 0, 90),
]
FACTORS = ("CO", "ST", "CP", "CX")


@dataclass
class Indicator:
    key: str
    label: str
    value: float | None
    unit: str
    score: float | None
    covered: bool = False  # 28 days of data about at least five people


@dataclass
class MeasuredFactor:
    score: float | None
    coverage: float
    indicators: list[Indicator] = field(default_factory=list)


def scale(value: float | None, floor: float, target: float) -> float | None:
    """``value`` placed between ``floor`` (0) and ``target`` (100), clamped."""
    if value is None:
        return None
    return round(max(0.0, min(100.0, 100 * (value - floor) / (target - floor))), 1)


def measured_factors(
    *, department_ids: Sequence[int] | None = None, as_of: dt.date | None = None
) -> dict[str, MeasuredFactor]:
    """The measured score of each factor for these departments (None: the company)."""
    as_of = as_of or timezone.localdate()
    values, covered = _values(department_ids, as_of)
    result: dict[str, MeasuredFactor] = {}
    for factor in FACTORS:
        indicators = [
            Indicator(
                key=spec.key,
                label=str(spec.label),
                value=values.get(spec.key),
                unit=spec.unit,
                score=scale(values.get(spec.key), spec.floor, spec.target),
                covered=spec.key in covered,
            )
            for spec in INDICATORS
            if spec.factor == factor
        ]
        scores = [i.score for i in indicators if i.score is not None]
        result[factor] = MeasuredFactor(
            score=round(statistics.fmean(scores), 1) if scores else None,
            coverage=round(sum(i.covered for i in indicators) / len(indicators), 2),
            indicators=indicators,
        )
    return result


def _values(
    department_ids: Sequence[int] | None, as_of: dt.date
) -> tuple[dict[str, float | None], set[str]]:
    scope = company_department_ids() if department_ids is None else frozenset(department_ids)
    start = as_of - dt.timedelta(days=WINDOW_DAYS - 1)
    weeks = weekly_figures(department_ids=scope, start=start, end=as_of)
    week = _last_known(weeks)
    history = RolledDay.objects.filter(day__gte=start, day__lte=as_of).count() >= WINDOW_DAYS
    values: dict[str, float | None] = {}
    covered: set[str] = set()
    if week is not None:
        values.update(
            activation=week.activation_rate,
            engaged=week.engaged_share,
            cross_department=_mean(w.cross_department_share for w in weeks),
            contributors=week.contributor_share,
        )
        if history:
            covered |= {"activation", "engaged", "cross_department", "contributors"}
    values["charter"], charter_covered = _charter(department_ids, as_of)
    if charter_covered:
        covered.add("charter")
    values["spaces_with_goal"] = _spaces_with_goal(department_ids, as_of)
    if history and values["spaces_with_goal"] is not None:
        covered.add("spaces_with_goal")
    values.update(_group_buying(department_ids, as_of))
    cx = _customer_care(department_ids, as_of)
    values.update(cx)
    if history and cx.get("case_first_response") is not None:
        covered |= {"case_first_response", "cases_within_target"}
    if history and values.get("groups_tipped") is not None:
        covered |= {"group_offers", "groups_tipped"}
    return values, covered


def _last_known(weeks: list[WeekFigures]) -> WeekFigures | None:
    known = [w for w in weeks if w.registered is not None]
    return known[-1] if known else None


def _mean(values: object) -> float | None:
    known = [v for v in values if v is not None]  # type: ignore[attr-defined]
    return round(statistics.fmean(known), 1) if known else None


def _charter(department_ids: Sequence[int] | None, as_of: dt.date) -> tuple[float | None, bool]:
    """The share who had acknowledged the binding version by the end of ``as_of``: a
    closed campaign keeps the figure of its day."""
    weeks = acknowledgment_over_time(weeks=1, now=day_bounds(as_of)[1])
    rows = [row["weeks"][-1] | {"slug": row["slug"]} for row in weeks]
    if department_ids is not None:
        chosen = Department.objects.filter(pk__in=department_ids)
        slugs = set(chosen.values_list("slug", flat=True))
        rows = [row for row in rows if row["slug"] in slugs]
    rows = [row for row in rows if row["employees"] is not None]
    employees = sum(row["employees"] for row in rows)
    if employees < MIN_GROUP:
        return None, False
    return round(100 * sum(row["acknowledged"] for row in rows) / employees, 1), True


def _spaces_with_goal(department_ids: Sequence[int] | None, as_of: dt.date) -> float | None:
    end = day_bounds(as_of)[1]
    spaces = Space.objects.filter(created_at__lt=end).filter(
        Q(archived_at__isnull=True) | Q(archived_at__gte=end)
    )
    if department_ids is not None:
        spaces = spaces.filter(
            Q(department_id__in=department_ids)
            | Q(department__isnull=True, created_by__department_id__in=department_ids)
        )
    rows = list(spaces.values_list("pk", "goal"))
    if not rows:
        return None
    active = set(
        SpaceDay.objects.filter(
            day__gt=as_of - dt.timedelta(days=WINDOW_DAYS), day__lte=as_of
        ).values_list("space_id", flat=True)
    )
    good = sum(1 for pk, goal in rows if goal.strip() and pk in active)
    return round(100 * good / len(rows), 1)


def _group_buying(department_ids: Sequence[int] | None, as_of: dt.date) -> dict[str, float | None]:
    until = day_bounds(as_of)[1]
    figures = group_buying_figures(
        since=until - dt.timedelta(days=91),
        until=until,
        department_ids=list(department_ids) if department_ids is not None else None,
    )
    ended = figures["completed"] + figures["failed"]
    return {
        "group_offers": float(figures["offers"]),
        "groups_tipped": round(100 * figures["completed"] / ended, 1) if ended else None,
    }


def _customer_care(department_ids: Sequence[int] | None, as_of: dt.date) -> dict[str, float | None]:
    end = day_bounds(as_of)[1]
    cases = FirstResponse.objects.filter(
        kind=FirstResponse.Kind.CASE,
        opened_at__gte=end - dt.timedelta(days=WINDOW_DAYS),
        opened_at__lt=end,
    )
    if department_ids is not None:
        cases = cases.filter(department_id__in=department_ids)
    rows = list(cases.values_list("business_minutes", "within_target"))
    answered = [minutes for minutes, _ok in rows if minutes is not None]
    if len(rows) < MIN_GROUP:
        return {"case_first_response": None, "cases_within_target": None}
    return {
        "case_first_response": round(statistics.median(answered) / 60, 1) if answered else None,
        "cases_within_target": round(100 * sum(bool(ok) for _m, ok in rows) / len(rows), 1),
    }
