"""The adoption dashboard, its CSV and PDF, the API, and who may see what."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socius.accounts.models import Department, User
from socius.accounts.roles import Role
from socius.accounts.services import token_create
from socius.conftest import make_employee, signed_in_client
from socius.core.models import Activity
from socius.insights.adoption.figures import monday
from socius.insights.adoption.rollup import rollup_day
from socius.insights.adoption.synthetic import Employee, synthetic_insert, synthetic_rows
from socius.insights.presence import VISITED

pytestmark = pytest.mark.django_db

ADOPTION = "/insights/"
API = "/api/v1/insights/adoption"


def staff(department: str, count: int) -> list[User]:
    return [
        make_employee(f"{department}{i}@example.com", f"{department} {i}", department)
        for i in range(count)
    ]


@pytest.fixture
def company() -> dict[str, Any]:
    sales, operations = staff("ventes", 6), staff("exploitation", 5)
    hr = make_employee("rh@example.com", "Hélène RH", "rh", Role.HR)
    manager = make_employee("chef.ventes@example.com", "Chef Ventes", "ventes", Role.MANAGER)
    small = staff("juridique", 2)
    employees = [Employee(u.pk, u.department_id, 0.9, 0.5) for u in sales + [manager]] + [
        Employee(u.pk, u.department_id, 0.2) for u in operations + small
    ]
    today = timezone.localdate()
    # From a Monday five weeks back: everyone's first day falls in one cohort week,
    # whatever the weekday the tests run on.
    first = monday(today) - dt.timedelta(weeks=5)
    days = [first + dt.timedelta(days=n) for n in range((today - first).days + 1)]
    synthetic_insert(synthetic_rows(employees, days, spaces=[1]))
    for day in days:
        rollup_day(day)
    return {"hr": hr, "manager": manager, "employee": sales[0], "small": small[0]}


def test_hr_sees_every_department_with_heat_map_and_matrix(company: dict[str, Any]) -> None:
    response = signed_in_client(company["hr"]).get(ADOPTION)
    assert response.status_code == 200
    html = response.content.decode()
    for chart in ("dai", "activity", "responses", "funnel", "heatmap", "matrix"):
        assert f'data-testid="adoption-chart-{chart}"' in html
    assert 'data-metric="dai"' in html
    # Every picture links to the table behind it.
    for chart in ("dai", "activity", "responses", "funnel", "heatmap", "matrix"):
        assert f'data-testid="adoption-csv-{chart}"' in html
    # A department of two people appears in no list, picture or table.
    assert "juridique" not in html


def test_the_company_adds_up_only_groups_of_five(company: dict[str, Any]) -> None:
    """HR, alone in their department, and the two lawyers make a pool of three: left out of
    the company's figures, or the company minus the departments shown would be about them."""
    client = api(company["hr"])
    weeks = {
        slug: client.get(API, {"department": slug} if slug else {}).json()["weeks"][-1]
        for slug in ("", "ventes", "exploitation")
    }
    for figure in ("registered", "monthly_active", "engaged", "contributors"):
        assert weeks[""][figure] == weeks["ventes"][figure] + weeks["exploitation"][figure]
    assert weeks[""]["registered"] == 12


def test_a_manager_sees_their_department_and_not_another(company: dict[str, Any]) -> None:
    client = signed_in_client(company["manager"])
    response = client.get(ADOPTION, {"department": "ventes"})
    assert response.status_code == 200
    assert 'data-testid="adoption-chart-heatmap"' not in response.content.decode()
    assert client.get(ADOPTION, {"department": "exploitation"}).status_code == 404
    assert client.get(ADOPTION, {"department": "juridique"}).status_code == 404


def test_an_employee_gets_a_404(company: dict[str, Any]) -> None:
    assert signed_in_client(company["employee"]).get(ADOPTION).status_code == 404
    assert Client().get(ADOPTION).status_code == 302  # to the sign-in page


