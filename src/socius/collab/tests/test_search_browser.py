"""In a real browser: searching without accents finds an accented post."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from socius.collab.services import post_create, space_create
from socius.conftest import browser_sign_in, make_employee
from socius.testing import AsgiServer, chromium_page, in_other_thread

pytestmark = pytest.mark.browser


def test_an_unaccented_query_finds_an_accented_post(asgi_server: AsgiServer) -> None:
    def build() -> int:
        alice = make_employee("alice.martin@example.com", "Alice Martin", "service-client")
        make_employee("bruno.petit@example.com", "Bruno Petit", "marketing")
        lobby = space_create(actor=alice, name="Hall", visibility="public")
        post_create(actor=alice, space=lobby, body="Réunion des développeurs jeudi à 10 h")
        return post_create(actor=alice, space=lobby, body="Pause café").pk

    in_other_thread(build)

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, "bruno.petit@example.com")
        page.goto("/collab/search/")
        page.get_by_test_id("search-q").fill("reunion developpeur")
        page.get_by_test_id("search-submit").click()

        posts = page.get_by_test_id("search-group-posts")
        hits = posts.get_by_test_id("search-hit")
        expect(hits).to_have_count(1)
        expect(hits.first).to_contain_text("Réunion des développeurs")
        expect(hits.first.locator("mark").first).to_have_text("Réunion")
        hits.first.locator("a").click()
        expect(page.get_by_test_id("post-body")).to_contain_text("Réunion des développeurs")
