from __future__ import annotations

import pytest
from playwright.sync_api import expect

from socius.conftest import browser_sign_in, make_employee
from socius.testing import AsgiServer, chromium_page, in_other_thread

pytestmark = pytest.mark.browser


def test_an_agent_signs_in_sees_the_home_page_and_switches_to_english(
    asgi_server: AsgiServer,
) -> None:
    make_employee("alice.martin@example.com", "Alice Martin", "service-client", "agent")

    with chromium_page(asgi_server.url) as page:
        page.goto("/")
        expect(page).to_have_url(f"{asgi_server.url}/accounts/sign-in")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        browser_sign_in(page, "alice.martin@example.com")

        expect(page).to_have_url(f"{asgi_server.url}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour, Alice Martin")
        expect(page.get_by_test_id("current-user")).to_have_text("Alice Martin")

        page.get_by_label("Langue").select_option("en")

        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alice Martin")
        expect(page.get_by_role("link", name="Home")).to_be_visible()


def test_the_home_page_shows_new_department_activity_without_reloading(
    asgi_server: AsgiServer,
) -> None:
    make_employee("alice.martin@example.com", "Alice Martin", "service-client", "agent")

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, "alice.martin@example.com")
        panel = page.locator("#recent-activity")
        expect(panel).to_contain_text("Alice Martin")
        expect(panel).to_have_attribute("data-live", "open")

        in_other_thread(
            lambda: make_employee("bruno.petit@example.com", "Bruno Petit", "service-client")
        )

        expect(panel).to_contain_text("Bruno Petit")
