"""Weekly adoption figures of a department (or of the company) from the daily rollups.

A week runs Monday to Sunday. Figures over a window (active, engaged, user types) are
those of the week's last rolled day; counts are the week's sums. A week when the group had
fewer than ``MIN_GROUP`` registered employees has no figure at all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, namedtuple
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any, NamedTuple

from django.db.models import Q

from socius.insights.models import RESPONSE_BUCKETS, DepartmentDay, FirstResponse, ResponseDay

MIN_GROUP = 5

# Digital Acculturation Index: (weight, target) of each term, each term capped at 1.
DAI_TERMS = {
    "breadth": (25, 0.80),  # monthly active / registered
    "depth": (20, 0.50),  # engaged / monthly active
    "contribution": (20, 0.30),  # contributors / monthly active
    "transversality": (20, 0.40),  # cross-department share of interactions
    "responsiveness": (15, 0.80),  # posts answered within 24 h
}


@dataclass
class WeekFigures:
    week: dt.date  # the Monday
    registered: int | None = None
    activated: int | None = None
    activation_rate: float | None = None
    daily_active: float | None = None  # the week's average
    weekly_active: int | None = None
    monthly_active: int | None = None
    engaged: int | None = None
    engaged_share: float | None = None
    consumers: int | None = None
    participants: int | None = None
    contributors: int | None = None
    contributor_share: float | None = None
    stickiness: float | None = None  # average daily active / monthly active
    contributions: int | None = None
    interactions: int | None = None
    cross_department_share: float | None = None
    healthy_spaces_share: float | None = None
    new_users: int | None = None
    posts: int | None = None
    response_rate: float | None = None  # posts answered within 24 h
    median_response_hours: float | None = None
    cases: int | None = None
    cases_within_target: float | None = None
    median_case_response_hours: float | None = None
    dai: float | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


FIELDS = [f.name for f in fields(WeekFigures)]


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weeks_between(start: dt.date, end: dt.date) -> list[dt.date]:
    first, last = monday(start), monday(end)
    return [first + dt.timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def percent(part: float | None, whole: float | None) -> float | None:
    if part is None or not whole:
        return None
    return round(100 * part / whole, 1)


def median_from_buckets(buckets: Sequence[int]) -> float | None:
    """The median in minutes, interpolated inside its bucket of the histogram."""
    total = sum(buckets)
    if not total:
        return None
    half, seen = total / 2, 0
    for index, count in enumerate(buckets):
        if count and seen + count >= half:
            low = RESPONSE_BUCKETS[index - 1] if index else 0
            high = RESPONSE_BUCKETS[index] if index < len(RESPONSE_BUCKETS) else low * 2
            return low + (high - low) * (half - seen) / count
        seen += count
    return float(RESPONSE_BUCKETS[-1])


def dai(figures: WeekFigures) -> float | None:
    """The Digital Acculturation Index (0-100) of a week. A term with nothing to measure
    (no interaction, no post to answer) is left out and the others weigh in its place,
    rather than scoring a zero the group did not earn; without breadth there is no index."""
    ratios = {
        "breadth": _ratio(figures.monthly_active, figures.registered),
        "depth": _ratio(figures.engaged, figures.monthly_active),
        "contribution": _ratio(figures.contributors, figures.monthly_active),
        "transversality": _share(figures.cross_department_share),
        "responsiveness": _share(figures.response_rate),
    }
    if ratios["breadth"] is None:
        return None
    earned = weights = 0.0
    for term, (weight, target) in DAI_TERMS.items():
        ratio = ratios[term]
        if ratio is not None:
            earned += weight * min(1.0, ratio / target)
            weights += weight
    return round(100 * earned / weights, 1)


def _ratio(part: int | None, whole: int | None) -> float | None:
    return part / whole if part is not None and whole else None


def _share(value: float | None) -> float | None:
    return value / 100 if value is not None else None


def department_filter(ids: Collection[int | None]) -> Q:
    """Rows of these departments; ``None`` among them stands for "no department"."""
    known = [pk for pk in ids if pk is not None]
    condition = Q(department_id__in=known)
    return condition | Q(department__isnull=True) if None in ids else condition


def weekly_figures(
    *, department_ids: Collection[int | None], start: dt.date, end: dt.date
) -> list[WeekFigures]:
    """The weeks from ``start`` to ``end`` of these departments together. Two queries,
    whatever the length of the history."""
    return weekly_figures_by_group(groups={"all": department_ids}, start=start, end=end)["all"]


# What a day of a group adds up: DepartmentDay's figures, read as plain tuples (building
# a model instance per department and day would cost more than the rest of the page).
DAY_FIELDS = (
    "registered", "activated", "daily_active", "weekly_active", "monthly_active", "engaged",
    "consumers", "participants", "contributors", "events", "contributions", "interactions",
    "cross_interactions", "new_users", "spaces", "healthy_spaces",
)  # fmt: skip
_Day = namedtuple("_Day", DAY_FIELDS)  # type: ignore[misc]  # noqa: PYI024  (fields from data)


class _Answers(NamedTuple):
    day: dt.date
    department_id: int | None
    kind: str
    opened: int
    within_day: int
    within_target: int
    buckets: list[int]


def _days_of(rows: list[tuple[Any, ...]]) -> dict[dt.date, Any]:
    """One ``_Day`` per day: the sum over the departments of ``rows``."""
    sums: dict[dt.date, list[int]] = {}
    for day, _department, *values in rows:
        total = sums.get(day)
        if total is None:
            sums[day] = list(values)
        else:
            for index, value in enumerate(values):
                total[index] += value
    return {day: _Day(*values) for day, values in sums.items()}


def weekly_figures_by_group(
    *, groups: Mapping[str, Collection[int | None]], start: dt.date, end: dt.date
) -> dict[str, list[WeekFigures]]:
    """``weekly_figures`` of several groups of departments at once, still two queries."""
    weeks = weeks_between(start, end)
    first, last = weeks[0], weeks[-1] + dt.timedelta(days=6)
    wanted = department_filter({pk for ids in groups.values() for pk in ids})
    days_of: dict[int | None, list[tuple[Any, ...]]] = defaultdict(list)
    for row in (
        DepartmentDay.objects.filter(wanted, day__gte=first, day__lte=last)
        .order_by()
        .values_list("day", "department_id", *DAY_FIELDS)
    ):
        days_of[row[1]].append(row)
    answers_of: dict[int | None, list[_Answers]] = defaultdict(list)
    for answer in (
        ResponseDay.objects.filter(wanted, day__gte=first, day__lte=last)
        .order_by()
        .values_list(*_Answers._fields)
    ):
        answers_of[answer[1]].append(_Answers(*answer))
    result = {}
    for key, ids in groups.items():
        by_day = _days_of([row for pk in ids for row in days_of[pk]])
        responses: dict[tuple[dt.date, str], list[_Answers]] = defaultdict(list)
        for pk in ids:
            for answer in answers_of[pk]:
                responses[monday(answer.day), answer.kind].append(answer)
        result[key] = [_week(week, by_day, responses) for week in weeks]
    return result


def _week(
    week: dt.date,
    by_day: dict[dt.date, Any],
    responses: dict[tuple[dt.date, str], list[_Answers]],
) -> WeekFigures:
    days = [by_day[d] for d in (week + dt.timedelta(days=n) for n in range(7)) if d in by_day]
    figures = WeekFigures(week=week)
    if not days or days[-1].registered < MIN_GROUP:
        return figures  # no figure about fewer than five people
    end = days[-1]
    figures.registered, figures.activated = end.registered, end.activated
    figures.activation_rate = percent(end.activated, end.registered)
    figures.daily_active = round(sum(d.daily_active for d in days) / len(days), 1)
    figures.weekly_active, figures.monthly_active = end.weekly_active, end.monthly_active
    figures.engaged = end.engaged
    figures.engaged_share = percent(end.engaged, end.monthly_active)
    figures.consumers, figures.participants = end.consumers, end.participants
    figures.contributors = end.contributors
    figures.contributor_share = percent(end.contributors, end.monthly_active)
    figures.stickiness = percent(figures.daily_active, end.monthly_active)
    figures.contributions = sum(d.contributions for d in days)
    figures.interactions = sum(d.interactions for d in days)
    figures.cross_department_share = percent(
        sum(d.cross_interactions for d in days), figures.interactions
    )
    figures.healthy_spaces_share = percent(end.healthy_spaces, end.spaces)
    figures.new_users = sum(d.new_users for d in days)
    _responses(figures, responses[week, FirstResponse.Kind.POST], cases=False)
    _responses(figures, responses[week, FirstResponse.Kind.CASE], cases=True)
    figures.dai = dai(figures)
    return figures


def _responses(figures: WeekFigures, rows: list[_Answers], *, cases: bool) -> None:
    opened = sum(r.opened for r in rows)
    buckets = [sum(column) for column in zip(*(r.buckets for r in rows), strict=False)] or [0]
    median = median_from_buckets(buckets)
    hours = round(median / 60, 1) if median is not None else None
    if cases:
        figures.cases = opened
        figures.cases_within_target = percent(sum(r.within_target for r in rows), opened)
        figures.median_case_response_hours = hours
    else:
        figures.posts = opened
        figures.response_rate = percent(sum(r.within_day for r in rows), opened)
        figures.median_response_hours = hours
