"""Issue 8's "done when" for adoption, in a real browser: a manager opens adoption for
their department, sees its pictures, and downloads the PDF report with its charts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from socius.accounts.roles import Role
from socius.conftest import browser_sign_in, make_employee
from socius.insights.adoption.rollup import rollup_pending
from socius.insights.adoption.synthetic import Employee, synthetic_insert, synthetic_rows
from socius.testing import AsgiServer, chromium_page


@pytest.mark.browser
def test_a_manager_opens_their_department_and_downloads_the_report(
    asgi_server: AsgiServer,
) -> None:
    manager = make_employee("chef.ventes@example.com", "Chef Ventes", "ventes", Role.MANAGER)
    sales = [make_employee(f"v{i}@example.com", f"Vendeur {i}", "ventes") for i in range(5)]
    today = timezone.localdate()
    days = [today - dt.timedelta(days=n) for n in range(28, 0, -1)]
    employees = [Employee(u.pk, u.department_id, 0.8, 0.4) for u in [manager, *sales]]
    synthetic_insert(synthetic_rows(employees, days, spaces=[1]))
    rollup_pending(today=today)

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, manager.email)
        page.get_by_test_id("nav-adoption").click()
        filters = page.get_by_test_id("adoption-filter")
        filters.locator("select[name=department]").select_option("ventes")
        filters.locator("button[type=submit]").click()
        expect(page.get_by_test_id("adoption-latest")).to_be_visible()
        expect(page.locator('[data-metric="registered"]')).to_have_text("6")
        for chart in ("dai", "activity", "responses", "funnel"):
            expect(page.get_by_test_id(f"adoption-chart-{chart}").locator("svg")).to_have_count(1)
        # Only HR and administrators compare departments.
        expect(page.get_by_test_id("adoption-chart-heatmap")).to_have_count(0)
        with page.expect_download() as download:
            page.get_by_test_id("adoption-pdf").click()
        path = download.value.path()
        assert download.value.suggested_filename.startswith("adoption-ventes-")
        with open(path, "rb") as pdf:
            content = pdf.read()
        assert content.startswith(b"%PDF")
        assert len(content) > 10_000  # the charts are drawn in (see test_adoption_pages)
