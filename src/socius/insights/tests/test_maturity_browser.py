"""In a real browser: an invited employee answers the maturity questionnaire, then HR closes
the campaign and sees the radar, the quadrant, the declared-vs-measured flags and the
recommendations."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from socius.accounts.roles import Role
from socius.conftest import browser_sign_in, make_employee
from socius.insights.maturity.questionnaire import CURRENT_VERSION, questionnaire_get
from socius.insights.maturity.services import campaign_create, campaign_open, response_submit
from socius.insights.models import Invitation, Response
from socius.testing import AsgiServer, chromium_page

pytestmark = pytest.mark.browser

ITEMS = questionnaire_get(CURRENT_VERSION).items_for(include_green=False)


@dataclass(frozen=True)
class Measure:
    score: float | None
    coverage: float


def test_an_employee_answers_and_hr_reads_the_results(
    asgi_server: AsgiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The platform measures a weak culture: far below what people declare.
    monkeypatch.setattr(
        "socius.insights.maturity.selectors.measured_factors",
        lambda *, department_ids=None, as_of=None: {"CO": Measure(15.0, 1.0)},
    )
    hr = make_employee("helene.rh@example.com", "Hélène RH", "rh", Role.HR)
    bruno = make_employee("bruno.petit@example.com", "Bruno Petit", "marketing")
    others = [make_employee(f"ventes{i}@example.com", f"Vendeur {i}", "ventes") for i in range(4)]
    campaign = campaign_create(actor=hr, name="Baromètre", label="T0", users=[bruno, *others])
    campaign_open(actor=hr, campaign=campaign, notify=False)
    for person in others:
        response_submit(
            user=person,
            campaign=campaign,
            answers={item.key: 5 if item.factor == "CO" else 2 for item in ITEMS},
        )

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, "bruno.petit@example.com")
        page.goto("/insights/maturity/")
        page.get_by_test_id("maturity-answer-link").click()
        expect(page.get_by_test_id("maturity-anonymous")).to_be_visible()
        for item in ITEMS:
            choice = "dk" if item.key == "CP1" else ("5" if item.factor == "CO" else "2")
            page.get_by_test_id(f"answer-{item.key}-{choice}").check()
        page.get_by_test_id("maturity-submit").click()
        expect(page.get_by_test_id("maturity-answered")).to_be_visible()

    assert Invitation.objects.get(user=bruno).answered
    assert Response.objects.count() == 5

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, "helene.rh@example.com")
        page.goto(f"/insights/maturity/campaigns/{campaign.pk}/")
        expect(page.get_by_test_id("maturity-responses")).to_have_attribute("data-responses", "5")
        # No result while the campaign is open: HR closes it first.
        expect(page.get_by_test_id("maturity-results-when-closed")).to_be_visible()
        expect(page.get_by_test_id("maturity-radar")).to_have_count(0)
        page.get_by_test_id("maturity-close").click()
        expect(page.get_by_test_id("maturity-status")).to_have_attribute("data-status", "closed")
        expect(page.get_by_test_id("maturity-results-when-closed")).to_have_count(0)
        expect(page.locator("[data-testid=maturity-radar] [data-chart=radar]")).to_be_visible()
        expect(
            page.locator("[data-testid=maturity-quadrant] [data-chart=quadrant]")
        ).to_be_visible()
        # Strong culture items (mostly "how"), weak "what": what 34, how 56.
        expect(page.get_by_test_id("maturity-quadrant")).to_have_attribute(
            "data-quadrant", "conservative"
        )
        expect(page.locator("tr[data-factor=CO]")).to_have_attribute("data-flagged", "true")
        expect(page.get_by_test_id("maturity-flag")).to_have_count(1)
        recommendations = page.get_by_test_id("maturity-recommendations").locator("li[data-rule]")
        expect(recommendations).to_have_count(5)
        expect(recommendations.first).to_have_attribute("data-rule", "perception-gap")
