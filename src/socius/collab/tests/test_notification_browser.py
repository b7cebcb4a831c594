"""In a real browser: a notification rings the bell of an open page, and is opened."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from socius.collab.models import Notification
from socius.collab.services import comment_create
from socius.collab.tests.notifying import post_in, space_with
from socius.conftest import browser_sign_in, make_employee
from socius.testing import AsgiServer, chromium_page, in_other_thread

pytestmark = pytest.mark.browser


def test_a_comment_rings_the_bell_live_and_the_author_opens_it(asgi_server: AsgiServer) -> None:
    alice = make_employee("alice.martin@example.com", "Alice Martin", "service-client", "agent")
    bruno = make_employee("bruno.petit@example.com", "Bruno Petit", "marketing")
    post = post_in(space_with(alice, bruno), alice, "Qui vient au salon jeudi ?")

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, "alice.martin@example.com")
        bell = page.get_by_test_id("notification-bell")
        expect(bell).to_have_attribute("data-live", "open")
        expect(page.get_by_test_id("notification-count")).to_have_count(0)

        in_other_thread(lambda: comment_create(actor=bruno, post=post, body="Moi, avec plaisir"))

        expect(page.get_by_test_id("notification-count")).to_have_attribute("data-count", "1")
        bell.click()
        item = page.locator('[data-notification][data-kind="comment"]')
        expect(item).to_contain_text("Bruno Petit")
        expect(item).to_contain_text("Moi, avec plaisir")
        item.get_by_test_id("notification-open").click()

        expect(page).to_have_url(re.compile(rf"/collab/posts/{post.pk}/#comment-\d+$"))
        expect(page.get_by_test_id("post-body")).to_contain_text("Qui vient au salon jeudi ?")
        expect(page.get_by_test_id("notification-count")).to_have_count(0)

    assert in_other_thread(lambda: Notification.objects.get().read_at is not None)
