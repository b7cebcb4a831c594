"""In a real browser: a member reacts to an announcement and confirms having read it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from socius.collab.models import AnnouncementRead, Reaction
from socius.collab.services import post_create, space_create, space_member_add
from socius.conftest import browser_sign_in, make_employee
from socius.testing import AsgiServer, chromium_page

pytestmark = pytest.mark.browser


def test_a_member_reacts_and_confirms_an_announcement(asgi_server: AsgiServer) -> None:
    alice = make_employee("alice.martin@example.com", "Alice Martin", "service-client", "agent")
    bruno = make_employee("bruno.petit@example.com", "Bruno Petit", "marketing")
    space = space_create(actor=alice, name="Direction", visibility="private")
    space_member_add(actor=alice, space=space, user=bruno)
    announcement = post_create(
        actor=alice,
        space=space,
        body="Fermeture le 24 décembre, merci @bruno.petit #noel",
        kind="announcement",
    )

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, "bruno.petit@example.com")
        page.goto(f"/collab/posts/{announcement.pk}/")
        body = page.get_by_test_id("post-body")
        expect(body.locator(f'a[href="/collab/people/{bruno.pk}/"]')).to_have_text("@bruno.petit")
        expect(body.locator('a[href="/collab/topics/noel/"]')).to_have_text("#noel")

        page.get_by_test_id("react-celebrate").click()
        expect(page.get_by_test_id("reaction-count-celebrate")).to_have_text("1")
        expect(page.get_by_test_id("react-celebrate")).to_have_attribute("aria-pressed", "true")

        page.get_by_test_id("announcement-confirm").click()
        expect(page.get_by_test_id("announcement-read-done")).to_be_visible()
        expect(page.get_by_test_id("announcement-confirm")).to_have_count(0)

        page.get_by_test_id("react-celebrate").click()  # reacting again takes it back
        expect(page.get_by_test_id("reaction-count-celebrate")).to_have_text("0")

    assert AnnouncementRead.objects.filter(post=announcement, user=bruno).count() == 1
    assert not Reaction.objects.exists()

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, "alice.martin@example.com")
        page.goto(f"/collab/posts/{announcement.pk}/")
        stats = page.get_by_test_id("announcement-stats")
        expect(stats).to_have_attribute("data-read", "1")
        expect(stats).to_have_attribute("data-members", "2")
        page.locator("section[data-testid=announcement] details summary").click()
        expect(page.get_by_test_id("announcement-read-by").locator("li")).to_have_count(1)
        expect(page.get_by_test_id("announcement-not-read").locator("li")).to_have_attribute(
            "data-user", str(alice.pk)
        )
