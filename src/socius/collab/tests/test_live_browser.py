"""In a real browser: a colleague's new post appears in an open feed without reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from socius.collab.models import Space
from socius.collab.services import post_create, space_create, space_member_add
from socius.conftest import browser_sign_in, make_employee
from socius.testing import AsgiServer, chromium_page, in_other_thread

pytestmark = pytest.mark.browser


def test_a_colleagues_new_post_appears_in_an_open_feed(asgi_server: AsgiServer) -> None:
    alice = make_employee("alice.martin@example.com", "Alice Martin", "service-client", "agent")
    bruno = make_employee("bruno.petit@example.com", "Bruno Petit", "marketing")
    team = space_create(actor=bruno, name="Projet Lumières", visibility="public")
    space_member_add(actor=bruno, space=team, user=alice)
    secret = space_create(actor=bruno, name="Fusion", visibility="secret")
    first = post_create(actor=bruno, space=team, body="Premier message")

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, "alice.martin@example.com")
        page.goto("/collab/feed/")
        feed = page.get_by_test_id("feed")
        expect(feed).to_have_attribute("data-live", "open")
        expect(page.locator(f'[data-post="{first.pk}"]')).to_have_attribute("data-unread", "true")

        hidden = in_other_thread(
            lambda: post_create(actor=bruno, space=secret, body="Confidentiel")
        )
        fresh = in_other_thread(
            lambda: post_create(
                actor=bruno, space=Space.objects.get(pk=team.pk), body="**Nouveau** planning"
            )
        )

        arrived = page.locator(f'[data-post="{fresh.pk}"]')
        expect(arrived).to_contain_text("Nouveau planning")
        expect(arrived).to_have_attribute("data-unread", "true")
        items = page.get_by_test_id("feed-item")
        expect(items).to_have_count(2)
        expect(items.first).to_have_attribute("data-post", str(fresh.pk))
        expect(page.locator(f'[data-post="{hidden.pk}"]')).to_have_count(0)
        expect(feed).not_to_contain_text("Confidentiel")


def test_following_a_colleague_brings_their_posts_live(asgi_server: AsgiServer) -> None:
    make_employee("alice.martin@example.com", "Alice Martin", "service-client", "agent")
    bruno = make_employee("bruno.petit@example.com", "Bruno Petit", "marketing")
    club = space_create(actor=bruno, name="Club photo", visibility="public")

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, "alice.martin@example.com")
        page.goto("/collab/feed/")
        page.locator("#follow-kind").select_option("user")
        page.locator("#follow-target").fill("bruno.petit@example.com")
        page.get_by_test_id("follow-form").get_by_role("button").click()
        expect(page.get_by_test_id("follows")).to_contain_text("Bruno Petit")
        expect(page.get_by_test_id("feed")).to_have_attribute("data-live", "open")

        fresh = in_other_thread(lambda: post_create(actor=bruno, space=club, body="Expo samedi"))

        expect(page.locator(f'[data-post="{fresh.pk}"]')).to_contain_text("Expo samedi")
        page.get_by_test_id("follows").get_by_test_id("follow-button").get_by_role("button").click()
        expect(page.get_by_test_id("follows").get_by_test_id("follow-button")).to_have_attribute(
            "data-following", "false"
        )
