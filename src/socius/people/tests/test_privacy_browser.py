"""The data-subject journey in a real browser: a customer downloads their data and asks for
erasure on the portal; an administrator carries it out; the customer's access ends."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from socius.accounts.roles import Role
from socius.conftest import PASSWORD, make_employee
from socius.people.models import Person, PrivacyRequest
from socius.people.services import IdentifierIn, Profile, person_resolve
from socius.testing import AsgiServer, chromium_page, in_other_thread

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def erasure_log(settings: Any, tmp_path: Path) -> Path:
    settings.ERASURE_LOG_PATH = tmp_path / "erasures.jsonl"
    return Path(settings.ERASURE_LOG_PATH)


def portal_sign_in(page: Page, email: str) -> None:
    page.goto("/portal/sign-in")
    page.locator("input[name=email]").fill(email)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("strong", has_text=email)).to_be_visible()
    match = re.search(r"https?://[^/\s]+(/portal/sign-in/\S+)", mail.outbox[-1].body)
    assert match is not None
    page.goto(match.group(1))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/portal/$"))


def employee_sign_in(page: Page, email: str) -> None:
    page.goto("/accounts/sign-in")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def test_a_customer_downloads_their_data_asks_for_erasure_and_an_admin_erases_it(
    asgi_server: AsgiServer, tmp_path: Path, erasure_log: Path
) -> None:
    make_employee("denis.admin@example.com", "Denis Lambert", "informatique", Role.ADMIN)
    customer = person_resolve(
        identifiers=[IdentifierIn("email", "claire.dupont@example.org")],
        profile=Profile(given_name="Claire", family_name="Dupont"),
    ).person

    with chromium_page(asgi_server.url) as page:
        portal_sign_in(page, "claire.dupont@example.org")
        page.goto("/portal/my-data")
        expect(page.get_by_test_id("my-identifiers")).to_contain_text("claire.dupont@example.org")

        with page.expect_download() as download_info:
            page.get_by_test_id("download-my-data").click()
        download = download_info.value
        assert download.suggested_filename == f"socius-person-{customer.pk}.json"
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        exported = json.loads(saved.read_text())
        assert (exported["audience"], exported["person"]["given_name"]) == ("customer", "Claire")

        form = page.get_by_test_id("erasure-request-form")
        form.locator("textarea").fill("Merci d'effacer mes données.")
        form.locator("button[type=submit]").click()
        expect(page.get_by_test_id("erasure-pending")).to_be_visible()
        request_id = in_other_thread(lambda: PrivacyRequest.objects.get().pk)

        assert page.context.browser is not None
        admin = page.context.browser.new_context(base_url=asgi_server.url, locale="fr-FR")
        admin_page = admin.new_page()
        employee_sign_in(admin_page, "denis.admin@example.com")
        admin_page.goto("/people/privacy-requests/")
        pending = admin_page.locator(f'[data-request-id="{request_id}"]')
        expect(pending).to_contain_text("Merci d'effacer mes données.")
        pending.get_by_test_id("carry-out").click()
        expect(admin_page.get_by_test_id("pending-requests")).to_have_count(0)
        admin.close()

        page.goto("/portal/my-data")
        expect(page).to_have_url(re.compile(r"/portal/sign-in$"))

    erased = Person.objects.get(pk=customer.pk)
    assert erased.erased_at is not None
    assert (erased.given_name, erased.family_name) == ("", "")
    assert PrivacyRequest.objects.get().status == "done"
    lines = [json.loads(line) for line in erasure_log.read_text().splitlines()]
    assert [line["person_id"] for line in lines] == [customer.pk]
