"""In a real browser: a colleague writes their profile, another finds them by a skill."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from socius.conftest import browser_sign_in, make_employee
from socius.testing import AsgiServer, chromium_page, in_other_thread

pytestmark = pytest.mark.browser


def test_a_colleague_is_found_by_the_skill_written_on_their_profile(
    asgi_server: AsgiServer,
) -> None:
    in_other_thread(
        lambda: [
            make_employee("alice.martin@example.com", "Alice Martin", "service-client"),
            make_employee("bruno.petit@example.com", "Bruno Petit", "marketing"),
        ]
    )

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, "bruno.petit@example.com")
        page.goto("/collab/people/me/edit/")
        page.locator("#id_skills").fill("Négociation, Excel")
        page.locator("#id_about").fill("Je parle **trois** langues <script>x()</script>")
        page.get_by_test_id("profile-save").click()
        expect(page.get_by_test_id("profile-skills")).to_contain_text("Négociation")
        expect(page.get_by_test_id("profile-about").locator("strong")).to_have_text("trois")
        page.get_by_role("button", name="Se déconnecter").click()

        browser_sign_in(page, "alice.martin@example.com")
        page.goto("/collab/search/")
        page.get_by_test_id("search-q").fill("negociation")
        page.get_by_test_id("search-submit").click()
        people = page.get_by_test_id("search-group-people").get_by_test_id("search-hit")
        expect(people).to_have_count(1)
        people.first.locator("a").click()
        expect(page.get_by_test_id("profile-name")).to_have_text("Bruno Petit")
