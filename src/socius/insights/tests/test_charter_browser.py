"""The charter's "done when", in a real browser, and the CSV behind its chart.

HR writes and publishes a material version; employees acknowledge it (some in the browser,
the rest through the service) and HR sees their department's rate climb, read from data-*
attributes. That an employee who has not acknowledged cannot post publicly is proven at the
service level in test_charter.py (the social network's guard); here it is only re-checked.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from socius.accounts.models import User
from socius.accounts.roles import Role
from socius.accounts.services import department_ensure
from socius.conftest import browser_sign_in, make_employee, signed_in_client
from socius.core.csvfile import inert
from socius.insights.models import CharterVersion
from socius.insights.selectors import charter_current, may_post_publicly
from socius.insights.services import charter_acknowledge, charter_publish, charter_version_create
from socius.testing import AsgiServer, chromium_page, in_other_thread

EXPORT = "/insights/charter/acknowledgments.csv"


def sales_team(count: int) -> list[User]:
    return [make_employee(f"vente{i}@example.com", f"Vendeur {i}", "ventes") for i in range(count)]


def sales_rate(page: Page) -> str | None:
    row = page.locator('[data-testid=charter-departments] tr[data-department="ventes"]')
    return row.get_attribute("data-rate")


def acknowledge_current(users: list[User]) -> None:
    current = charter_current()
    assert current is not None
    for user in users:
        charter_acknowledge(user=user, version=current, body_sha256=current.body_sha256)


@pytest.mark.browser
def test_hr_publishes_a_material_version_and_sees_acknowledgment_climb(
    asgi_server: AsgiServer,
) -> None:
    make_employee("helene.rh@example.com", "Hélène RH", "rh", Role.HR)
    sales = sales_team(5)

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, "helene.rh@example.com")
        page.goto("/insights/charter")
        expect(page.get_by_test_id("charter-none")).to_be_visible()
        draft = page.get_by_test_id("charter-draft")
        draft.locator("[name=title]").fill("Charte des réseaux sociaux")
        draft.locator("[name=body]").fill("**Soyez courtois** et ne publiez rien de confidentiel.")
        expect(draft.locator("[name=material]")).to_be_checked()
        draft.locator("button[type=submit]").click()
        pending = page.locator('[data-testid=charter-versions] tr[data-status="draft"]')
        expect(pending).to_have_attribute("data-version", "1")
        pending.locator("button[type=submit]").click()
        expect(page.get_by_test_id("charter-current")).to_have_attribute("data-version", "1")
        expect(
            page.locator('[data-testid=charter-departments] tr[data-department="ventes"]')
        ).to_have_count(1)
        assert sales_rate(page) == "0.0"

    for employee in sales[:2]:
        with chromium_page(asgi_server.url) as page:
            browser_sign_in(page, employee.email)
            page.goto("/insights/charter")
            expect(page.locator(".prose strong")).to_have_text("Soyez courtois")
            expect(page.get_by_test_id("charter-draft")).to_have_count(0)
            page.get_by_test_id("charter-acknowledge").locator("button").click()
            expect(page.get_by_test_id("charter-acknowledged")).to_be_visible()

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, "helene.rh@example.com")
        page.goto("/insights/charter")
        assert sales_rate(page) == "40.0"
        in_other_thread(lambda: acknowledge_current(sales[2:4]))
        page.reload()
        assert sales_rate(page) == "80.0"
        # The chart and the table below it agree on this week's figure.
        over_time = page.get_by_test_id("charter-over-time")
        expect(over_time.locator('svg[data-chart="line"]')).to_have_count(1)
        this_week = over_time.locator('tr[data-department="ventes"] td').last
        expect(this_week).to_have_attribute("data-rate", "80.0")

    version = CharterVersion.objects.get()
    assert version.material
    assert version.status == CharterVersion.Status.PUBLISHED
    assert not may_post_publicly(sales[4])
    assert may_post_publicly(sales[0])


class TestExport:
    def test_a_manager_downloads_the_weekly_rates(self, db: None) -> None:
        hr = make_employee("helene.rh@example.com", "Hélène RH", "rh", Role.HR)
        department_ensure(slug="ventes", name='=HYPERLINK("http://evil.example")')
        sales = sales_team(5)
        version = charter_version_create(actor=hr, title="Charte", body="Text", material=True)
        charter_publish(actor=hr, version=version)
        acknowledge_current(sales[:1])

        response = signed_in_client(hr).get(EXPORT)

        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith("attachment;")
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
        assert len(rows) == 1 + 12  # the header, then ventes for 12 weeks (HR alone: hidden)
        assert {row[0] for row in rows[1:]} == {'\'=HYPERLINK("http://evil.example")'}
        assert rows[-1][2:] == ["5", "1", "20.0"]

    def test_a_week_under_five_people_has_no_figure(self, db: None) -> None:
        hr = make_employee("helene.rh@example.com", "Hélène RH", "rh", Role.HR)
        sales_team(5)  # all joined today: in the earlier weeks the group did not exist yet
        version = charter_version_create(actor=hr, title="Charte", body="Text", material=True)
        charter_publish(actor=hr, version=version)
        rows = list(csv.reader(io.StringIO(signed_in_client(hr).get(EXPORT).content.decode())))
        figures = [row[2:] for row in rows[1:]]
        assert figures == [["", "", ""]] * 11 + [["5", "0", "0.0"]]

    def test_an_employee_gets_a_404_and_a_visitor_the_sign_in(self, db: None) -> None:
        employee = make_employee("vente0@example.com", "Vendeur", "ventes")
        assert signed_in_client(employee).get(EXPORT).status_code == 404
        anonymous = Client().get(EXPORT)
        assert anonymous.status_code == 302
        assert "sign-in" in anonymous["Location"]


@pytest.mark.parametrize(
    ("name", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("+33 6", "'+33 6"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        (' "=1', "' \"=1"),
        ("Ventes", "Ventes"),
        ("R&D <b>", "R&D <b>"),
    ],
)
def test_a_department_name_never_runs_as_a_formula(name: str, cell: str) -> None:
    assert inert(name) == cell
