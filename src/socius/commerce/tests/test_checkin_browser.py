from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from socius.commerce.models import CheckIn, Ticket
from socius.commerce.tests.factories import gate_make, offer_make, paid_participant
from socius.commerce.tickets.issue import tickets_issue
from socius.conftest import browser_sign_in, make_employee
from socius.testing import AsgiServer, chromium_page, in_other_thread

pytestmark = pytest.mark.browser


def _scan(page: Page, code: str) -> None:
    page.get_by_test_id("gate-code").fill(code)
    page.get_by_test_id("gate-submit").click()


def test_staff_check_tickets_in_online_then_offline(asgi_server: AsgiServer) -> None:
    make_employee("chloe.roux@example.com", "Chloé Roux", "exploitation")
    offer = offer_make()  # today, in the park's time zone
    gate_make(offer, slug="north", name="Porte nord")
    first, second, third = tickets_issue(paid_participant(offer=offer, seats=3))
    banner = "[data-testid=gate-banner]"

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, "chloe.roux@example.com")
        page.goto("/gate/")
        page.locator("[data-gate=north]").click()
        expect(page.locator("#gate")).to_have_attribute("data-ready", "true")
        assert page.evaluate("typeof window.jsQR") == "function"  # the vendored reader loaded

        _scan(page, first.code)
        expect(page.locator(banner)).to_have_attribute("data-result", "ok")
        expect(page.locator(banner)).to_have_attribute("data-mode", "online")
        _scan(page, first.code)
        expect(page.locator(banner)).to_have_attribute("data-result", "already_checked_in")

        # The network fails: the page judges codes itself and queues the admissions.
        page.route("**/gate/north/scan", lambda route: route.abort())
        page.route("**/gate/north/sync", lambda route: route.abort())
        _scan(page, second.code)
        expect(page.locator(banner)).to_have_attribute("data-mode", "offline")
        expect(page.locator(banner)).to_have_attribute("data-result", "ok")
        expect(page.get_by_test_id("gate-queue")).to_have_text("1")
        expect(page.get_by_test_id("gate-offline")).to_be_visible()
        _scan(page, second.code)
        expect(page.locator(banner)).to_have_attribute("data-result", "already_checked_in")
        forged = third.code[:20] + ("B" if third.code[20] != "B" else "C") + third.code[21:]
        _scan(page, forged)
        expect(page.locator(banner)).to_have_attribute("data-result", "invalid_signature")
        expect(page.get_by_test_id("gate-queue")).to_have_text("1")
        assert in_other_thread(lambda: CheckIn.objects.filter(ticket=second).count()) == 0

        # Back online: the queued scan reaches the server.
        page.unroute("**/gate/north/scan")
        page.unroute("**/gate/north/sync")
        page.get_by_test_id("gate-sync").click()
        expect(page.get_by_test_id("gate-queue")).to_have_text("0")
        expect(page.get_by_test_id("gate-offline")).to_be_hidden()

    synced = in_other_thread(
        lambda: list(CheckIn.objects.filter(ticket=second).values_list("result", "offline"))
    )
    assert synced == [("ok", True)]
    assert in_other_thread(lambda: Ticket.objects.get(pk=second.pk).state) == "checked_in"
    assert in_other_thread(lambda: Ticket.objects.get(pk=third.pk).state) == "issued"
