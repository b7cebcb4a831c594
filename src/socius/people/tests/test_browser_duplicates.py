"""In the browser: run duplicate detection, read the evidence, merge one pair, reject another."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from socius.conftest import browser_sign_in, make_employee
from socius.people.models import DetectionRun, DuplicateSuggestion, Person
from socius.people.services.detection import detection_run_execute
from socius.people.tests.detection_builders import nantais
from socius.testing import AsgiServer, chromium_page, in_other_thread

pytestmark = pytest.mark.browser


def run_queued_detection() -> DetectionRun:
    run = DetectionRun.objects.get(status=DetectionRun.Status.QUEUED)
    return detection_run_execute(run_id=run.pk)


def test_an_agent_runs_detection_merges_one_pair_and_rejects_another(
    asgi_server: AsgiServer,
) -> None:
    make_employee("alice.martin@example.com", "Alice Martin", "service-client", "agent")
    jean_pierre = nantais(
        "Jean-Pierre", "Lefèvre", dt.date(1971, 4, 12), "12 r. des Lilas", "Nantes"
    )
    jp = nantais("JP", "Lefevre", dt.date(1971, 4, 12), "12 rue des Lilas", "Nantes")
    nantais("Camille", "Roussel", dt.date(1990, 6, 1), "5 quai de la Fosse", "Nantes")
    nantais("Camille", "Rousel", dt.date(1990, 6, 1), "5 quai de la Fosse", "Nantes")

    with chromium_page(asgi_server.url) as page:
        browser_sign_in(page, "alice.martin@example.com")
        page.goto("/people/duplicates/")
        expect(page.get_by_test_id("suggestion-empty")).to_be_visible()
        page.get_by_test_id("detection-start").click()

        panel = page.get_by_test_id("detection-run")
        expect(panel).to_have_attribute("data-status", "queued")
        expect(page.get_by_test_id("detection-start")).to_be_disabled()
        done = in_other_thread(run_queued_detection)
        assert done.status == DetectionRun.Status.DONE, done.failure
        # The panel polls while the run is not finished, then shows the counts.
        expect(panel).to_have_attribute("data-status", "done", timeout=10_000)
        expect(panel.get_by_test_id("detection-counts")).to_contain_text("2")

        page.reload()
        pairs = in_other_thread(lambda: list(DuplicateSuggestion.objects.order_by("pk")))
        lefevre = next(
            p for p in pairs if {p.person_a_id, p.person_b_id} == {jean_pierre.pk, jp.pk}
        )
        roussel = next(p for p in pairs if p.pk != lefevre.pk)
        card = page.get_by_test_id(f"suggestion-{lefevre.pk}")
        evidence = card.get_by_test_id("suggestion-fields")
        expect(evidence).to_contain_text("jean pierre")
        expect(evidence).to_contain_text("12 rue des lilas 44000 nantes")

        card.get_by_test_id("suggestion-compare").click()
        expect(page).to_have_url(re.compile(r"/people/merge\?survivor="))
        page.get_by_test_id("merge-submit").click()
        expect(page).to_have_url(re.compile(r"/people/merges/\d+/$"))

        page.goto("/people/duplicates/")
        expect(page.get_by_test_id(f"suggestion-{lefevre.pk}")).to_have_count(0)
        page.get_by_test_id(f"suggestion-{roussel.pk}").get_by_test_id(
            "suggestion-distinct"
        ).click()
        expect(page.locator(".flash--success")).to_be_visible()
        expect(page.get_by_test_id("suggestion-empty")).to_be_visible()

    statuses = in_other_thread(
        lambda: dict(DuplicateSuggestion.objects.values_list("pk", "status"))
    )
    assert statuses == {lefevre.pk: "merged", roussel.pk: "distinct"}
    assert in_other_thread(lambda: Person.objects.get(pk=jp.pk).merged_into_id) == jean_pierre.pk
