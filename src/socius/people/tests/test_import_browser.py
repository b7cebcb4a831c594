from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from socius.accounts.roles import Role
from socius.conftest import PASSWORD, make_employee
from socius.testing import AsgiServer, chromium_page, in_other_thread

pytestmark = pytest.mark.browser

CSV = (
    "\ufeffPrénom;Nom;E-mail;Téléphone;Remarques\r\n"
    "Léa;Moreau;lea@example.org;06 11 22 33 44;VIP\r\n"
    "Zoé;Petit;zoe@example.org;not a phone;\r\n"
    "Léa;;LEA@example.org;;\r\n"
)


def test_an_agent_uploads_maps_previews_and_imports_contacts(
    asgi_server: AsgiServer, tmp_path: Path, settings: Any
) -> None:
    settings.DATA_DIR = tmp_path
    make_employee("alice.martin@example.com", "Alice Martin", "service-client", Role.AGENT)
    contacts = tmp_path / "salon.csv"
    contacts.write_text(CSV, encoding="utf-8")

    with chromium_page(asgi_server.url) as page:
        page.goto("/accounts/sign-in")
        page.get_by_label("Adresse e-mail").fill("alice.martin@example.com")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.goto("/people/import/")
        page.locator("input[type=file]").set_input_files(str(contacts))
        page.get_by_test_id("import-upload-form").locator("button[type=submit]").click()

        preview = page.get_by_test_id("import-preview")
        expect(preview.get_by_test_id("preview-row")).to_have_count(3)
        expect(preview.get_by_test_id("preview-error")).to_have_count(1)
        expect(preview).to_contain_text("+33611223344")
        # Changing a column refreshes the preview in place (htmx), without the phone.
        page.locator("select[name=column_3]").select_option("ignore")
        expect(preview).not_to_contain_text("+33611223344")
        expect(page.get_by_test_id("import-preview").get_by_test_id("preview-error")).to_have_count(
            0
        )
        page.locator("select[name=column_3]").select_option("phone")
        expect(page.get_by_test_id("import-preview")).to_contain_text("+33611223344")

        page.get_by_test_id("import-start").click()

        progress = page.get_by_test_id("import-progress")
        expect(progress).to_have_attribute("data-status", "done")
        expect(progress.locator('[data-count="created"]')).to_have_text("1")
        expect(progress.locator('[data-count="attached"]')).to_have_text("1")
        expect(progress.locator('[data-count="refused"]')).to_have_text("1")
        with page.expect_download() as download:
            page.get_by_test_id("error-report").click()
        report = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert report.splitlines()[1].startswith("Zoé;Petit;zoe@example.org;not a phone;;")

    from socius.people.models import Person

    assert in_other_thread(lambda: Person.objects.filter(search_name="lea moreau").count()) == 1
