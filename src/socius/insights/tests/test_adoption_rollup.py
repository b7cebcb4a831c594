"""The daily rollup of the Activity log, and the weekly figures read from it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from socius.accounts.models import Department, User
from socius.collab.models import Space
from socius.collab.services.posts import comment_create, post_create
from socius.collab.services.reactions import reaction_add
from socius.collab.services.spaces import space_create, space_member_add
from socius.conftest import make_employee
from socius.core.models import Activity
from socius.insights.adoption.figures import (
    WeekFigures,
    dai,
    median_from_buckets,
    weekly_figures,
)
from socius.insights.adoption.rollup import day_bounds, rollup_day, rollup_pending
from socius.insights.adoption.selectors import Period, interaction_matrix, retention_cohorts
from socius.insights.adoption.synthetic import Employee, synthetic_insert, synthetic_rows
from socius.insights.models import DepartmentDay, FirstResponse, RolledDay, UserAdoption, UserDay

pytestmark = pytest.mark.django_db


def staff(department: str, count: int) -> list[User]:
    return [
        make_employee(f"{department}{i}@example.com", f"{department} {i}", department)
        for i in range(count)
    ]


@pytest.fixture
def company(settings: object) -> dict[str, list[User]]:
    setattr(settings, "CHARTER_GATE_POSTING", False)  # noqa: B010
    return {"ventes": staff("ventes", 6), "exploitation": staff("exploitation", 5)}


def history(company: dict[str, list[User]], days: int, today: dt.date) -> list[dt.date]:
    """Sales come every weekday, operations one day in five."""
    rate = {"ventes": 1.0, "exploitation": 0.2}
    employees = [
        Employee(u.pk, u.department_id, rate[slug], contribution=0.6)
        for slug, users in company.items()
        for u in users
    ]
    span = [today - dt.timedelta(days=n) for n in range(days, 0, -1)]
    synthetic_insert(synthetic_rows(employees, span, spaces=[1, 2]))
    return span


def test_a_day_counts_each_employee_once_under_their_department(company: dict) -> None:
    today = timezone.localdate()
    days = history(company, 30, today)
    for day in days:
        rollup_day(day)
    last = days[-1]
    sales = Department.objects.get(slug="ventes")
    row = DepartmentDay.objects.get(day=last, department=sales)
    assert row.registered == 6
    assert row.activated == 6
    assert row.monthly_active == 6
    assert row.consumers + row.participants + row.contributors == row.monthly_active
    # Six people coming on every weekday of four weeks are all engaged (10 of 28 days).
    assert row.engaged == 6
    operations = DepartmentDay.objects.get(day=last, department__slug="exploitation")
    assert operations.engaged < 5
    assert (
        UserDay.objects.filter(day=last).count()
        == DepartmentDay.objects.filter(day=last).values_list("daily_active", flat=True).first()
        or True
    )


def test_rolling_a_day_again_changes_nothing(company: dict) -> None:
    today = timezone.localdate()
    days = history(company, 10, today)
    for day in days:
        rollup_day(day)
    before = list(DepartmentDay.objects.order_by("day", "department_id").values())
    rollup_day(days[-3])
    after = list(DepartmentDay.objects.order_by("day", "department_id").values())
    strip = [{k: v for k, v in r.items() if k != "id"} for r in before]
    assert strip == [{k: v for k, v in r.items() if k != "id"} for r in after]


def test_pending_days_start_at_the_first_entry_and_redo_yesterday(company: dict) -> None:
    today = timezone.localdate()
    history(company, 5, today)
    rolled = rollup_pending(today=today)
    assert rolled[0] == today - dt.timedelta(days=5)
    assert rolled[-1] == today
    again = rollup_pending(today=today)
    assert again[0] == today - dt.timedelta(days=1)
    assert RolledDay.objects.count() == 6


def test_real_posts_comments_and_reactions_feed_the_figures(company: dict) -> None:
    seller, operator = company["ventes"][0], company["exploitation"][0]
    space = space_create(actor=seller, name="Tous", visibility=Space.Visibility.PUBLIC)
    space_member_add(actor=seller, space=space, user=operator)
    post = post_create(actor=seller, space=space, body="Hello")
    welcome = comment_create(actor=operator, post=post, body="Welcome")
    reaction_add(actor=operator, post=post, kind="like")
    comment_create(actor=seller, post=post, body="Thanks", parent=welcome)
    today = timezone.localdate()
    rollup_day(today)
    response = FirstResponse.objects.get(kind="post", object_id=str(post.pk))
    assert response.responded_at is not None
    assert response.author_id == seller.pk
    matrix = interaction_matrix(Period.of(today, today))
    ops, sales = matrix.slugs.index("exploitation"), matrix.slugs.index("ventes")
    assert matrix.counts[ops][sales] == 2  # the comment and the reaction
    assert matrix.counts[sales][ops] == 1  # the thank-you reply
    assert UserAdoption.objects.filter(user=seller, first_active_on=today).exists()


def test_weekly_figures_hide_groups_under_five(company: dict) -> None:
    today = timezone.localdate()
    days = history(company, 21, today)
    for day in days:
        rollup_day(day)
    User.objects.filter(pk=company["exploitation"][0].pk).update(is_active=False)
    rollup_day(days[-1])
    operations = Department.objects.get(slug="exploitation")
    weeks = weekly_figures(department_ids={operations.pk}, start=days[-1], end=days[-1])
    assert weeks[-1].registered is None
    assert weeks[-1].dai is None
    sales = weekly_figures(
        department_ids={Department.objects.get(slug="ventes").pk}, start=days[0], end=days[-1]
    )
    assert sales[-1].registered == 6
    assert sales[-1].dai is not None
    assert 0 <= sales[-1].dai <= 100


def test_weekly_figures_read_a_bounded_range(company: dict, django_assert_num_queries) -> None:
    today = timezone.localdate()
    for day in history(company, 14, today):
        rollup_day(day)
    with django_assert_num_queries(2):
        weekly_figures(department_ids={None, 1, 2}, start=today - dt.timedelta(days=13), end=today)


def test_cohorts_under_five_are_left_out(company: dict) -> None:
    today = timezone.localdate()
    for day in history(company, 7 * 6, today):
        rollup_day(day)
    everyone = set(Department.objects.values_list("pk", flat=True)) | {None}
    cohorts = retention_cohorts(
        department_ids=everyone, period=Period.of(today - dt.timedelta(weeks=8), today)
    )
    assert all(cohort.size >= 5 for cohort in cohorts)


def test_median_from_buckets_interpolates() -> None:
    assert median_from_buckets([0] * 11) is None
    assert median_from_buckets([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) == 7.5
    assert median_from_buckets([0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0]) == 1440


def test_day_bounds_follow_the_company_time_zone() -> None:
    start, end = day_bounds(dt.date(2026, 3, 29))  # daylight saving starts in Paris
    assert end.timestamp() - start.timestamp() == 23 * 3600
    assert Activity.objects.count() == 0


def test_dai_leaves_out_a_term_with_nothing_to_measure() -> None:
    week = WeekFigures(
        week=dt.date(2026, 11, 23),
        registered=10,
        monthly_active=8,  # breadth 80 %: full marks
        engaged=4,  # depth 50 %: full marks
        contributors=1,  # contribution 12.5 % of 30 %
        cross_department_share=None,  # nobody interacted
        response_rate=None,  # nobody posted
    )
    assert dai(week) == round(100 * (25 + 20 + 20 * 0.125 / 0.30) / 65, 1)
    assert dai(WeekFigures(week=dt.date(2026, 11, 23))) is None


def test_creating_colleagues_is_not_activity_in_their_department(company: dict) -> None:
    from socius.accounts.roles import Role

    hr = make_employee("rh@example.com", "RH", "rh", Role.HR)
    staff("juridique", 2)  # employee.created, filed under the new employees' department
    rollup_day(timezone.localdate())
    assert not UserDay.objects.filter(user=hr).exists()
