from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from socius.accounts.services import department_ensure
from socius.conftest import browser_sign_in, make_employee
from socius.people.models import Person
from socius.people.services import IdentifierIn, Profile, person_resolve
from socius.people.services.interactions import InteractionIn, interaction_ingest
from socius.testing import AsgiServer, chromium_page, in_other_thread

pytestmark = pytest.mark.browser

PHONE = "06 12 34 56 78"
START = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC)


def ingest(external_id: str, department: str, channel: str, summary: str, days: int) -> None:
    interaction_ingest(
        data=InteractionIn(
            source="shop" if department == "billetterie" else "support",
            external_id=external_id,
            identifiers=[IdentifierIn("phone", PHONE)],
            kind="purchase" if department == "billetterie" else "question",
            channel=channel,
            department_slug=department,
            occurred_at=START + dt.timedelta(days=days),
            summary=summary,
        )
    )


def a_customer_seen_by_two_departments() -> Person:
    make_employee("alice.martin@example.com", "Alice Martin", "service-client", "agent")
    department_ensure(slug="billetterie", name="Billetterie")
    customer = person_resolve(
        identifiers=[
            IdentifierIn("email", "claire.dupont@example.org"),
            IdentifierIn("phone", PHONE),
        ],
        profile=Profile(given_name="Claire", family_name="Dupont"),
    ).person
    ingest("o-1", "billetterie", "web", "Deux billets Nuit des Lumières", days=0)
    ingest("q-1", "service-client", "email", "Où sont mes e-billets ?", days=1)
    return customer


def test_an_agent_finds_a_customer_by_phone_and_works_on_the_person_page(
    asgi_server: AsgiServer,
) -> None:
    customer = a_customer_seen_by_two_departments()

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, "alice.martin@example.com")
        page.goto("/people/")
        page.locator("#people-q").fill(PHONE)
        page.locator("#people-q").press("Enter")
        results = page.get_by_test_id("search-results")
        expect(results.locator("li")).to_have_count(1)
        results.get_by_role("link").click()

        expect(page).to_have_url(f"{asgi_server.url}/people/{customer.pk}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Claire Dupont")
        identifiers = page.get_by_test_id("identifiers")
        expect(identifiers).to_contain_text("+33612345678")
        expect(identifiers).to_contain_text("claire.dupont@example.org")
        strip = page.get_by_test_id("departments-strip")
        expect(strip.locator("li")).to_have_count(2)
        expect(strip.locator("li").first).to_have_attribute("data-department", "billetterie")

        timeline = page.get_by_test_id("timeline")
        expect(timeline).to_contain_text("Où sont mes e-billets ?")
        page.evaluate("window.stillTheSamePage = true")
        page.locator("#filter-department").select_option("billetterie")
        expect(timeline).not_to_contain_text("Où sont mes e-billets ?")
        expect(timeline).to_contain_text("Deux billets Nuit des Lumières")
        expect(page).to_have_url(f"{asgi_server.url}/people/{customer.pk}/?department=billetterie")

        page.locator("#discussion-body").fill("Cliente **fidèle** : proposer un geste")
        page.locator(".discussion-form button[type=submit]").click()
        discussion = page.get_by_test_id("discussion")
        expect(discussion.locator(".prose strong")).to_have_text("fidèle")
        expect(page.locator("#discussion-body")).to_have_value("")
        assert page.evaluate("window.stillTheSamePage") is True

        expect(page.locator("#timeline")).to_have_attribute("data-live", "open")
        in_other_thread(
            lambda: ingest("o-2", "billetterie", "web", "Un billet de plus pour Hugo", days=2)
        )
        expect(timeline).to_contain_text("Un billet de plus pour Hugo")
        expect(timeline).not_to_contain_text("Où sont mes e-billets ?")
        assert page.evaluate("window.stillTheSamePage") is True