def test_a_bad_date_keeps_the_default_weeks_and_says_so(company: dict[str, Any]) -> None:
    response = signed_in_client(company["hr"]).get(ADOPTION, {"start": "31/02/2026"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_csv_of_the_weeks_and_of_the_matrix(company: dict[str, Any]) -> None:
    Department.objects.filter(slug="ventes").update(name="=cmd|' /C calc'!A0")
    client = signed_in_client(company["hr"])
    weeks = client.get(reverse("insights:adoption-csv"), {"table": "weeks", "department": "ventes"})
    assert weeks.status_code == 200
    assert weeks["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(weeks.content.decode().removeprefix("\ufeff"))))
    assert len(rows) > 2
    matrix = client.get(reverse("insights:adoption-csv"), {"table": "matrix"})
    cells = list(csv.reader(io.StringIO(matrix.content.decode().removeprefix("\ufeff"))))
    assert any(cell.startswith("'=cmd") for row in cells for cell in row)
    assert client.get(reverse("insights:adoption-csv"), {"table": "nope"}).status_code == 404


def test_the_pdf_report_has_the_charts(company: dict[str, Any], monkeypatch: Any) -> None:
    from socius.insights import views_adoption

    drawn: list[str] = []
    real = views_adoption.render_pdf
    monkeypatch.setattr(views_adoption, "render_pdf", lambda html: drawn.append(html) or real(html))
    response = signed_in_client(company["manager"]).get(
        reverse("insights:adoption-pdf"), {"department": "ventes"}
    )
    assert response.status_code == 200
    for kind in ("line", "funnel"):
        assert f'data-chart="{kind}"' in drawn[0]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 5000


def test_dashboard_queries_do_not_grow_with_the_period(
    company: dict[str, Any], django_assert_num_queries: Any
) -> None:
    client = signed_in_client(company["hr"])
    client.get(ADOPTION)  # the session and presence of the day, once
    today = timezone.localdate()
    with django_assert_num_queries(DASHBOARD_QUERIES):
        client.get(ADOPTION, {"start": (today - dt.timedelta(weeks=8)).isoformat()})
    with django_assert_num_queries(DASHBOARD_QUERIES):
        client.get(ADOPTION, {"start": (today - dt.timedelta(weeks=100)).isoformat()})


# The session and user, departments big enough to show, headcounts (the company's pool),
# two rollup reads, the matrix (sizes, counts) and the cohorts (first days, later days):
# the same for 8 weeks or 2 years.
DASHBOARD_QUERIES = 10


def api(user: User) -> Client:
    secret = token_create(user=user, name="t", scopes=["insights:read"]).secret
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_api_weeks_of_a_department(company: dict[str, Any]) -> None:
    response = api(company["manager"]).get(API, {"department": "ventes", "from": "2026-01-01"})
    assert response.status_code == 200
    body = response.json()
    assert body["department"] == "ventes"
    assert body["min_group"] == 5
    last = body["weeks"][-1]
    assert last["registered"] == 7
    assert 0 <= last["dai"] <= 100


def test_api_never_answers_about_fewer_than_five(company: dict[str, Any]) -> None:
    client = api(company["hr"])
    assert client.get(API, {"department": "juridique"}).status_code == 404
    assert api(company["manager"]).get(API, {"department": "exploitation"}).status_code == 404
    assert Client().get(API).status_code == 401
    assert client.get(API, {"from": "not-a-date"}).status_code == 422


def test_api_matrix_is_for_hr_and_cohorts_for_managers(company: dict[str, Any]) -> None:
    matrix = api(company["hr"]).get(f"{API}/matrix")
    assert matrix.status_code == 200
    assert "juridique" not in matrix.json()["departments"]
    assert api(company["manager"]).get(f"{API}/matrix").status_code == 404
    cohorts = api(company["manager"]).get(f"{API}/cohorts", {"department": "ventes"})
    assert cohorts.status_code == 200
    assert all(row["size"] >= 5 for row in cohorts.json())


def test_signing_in_and_coming_back_counts_one_visit_a_day(company: dict[str, Any]) -> None:
    user = company["employee"]
    before = Activity.objects.filter(verb=VISITED, actor=user).count()
    client = signed_in_client(user)
    client.get("/")
    client.get("/")
    assert Activity.objects.filter(verb=VISITED, actor=user).count() == before + 1
