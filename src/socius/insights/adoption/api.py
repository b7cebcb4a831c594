"""Read API of adoption: weekly figures, the department matrix and retention cohorts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Query, Router, Schema
from pydantic import Field

from socius.accounts.api_auth import TokenAuth, api_user
from socius.accounts.models import Department
from socius.core.errors import NotFound
from socius.insights.adoption.figures import MIN_GROUP, weekly_figures
from socius.insights.adoption.selectors import (
    Period,
    adoption_department_for,
    interaction_matrix,
    retention_cohorts,
    scope_department_ids,
    sees_every_department,
)

router = Router()
READ = TokenAuth("insights:read")


class RangeQuery(Schema):
    department: str | None = None
    start: dt.date | None = Field(default=None, alias="from")
    end: dt.date | None = Field(default=None, alias="to")


class WeekOut(Schema):
    week: dt.date
    registered: int | None
    activated: int | None
    activation_rate: float | None
    daily_active: float | None
    weekly_active: int | None
    monthly_active: int | None
    engaged: int | None
    engaged_share: float | None
    consumers: int | None
    participants: int | None
    contributors: int | None
    contributor_share: float | None
    stickiness: float | None
    contributions: int | None
    interactions: int | None
    cross_department_share: float | None
    healthy_spaces_share: float | None
    new_users: int | None
    posts: int | None
    response_rate: float | None
    median_response_hours: float | None
    cases: int | None
    cases_within_target: float | None
    median_case_response_hours: float | None
    dai: float | None


class AdoptionOut(Schema):
    department: str | None
    start: dt.date
    end: dt.date
    min_group: int
    weeks: list[WeekOut]


class MatrixOut(Schema):
    start: dt.date
    end: dt.date
    departments: list[str]
    counts: list[list[int | None]]


class CohortOut(Schema):
    week: dt.date
    size: int
    after_4_weeks: float | None
    after_12_weeks: float | None


def _range(request: Any, query: RangeQuery) -> tuple[Department | None, Period]:
    chosen = adoption_department_for(user=api_user(request), slug=query.department)
    return chosen, Period.of(query.start, query.end)


@router.get("/adoption", response=AdoptionOut, auth=READ)
def adoption(
    request: Any,
    query: Query[RangeQuery],
) -> dict[str, Any]:
    """Weekly adoption figures of a department (or the company when none is given), from
    the daily rollups. A week when the group had fewer than 5 employees has only nulls."""
    chosen, period = _range(request, query)
    weeks = weekly_figures(
        department_ids=scope_department_ids(chosen), start=period.start, end=period.end
    )
    return {
        "department": chosen.slug if chosen else None,
        "start": period.start,
        "end": period.end,
        "min_group": MIN_GROUP,
        "weeks": [week.as_dict() for week in weeks],
    }


@router.get("/adoption/matrix", response=MatrixOut, auth=READ)
def adoption_matrix(
    request: Any,
    query: Query[RangeQuery],
) -> dict[str, Any]:
    """Interactions between departments (rows answer columns); HR and administrators."""
    user = api_user(request)
    adoption_department_for(user=user, slug=None)
    if not sees_every_department(user):
        raise NotFound()
    period = Period.of(query.start, query.end)
    matrix = interaction_matrix(period)
    return {
        "start": period.start,
        "end": period.end,
        "departments": matrix.slugs,
        "counts": matrix.counts,
    }


@router.get("/adoption/cohorts", response=list[CohortOut], auth=READ)
def adoption_cohorts(
    request: Any,
    query: Query[RangeQuery],
) -> list[Any]:
    """Employees first seen each week and the share still active 4 and 12 weeks later."""
    chosen, period = _range(request, query)
    return list(retention_cohorts(department_ids=scope_department_ids(chosen), period=period))
